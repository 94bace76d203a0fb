"""The assistant's intake API over HTTP: file a report, retry safely, bad payloads named, token required."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from casework.core.models import AuditEvent, OutboxMessage, Report

TOKEN = "test-internal-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def payload(**changes: Any) -> dict[str, Any]:
    """A complete intake payload as the assistant sends it."""
    body: dict[str, Any] = {
        "conversation_id": "web-abcdefghijklmnopqrstuv",
        "submission_id": "s1",
        "channel": "web",
        "asb_type": "noise",
        "description": "Loud music every night until 3am from the house next door.",
        "location": "Bore Street, Lichfield",
        "postcode": None,
        "occurred": "last night",
        "ongoing": True,
        "reporter_role": "victim",
        "tenure": "owner",
        "landlord": None,
        "hate": False,
        "hate_motivation": None,
        "domestic_abuse": False,
        "risk": {
            "targeted": False,
            "often": "few",
            "reported_before": False,
            "prejudice": False,
            "impact": "some",
            "vulnerable": False,
        },
        "contact": {"wants_updates": True, "anonymous": False, "text_safe": True},
        "needs": [],
    }
    body.update(changes)
    return body


def test_files_a_report_and_answers_with_what_to_tell_the_resident(client, services):
    resp = client.post("/api/v1/intake", json=payload(), headers=AUTH)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["reference"].startswith("ASB-") and len(body["reference"]) == 10
    assert body["lead_agency"] == {"id": "ldc", "name": "Lichfield District Council", "phone": "01543 308000"}
    # Wed 18 Nov 2026 10:00 + 5 working days (standard risk) = Wed 25 Nov.
    assert body["respond_by"] == "2026-11-25"
    assert body["respond_by_text"] == "by Wednesday 25 November"
    assert body["linked_reference"] is None
    assert body["case_review"] == {"status": "none", "message": None}
    assert body["self_help"]
    assert body["mediation"]["name"] == "Lichfield community mediation service"
    with services.sessions() as s:
        report = s.scalar(select(Report).where(Report.reference == body["reference"]))
        assert report.ward == "Stowe" and report.lead_agency == "ldc"
        referrals = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "referral")).all()
        assert [r.agency_id for r in referrals] == ["ldc"]
        assert s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "report.filed")) == 1


def test_a_retried_submission_files_nothing_new_and_gets_the_same_answer(client, services):
    first = client.post("/api/v1/intake", json=payload(), headers=AUTH)
    again = client.post("/api/v1/intake", json=payload(), headers=AUTH)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    with services.sessions() as s:
        assert s.scalar(select(func.count(Report.id))) == 1
        assert s.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "referral")) == 1


def test_an_unknown_type_is_refused_naming_the_field(client, services):
    resp = client.post("/api/v1/intake", json=payload(asb_type="loud_noise"), headers=AUTH)
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["field"] == "asb_type"
    assert "other" in body["error"]
    with services.sessions() as s:
        assert s.scalar(select(func.count(Report.id))) == 0


def test_a_bad_nested_field_is_named_by_its_dotted_path(client):
    resp = client.post("/api/v1/intake", json=payload(risk={"often": "sometimes"}), headers=AUTH)
    assert resp.status_code == 400
    assert resp.get_json()["field"] == "risk.often"
    missing = payload()
    del missing["description"]
    resp = client.post("/api/v1/intake", json=missing, headers=AUTH)
    assert resp.status_code == 400 and resp.get_json()["field"] == "description"


def test_the_intake_api_needs_the_internal_token(client, services):
    assert client.post("/api/v1/intake", json=payload()).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.post("/api/v1/intake", json=payload(), headers=wrong).status_code == 401
    assert client.get("/api/v1/partnership", headers=wrong).status_code == 401
    with services.sessions() as s:
        assert s.scalar(select(func.count(Report.id))) == 0


def test_status_is_told_only_to_the_conversation_that_made_the_report(client):
    ref = client.post("/api/v1/intake", json=payload(), headers=AUTH).get_json()["reference"]
    own = client.get(
        "/api/v1/status",
        query_string={
            "reference": ref.lower().replace("-", " "),
            "conversation_id": "web-abcdefghijklmnopqrstuv",
        },
        headers=AUTH,
    )
    assert own.status_code == 200
    body = own.get_json()
    assert body["reference"] == ref and body["status"] == "open"
    assert body["status_text"] == "received and with Lichfield District Council"
    other = client.get(
        "/api/v1/status",
        query_string={"reference": ref, "conversation_id": "web-someoneelse12345"},
        headers=AUTH,
    )
    assert other.status_code == 404


def test_places_resolve_and_partnership_details(client):
    place = client.get("/api/v1/places/resolve", query_string={"q": "Bore St"}, headers=AUTH).get_json()
    assert place["resolved"] is True and place["ward"] == "Stowe"
    info = client.get("/api/v1/partnership", headers=AUTH).get_json()
    assert info["council"]["name"] == "Lichfield District Council"
    assert info["police_non_emergency"] == "101"
    assert "Chasetown" in info["wards"]
    assert info["case_review"]["how_to_apply"]


def _add_public_update(services, reference: str, words: str) -> None:
    from datetime import UTC, datetime

    from casework.core.models import ReportEvent

    with services.sessions() as s, s.begin():
        report = s.scalar(select(Report).where(Report.reference == reference))
        s.add(
            ReportEvent(
                report_id=report.id,
                kind="public_update",
                public=True,
                body=words,
                actor="staff:1",
                created_at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC),
            )
        )


def test_a_resident_reads_the_latest_update_with_or_without_the_reference(client, services):
    ref = client.post("/api/v1/intake", json=payload(), headers=AUTH).get_json()["reference"]
    _add_public_update(services, ref, "An officer visited and spoke to the neighbour.")
    mine = client.get(
        "/api/v1/status", query_string={"conversation_id": "web-abcdefghijklmnopqrstuv"}, headers=AUTH
    ).get_json()["reports"]
    assert [m["reference"] for m in mine] == [ref]
    assert mine[0]["latest_update"] == "An officer visited and spoke to the neighbour."
    nobody = client.get(
        "/api/v1/status", query_string={"conversation_id": "web-someoneelse12345"}, headers=AUTH
    ).get_json()
    assert nobody == {"reports": []}


def test_by_sms_an_update_is_withheld_when_texting_is_not_safe(client, services):
    sms = "sms-0123456789abcdef0123456789abcdef"
    body = payload(
        conversation_id=sms,
        channel="sms",
        domestic_abuse=True,
        asb_type="other",
        contact={"wants_updates": False, "anonymous": False, "text_safe": False},
    )
    ref = client.post("/api/v1/intake", json=body, headers=AUTH).get_json()["reference"]
    _add_public_update(services, ref, "We have arrested the person named.")
    status = client.get(
        "/api/v1/status", query_string={"reference": ref, "conversation_id": sms}, headers=AUTH
    ).get_json()
    assert status["update_withheld"] is True and status["latest_update"] is None
