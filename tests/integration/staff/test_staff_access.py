"""Staff access: the role matrix (every role against every page and action), lockout, CSRF and audit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casework.core.models import AuditEvent, ReportEvent, StaffUser
from casework.staff.accounts import api_key_is_valid, staff_for_token
from tests.factories import PASSWORD, cheap_password_hashing, make_report, make_staff
from tests.integration.staff.test_inbox_pages import csrf_from, sign_in


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


@pytest.fixture
def world(services):  # type: ignore[no-untyped-def]
    """One account per role, a report led by the District Council and one led by the police."""
    with services.sessions() as db:
        accounts = {role: make_staff(db, role).email for role in ("admin", "triage", "agency", "viewer")}
        ldc = make_report(db, lead_agency="ldc").reference
        police = make_report(db, lead_agency="staffs-police", asb_type="rowdy_behaviour").reference
        db.commit()
    return {"accounts": accounts, "ldc": ldc, "police": police}


def requests_for(world):  # type: ignore[no-untyped-def]
    """Every page and action, as (name, method, path, form)."""
    ldc, police = world["ldc"], world["police"]
    return [
        ("inbox", "GET", "/staff/inbox", None),
        ("own report", "GET", f"/staff/reports/{ldc}", None),
        ("other agency's report", "GET", f"/staff/reports/{police}", None),
        ("dashboard", "GET", "/staff/dashboard", None),
        ("imports", "GET", "/staff/imports", None),
        ("users", "GET", "/staff/admin/users", None),
        ("api keys", "GET", "/staff/admin/api-keys", None),
        ("export", "GET", "/staff/export.csv", None),
        ("note on own report", "POST", f"/staff/reports/{ldc}/note", {"message": "Called the reporter."}),
        ("note on other's report", "POST", f"/staff/reports/{police}/note", {"message": "Called."}),
        ("close other's report", "POST", f"/staff/reports/{police}/close", {"outcome": "Done."}),
        ("send again on other's report", "POST", f"/staff/reports/{police}/resend", {"message_id": "1"}),
        ("issue api key", "POST", "/staff/admin/api-keys", {"label": "Bromford system"}),
        (
            "create user",
            "POST",
            "/staff/admin/users",
            {"email": "new@example.org", "name": "New", "password": "a-long-password", "role": "viewer"},
        ),
    ]


EXPECTED = {
    "anonymous": {
        "inbox": 302,
        "own report": 302,
        "other agency's report": 302,
        "dashboard": 302,
        "imports": 302,
        "users": 302,
        "api keys": 302,
        "export": 302,
        "note on own report": 302,
        "note on other's report": 302,
        "close other's report": 302,
        "send again on other's report": 302,
        "issue api key": 302,
        "create user": 302,
    },
    "admin": {
        "inbox": 403,
        "own report": 403,
        "other agency's report": 403,
        "dashboard": 200,
        "imports": 200,
        "users": 200,
        "api keys": 200,
        "export": 403,
        "note on own report": 403,
        "note on other's report": 403,
        "close other's report": 403,
        "send again on other's report": 403,
        "issue api key": 201,
        "create user": 303,
    },
    "triage": {
        "inbox": 200,
        "own report": 200,
        "other agency's report": 200,
        "dashboard": 200,
        "imports": 200,
        "users": 403,
        "api keys": 403,
        "export": 200,
        "note on own report": 303,
        "note on other's report": 303,
        "close other's report": 303,
        "send again on other's report": 303,
        "issue api key": 403,
        "create user": 403,
    },
    "agency": {
        "inbox": 200,
        "own report": 200,
        "other agency's report": 404,
        "dashboard": 200,
        "imports": 403,
        "users": 403,
        "api keys": 403,
        "export": 200,
        "note on own report": 303,
        "note on other's report": 404,
        "close other's report": 404,
        "send again on other's report": 404,
        "issue api key": 403,
        "create user": 403,
    },
    "viewer": {
        "inbox": 403,
        "own report": 403,
        "other agency's report": 403,
        "dashboard": 200,
        "imports": 403,
        "users": 403,
        "api keys": 403,
        "export": 403,
        "note on own report": 403,
        "note on other's report": 403,
        "close other's report": 403,
        "send again on other's report": 403,
        "issue api key": 403,
        "create user": 403,
    },
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_role_matrix(role, services, client, world):  # type: ignore[no-untyped-def]
    if role == "anonymous":
        token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    else:
        assert sign_in(client, world["accounts"][role]).status_code == 302
        token = csrf_from(client.get("/staff/dashboard").get_data(as_text=True))
    got = {}
    for name, method, path, form in requests_for(world):
        if method == "GET":
            got[name] = client.get(path).status_code
        else:
            got[name] = client.post(path, data={**form, "csrf_token": token}).status_code
    assert got == EXPECTED[role]


def test_agency_officer_inbox_lists_only_reports_referred_to_their_agency(services, client, world):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        copied = make_report(db, lead_agency="staffs-police", copied_agencies=["ldc"]).reference
        db.commit()
    sign_in(client, world["accounts"]["agency"])
    html = client.get("/staff/inbox").get_data(as_text=True)
    assert world["ldc"] in html and copied in html
    assert world["police"] not in html
    assert client.get(f"/staff/reports/{copied}").status_code == 200


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(services, client, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    for _ in range(5):
        assert sign_in(client, email, "wrong password!").status_code == 401
    locked = sign_in(client, email)  # the right password no longer works
    assert locked.status_code == 401 and "locked" in locked.get_data(as_text=True)
    clock.advance(minutes=14)
    assert sign_in(client, email).status_code == 401
    clock.advance(minutes=2)
    assert sign_in(client, email).status_code == 302
    with services.sessions() as db:
        actions = [a.action for a in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert (
        actions.count("login.failed") == 5 and actions.count("login.locked") == 2 and actions[-1] == "login"
    )


def test_unknown_email_and_wrong_password_get_the_same_answer(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    wrong = sign_in(client, email, "not the password").get_data(as_text=True)
    unknown = sign_in(client, "nobody@example.org", "not the password").get_data(as_text=True)
    assert "Email or password not recognised." in wrong and "Email or password not recognised." in unknown


def test_forms_without_a_csrf_token_are_refused_and_change_nothing(services, client, world):  # type: ignore[no-untyped-def]
    refused = client.post("/staff/login", data={"email": world["accounts"]["triage"], "password": PASSWORD})
    assert refused.status_code == 400
    sign_in(client, world["accounts"]["triage"])
    for token in (None, "forged-token"):
        data = {"message": "Sneaky note"} | ({"csrf_token": token} if token else {})
        resp = client.post(f"/staff/reports/{world['ldc']}/note", data=data)
        assert resp.status_code == 400 and "Nothing was changed" in resp.get_data(as_text=True)
    with services.sessions() as db:
        assert db.scalars(select(ReportEvent).where(ReportEvent.kind == "note")).all() == []


def test_a_deactivated_account_is_signed_out_at_its_next_request(services, client, world):  # type: ignore[no-untyped-def]
    sign_in(client, world["accounts"]["triage"])
    assert client.get("/staff/inbox").status_code == 200
    with services.sessions() as db:
        db.scalar(select(StaffUser).where(StaffUser.email == world["accounts"]["triage"])).active = False
        db.commit()
    assert client.get("/staff/inbox").status_code == 302
    assert sign_in(client, world["accounts"]["triage"]).status_code == 401


def test_sign_in_never_redirects_off_site(services, client, world):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    resp = client.post(
        "/staff/login",
        data={
            "email": world["accounts"]["triage"],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/phish",
        },
    )
    assert resp.headers["Location"] == "/staff/inbox"


def test_every_action_and_view_is_audited_with_actor_and_address(services, client, world):  # type: ignore[no-untyped-def]
    sign_in(client, world["accounts"]["triage"])
    page = client.get(f"/staff/reports/{world['ldc']}").get_data(as_text=True)
    client.post(
        f"/staff/reports/{world['ldc']}/note",
        data={"message": "Spoke to the landlord.", "csrf_token": csrf_from(page)},
    )
    client.get("/staff/export.csv")
    with services.sessions() as db:
        officer = db.scalar(select(StaffUser).where(StaffUser.email == world["accounts"]["triage"]))
        rows = db.scalars(
            select(AuditEvent).where(AuditEvent.actor == f"staff:{officer.id}").order_by(AuditEvent.id)
        ).all()
    assert [(r.action, r.target_id, r.ip) for r in rows] == [
        ("login", str(officer.id), "127.0.0.1"),
        ("report.view", world["ldc"], "127.0.0.1"),
        ("report.note", world["ldc"], "127.0.0.1"),
        ("reports.export", None, "127.0.0.1"),
    ]


def test_admin_issues_a_key_shown_once_and_stored_hashed_then_revokes_it(services, client, world):  # type: ignore[no-untyped-def]
    sign_in(client, world["accounts"]["admin"])
    token = csrf_from(client.get("/staff/admin/api-keys").get_data(as_text=True))
    issued = client.post("/staff/admin/api-keys", data={"label": "Bromford system", "csrf_token": token})
    key = re.search(r'<code id="new-key">([^<]+)</code>', issued.get_data(as_text=True)).group(1)
    assert key not in client.get("/staff/admin/api-keys").get_data(as_text=True)
    with services.sessions() as db:
        assert api_key_is_valid(db, key)
        from casework.core.models import ApiKey

        row = db.scalar(select(ApiKey))
        assert key not in row.key_hash
    client.post(f"/staff/admin/api-keys/{row.id}/revoke", data={"csrf_token": token})
    with services.sessions() as db:
        assert not api_key_is_valid(db, key)


def test_admin_issues_a_key_limited_to_one_agency_and_an_unknown_agency_is_refused(services, client, world):  # type: ignore[no-untyped-def]
    from casework.core.models import ApiKey

    sign_in(client, world["accounts"]["admin"])
    token = csrf_from(client.get("/staff/admin/api-keys").get_data(as_text=True))
    form = {"label": "Police case system", "agency_id": "staffs-police", "csrf_token": token}
    issued = client.post("/staff/admin/api-keys", data=form)
    assert issued.status_code == 201
    assert "Staffordshire Police&#39;s reports" in issued.get_data(as_text=True)
    bad = client.post("/staff/admin/api-keys", data={**form, "agency_id": "nobody"})
    assert bad.status_code == 303
    assert "not an agency of this partnership" in client.get(bad.headers["Location"]).get_data(as_text=True)
    with services.sessions() as db:
        assert [(k.label, k.agency_id) for k in db.scalars(select(ApiKey))] == [
            ("Police case system", "staffs-police")
        ]
        issued_audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "api_key.issue"))
        assert issued_audit.detail["agency"] == "staffs-police"


def test_admin_gives_an_officer_an_api_token_and_unlocks_accounts(services, client, world, clock):  # type: ignore[no-untyped-def]
    for _ in range(5):
        sign_in(client, world["accounts"]["triage"], "wrong password!")
    sign_in(client, world["accounts"]["admin"])
    token = csrf_from(client.get("/staff/admin/users").get_data(as_text=True))
    with services.sessions() as db:
        officer = db.scalar(select(StaffUser).where(StaffUser.email == world["accounts"]["triage"]))
    page = client.post(f"/staff/admin/users/{officer.id}/token", data={"csrf_token": token}).get_data(
        as_text=True
    )
    api_token = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    client.post(
        f"/staff/admin/users/{officer.id}", data={"role": "triage", "active": "yes", "csrf_token": token}
    )
    with services.sessions() as db:
        assert staff_for_token(db, api_token).email == world["accounts"]["triage"]
        assert db.get(StaffUser, officer.id).locked_until is None
    client.post("/staff/logout", data={"csrf_token": token})
    assert sign_in(client, world["accounts"]["triage"]).status_code == 302
