"""Bad input to staff pages and APIs gets a 4xx with a reason, never a server error (on PostgreSQL).

PostgreSQL is stricter than SQLite (integer ranges, NUL characters, VARCHAR lengths), so these run there.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from casework.core.models import AuditEvent, OutboxMessage, ReportEvent, StaffUser
from tests.factories import cheap_password_hashing, make_contact, make_report, make_staff
from tests.integration.staff.test_inbox_pages import csrf_from, sign_in

INTERNAL = {"Authorization": "Bearer test-internal-token-0123456789"}
HUGE_ID = "9" * 25  # beyond any database integer
BIG_INT = str(2**31)  # just beyond PostgreSQL's integer
NUL = "before\x00after"


@pytest.fixture
def db_url(pg_db_url: str) -> str:
    return pg_db_url


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def signed_in(services, client, role: str = "admin") -> str:  # type: ignore[no-untyped-def]
    """Sign in as a new account of that role; the CSRF token to post with."""
    with services.sessions() as db:
        email = make_staff(db, role).email
        db.commit()
    sign_in(client, email)
    return csrf_from(client.get("/staff/inbox").get_data(as_text=True))


def a_report(services) -> str:  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        report = make_report(db, contact_id=make_contact(db).id)
        db.commit()
        return report.reference


def no_server_error(resp: Any, what: str) -> None:
    assert resp.status_code < 500, f"{what}: {resp.status_code} {resp.get_data(as_text=True)[:200]}"


def test_dashboard_dates_far_in_the_future_or_past_say_what_is_wrong(services, client):
    signed_in(services, client, "triage")
    for args in ("to=9999-12-31", "from=0001-01-01", "from=1-1-1", "to=2026-02-30", "from=2026-11-18x"):
        resp = client.get(f"/staff/dashboard?{args}")
        assert resp.status_code == 400, args
        assert "date" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        f"/staff/admin/users/{HUGE_ID}",
        f"/staff/admin/users/{BIG_INT}",
        f"/staff/admin/api-keys/{HUGE_ID}/revoke",
        f"/staff/admin/api-keys/{BIG_INT}/revoke",
        f"/staff/admin/users/{HUGE_ID}/token",
    ],
)
def test_very_large_ids_are_not_found(services, client, path):
    token = signed_in(services, client)
    resp = client.post(path, data={"csrf_token": token, "role": "viewer", "active": "yes"})
    assert resp.status_code == 404


def test_very_large_import_id_is_not_found(services, client):
    signed_in(services, client)
    assert client.get(f"/staff/imports/{HUGE_ID}").status_code == 404


@pytest.mark.parametrize("message_id", [HUGE_ID, BIG_INT, "-1", "abc", "1" * 200])
def test_resend_of_an_impossible_message_id_says_so(services, client, message_id):
    token = signed_in(services, client, "triage")
    ref = a_report(services)
    resp = client.post(
        f"/staff/reports/{ref}/resend",
        data={"csrf_token": token, "message_id": message_id},
        follow_redirects=True,
    )
    no_server_error(resp, message_id)
    with services.sessions() as db:
        assert db.scalars(select(OutboxMessage)).all() == []


def test_a_nul_character_in_a_staff_note_is_dropped_and_the_note_kept(services, client):
    token = signed_in(services, client, "triage")
    ref = a_report(services)
    resp = client.post(f"/staff/reports/{ref}/note", data={"csrf_token": token, "message": NUL})
    no_server_error(resp, "note")
    with services.sessions() as db:
        notes = [e.body for e in db.scalars(select(ReportEvent)) if e.body and "after" in e.body]
    assert notes == ["beforeafter"]


def test_a_staff_name_too_long_is_refused_with_a_clear_message(services, client):
    token = signed_in(services, client)
    resp = client.post(
        "/staff/admin/users",
        data={
            "csrf_token": token,
            "email": "new.officer@example.org",
            "name": "N" * 121,
            "password": "a long enough password 123",
            "role": "viewer",
        },
        follow_redirects=True,
    )
    assert resp.status_code == 200
    assert "at most 120 characters" in resp.get_data(as_text=True)
    with services.sessions() as db:
        assert db.scalar(select(StaffUser).where(StaffUser.email == "new.officer@example.org")) is None


REPORT_FORMS = {
    "note": {"message": NUL},
    "status": {"status": "in_progress", "message": NUL, "visibility": "private"},
    "reassign": {"agency_id": "staffs-police", "reason": NUL},
    "link": {"primary_reference": "ASB-" + "Z" * 300, "reason": NUL},
    "unlink": {"reason": NUL},
    "risk": {"risk_level": "high", "reason": NUL},
    "close": {"outcome": NUL},
    "accept": {},
}


@pytest.mark.parametrize("action", sorted(REPORT_FORMS))
@pytest.mark.parametrize("filler", [NUL, "x" * 20_000, "\x00" * 5])
def test_report_actions_never_fail_on_odd_text(services, client, action, filler):
    token = signed_in(services, client, "triage")
    ref = a_report(services)
    form = {k: (filler if v == NUL else v) for k, v in REPORT_FORMS[action].items()}
    resp = client.post(f"/staff/reports/{ref}/{action}", data={"csrf_token": token, **form})
    no_server_error(resp, action)


@pytest.mark.parametrize(
    "path",
    [
        "/staff/reports/" + "A" * 300,
        "/staff/reports/ASB-%00",
        "/staff/inbox?q=%00",
        "/staff/inbox?q=" + "x" * 5000,
        "/staff/inbox?ward=%00&agency=%00&type=%00&status=%00",
        "/staff/inbox?to=9999-12-31&from=0001-01-01",
        "/staff/inbox?page=" + HUGE_ID,
        "/staff/inbox?per_page=" + HUGE_ID,
        "/staff/export.csv?to=9999-12-31",
        "/staff/export.csv?q=%00",
        "/staff/dashboard?from=2000-01-01&to=2099-12-31",
        "/api/v1/reports?q=%00",
        "/api/v1/reports?page=" + HUGE_ID,
        "/api/v1/reports/" + "A" * 300,
        "/api/v1/reports/%00",
    ],
)
def test_staff_pages_and_api_answer_odd_queries_without_a_server_error(services, client, path):
    signed_in(services, client, "triage")
    no_server_error(client.get(path), path)


@pytest.mark.parametrize(
    "query",
    ["reference=%00", "reference=" + "A" * 300, "conversation_id=%00", "conversation_id=" + "c" * 300],
)
def test_internal_status_lookup_answers_odd_queries_without_a_server_error(services, client, query):
    no_server_error(client.get(f"/api/v1/status?{query}", headers=INTERNAL), query)


@pytest.mark.parametrize("field", ["description", "location", "occurred", "landlord", "conversation_id"])
def test_intake_with_a_nul_character_is_filed_without_it(services, client, field):
    body: dict[str, Any] = {
        "conversation_id": "web-nul-test-000001",
        "submission_id": "1",
        "channel": "web",
        "asb_type": "noise",
        "description": "Loud music at night.",
        "location": "Bore Street",
    }
    body[field] = body.get(field, "") + NUL
    resp = client.post("/api/v1/intake", json=body, headers=INTERNAL)
    no_server_error(resp, field)
    assert resp.status_code in (200, 201, 400)


def test_admin_forms_with_nul_or_long_text_answer_with_a_reason(services, client):
    token = signed_in(services, client)
    for data in (
        {
            "email": NUL + "@example.org",
            "name": "A",
            "password": "a long enough password 123",
            "role": "viewer",
        },
        {
            "email": "x" * 400 + "@example.org",
            "name": "A",
            "password": "a long enough password 123",
            "role": "viewer",
        },
        {"email": "ok@example.org", "name": NUL, "password": "a long enough password 123", "role": "viewer"},
        {"email": "ok2@example.org", "name": "A", "password": NUL * 20, "role": "viewer"},
        {"email": "ok3@example.org", "name": "A", "password": "p" * 10_000, "role": "viewer"},
        {"email": "ok4@example.org", "name": "A", "password": "a long enough password 123", "role": NUL},
        {
            "email": "ok5@example.org",
            "name": "A",
            "password": "a long enough password 123",
            "role": "agency",
            "agency_id": NUL,
        },
        {
            "email": "ok6@example.org",
            "name": "A",
            "password": "a long enough password 123",
            "role": "viewer",
            "wards": NUL,
        },
    ):
        no_server_error(client.post("/staff/admin/users", data={"csrf_token": token, **data}), str(data)[:80])
    for label in (NUL, "L" * 500):
        resp = client.post(
            "/staff/admin/api-keys", data={"csrf_token": token, "label": label, "agency_id": ""}
        )
        no_server_error(resp, "api key label")
    with services.sessions() as db:
        me = db.scalars(select(StaffUser)).first()
        assert me is not None
        user_id = me.id
    for data in (
        {"role": NUL},
        {"agency_id": NUL, "role": "agency"},
        {"wards": NUL},
        {"new_password": NUL * 20},
    ):
        resp = client.post(
            f"/staff/admin/users/{user_id}", data={"csrf_token": token, "active": "yes", **data}
        )
        no_server_error(resp, str(data))
    with services.sessions() as db:
        assert all("\x00" not in (e.detail or {}).__repr__() for e in db.scalars(select(AuditEvent)))


def test_sign_in_with_odd_input_never_fails(services, client):
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    for email, password in ((NUL, NUL), ("x" * 5000, "y"), ("a@b.c", "p" * 100_000)):
        resp = client.post("/staff/login", data={"csrf_token": token, "email": email, "password": password})
        no_server_error(resp, email[:20])


@pytest.mark.parametrize(
    "query", ["q=" + "Bore Street " * 400, "q=%00", "q=" + "\u202e" * 50, "q=" + "9" * 400]
)
def test_place_lookup_answers_odd_queries_without_a_server_error(services, client, query):
    no_server_error(client.get(f"/api/v1/places/resolve?{query}", headers=INTERNAL), query[:20])


@pytest.mark.parametrize(
    "changes",
    [
        {"submission_id": "9" * 39},
        {"conversation_id": "c" * 80, "submission_id": "x" * 39},
        {"landlord": "L" * 80, "tenure": "social_rent"},
        {"hate": True, "hate_motivation": "h" * 40},
        {"postcode": "WS13 6" + "Z" * 4},
        {"location": "\u0000" * 500},
        {"description": "d" * 5000, "occurred": "o" * 300},
        {"needs": ["mental_health"] * 4},
    ],
)
def test_intake_at_its_limits_files_or_refuses_without_a_server_error(services, client, changes):
    body: dict[str, Any] = {
        "conversation_id": "web-limits-0000001",
        "submission_id": "1",
        "channel": "web",
        "asb_type": "noise",
        "description": "Loud music at night.",
        "location": "Bore Street",
        "contact": {"wants_updates": True, "anonymous": False, "text_safe": True},
    }
    body.update(changes)
    resp = client.post("/api/v1/intake", json=body, headers=INTERNAL)
    no_server_error(resp, str(changes)[:60])
