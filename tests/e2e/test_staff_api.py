"""The staff API over HTTP: the contract fields, role scoping, authentication and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from casework.core.models import AuditEvent
from casework.staff.accounts import create_staff, issue_api_token

STAFF_TOKEN = "test-staff-api-token-0123456789"
INTERNAL = {"Authorization": "Bearer test-internal-token-0123456789"}
TRIAGE = {"Authorization": f"Bearer {STAFF_TOKEN}"}
CONTRACT = {
    "reference",
    "asb_type",
    "status",
    "lead_agency",
    "risk_level",
    "ward",
    "hate",
    "domestic_abuse",
    "linked_to",
    "created_at",
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"STAFF_API_TOKEN": STAFF_TOKEN}


def file(client, n: int, **changes: Any) -> str:  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {
        "conversation_id": f"web-staffapi{n:012d}",
        "submission_id": "1",
        "channel": "web",
        "asb_type": "noise",
        "description": "Loud music at night.",
        "location": "Bore Street",
        "contact": {"wants_updates": True, "anonymous": False, "text_safe": True},
    }
    body.update(changes)
    resp = client.post("/api/v1/intake", json=body, headers=INTERNAL)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["reference"]


def staff(services, role: str, agency_id: str | None = None) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with services.sessions() as s:
        user = create_staff(
            s,
            email=f"{role}{agency_id or ''}@example.org",
            name="Officer",
            role=role,
            password="a long enough password 123",
            now=services.clock.now(),
            agency_id=agency_id,
        )
        token = issue_api_token(s, user, now=services.clock.now(), actor="system")
        s.commit()
        return user.id, token


def test_the_list_has_the_contract_fields_and_linked_references(client):
    first = file(client, 1)
    second = file(client, 2)  # the same problem: linked to the first
    resp = client.get("/api/v1/reports", headers=TRIAGE)
    assert resp.status_code == 200
    body = resp.get_json()
    assert resp.headers["X-Total-Count"] == "2" and "Link" not in resp.headers
    rows = {r["reference"]: r for r in body}
    assert CONTRACT <= set(rows[first])
    assert rows[first]["lead_agency"] == "ldc" and rows[first]["linked_to"] is None
    assert rows[second]["linked_to"] == first
    assert rows[first]["ward"] == "Stowe" and rows[first]["hate"] is False
    assert rows[first]["created_at"].startswith("2026-11-18T10:00:00")
    assert "phone" not in str(body)


def test_one_report_in_full_and_an_unknown_one(client):
    ref = file(client, 3)
    resp = client.get(f"/api/v1/reports/{ref.lower()}", headers=TRIAGE)
    assert resp.status_code == 200
    body = resp.get_json()
    assert CONTRACT <= set(body)
    assert body["description"] == "Loud music at night." and body["timeline"]
    assert client.get("/api/v1/reports/ASB-222222", headers=TRIAGE).status_code == 404


def test_filters_and_pages(client):
    file(client, 4)
    police = file(client, 5, asb_type="vehicle_nuisance", location="Chasetown")
    file(client, 6, asb_type="graffiti", location="Shenstone")
    got = client.get(
        "/api/v1/reports", query_string={"lead_agency": "staffs-police"}, headers=TRIAGE
    ).get_json()
    assert [r["reference"] for r in got] == [police]
    got = client.get("/api/v1/reports", query_string={"asb_type": "graffiti"}, headers=TRIAGE).get_json()
    assert [r["asb_type"] for r in got] == ["graffiti"]
    first_page = client.get("/api/v1/reports", query_string={"per_page": 2}, headers=TRIAGE)
    next_url = first_page.headers["Link"].split(">")[0].lstrip("<")
    second_page = client.get(next_url, headers=TRIAGE)
    assert "Link" not in second_page.headers and first_page.headers["X-Total-Count"] == "3"
    page1, page2 = first_page.get_json(), second_page.get_json()
    assert len(page1) == 2 and len({r["reference"] for r in page1 + page2}) == 3
    bad = client.get("/api/v1/reports", query_string={"risk": "extreme"}, headers=TRIAGE)
    assert bad.status_code == 400 and bad.get_json()["field"] == "risk"


def test_an_agency_officer_sees_only_reports_their_agency_is_on(client, services):
    council = file(client, 7)
    police = file(client, 8, asb_type="vehicle_nuisance", location="Chasetown")
    _, token = staff(services, "agency", "staffs-police")
    headers = {"Authorization": f"Bearer {token}"}
    got = client.get("/api/v1/reports", headers=headers).get_json()
    assert [r["reference"] for r in got] == [police]
    assert client.get(f"/api/v1/reports/{council}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/reports/{police}", headers=headers).status_code == 200


def test_a_signed_in_staff_session_works_too(client, services):
    ref = file(client, 9)
    user_id, _ = staff(services, "triage")
    with client.session_transaction() as sess:
        sess["staff_user_id"] = user_id
    assert client.get(f"/api/v1/reports/{ref}").status_code == 200


def test_no_or_wrong_credentials_get_401_and_admins_get_403(client, services):
    file(client, 10)
    assert client.get("/api/v1/reports").status_code == 401
    assert client.get("/api/v1/reports", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/reports", headers=INTERNAL).status_code == 401
    _, token = staff(services, "admin")
    assert client.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_every_read_is_audited(client, services):
    ref = file(client, 11)
    client.get("/api/v1/reports", headers=TRIAGE)
    client.get(f"/api/v1/reports/{ref}", headers=TRIAGE)
    with services.sessions() as s:
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.action.like("api.%")).order_by(AuditEvent.id)
        ).all()
    assert [(r.action, r.detail.get("via")) for r in rows] == [
        ("api.reports.list", "staff_api_token"),
        ("api.report.view", "staff_api_token"),
    ]
    assert rows[0].detail["references"] == [ref] and rows[1].target_id == ref


def test_an_absurd_page_number_is_refused_not_a_server_error(client):
    resp = client.get("/api/v1/reports", query_string={"page": 10**22}, headers=TRIAGE)
    assert resp.status_code == 400 and resp.get_json()["field"] == "page"


def test_dates_outside_any_plausible_range_are_refused_not_a_server_error(client):
    for name, value in (("to", "9999-12-31"), ("from", "0001-01-01")):
        resp = client.get("/api/v1/reports", query_string={name: value}, headers=TRIAGE)
        assert resp.status_code == 400 and resp.get_json()["field"] == name
