"""Open311 GeoReport v2 over HTTP: services, definitions, private requests, tokens and pushed updates."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select

from casework.core.models import ApiKey, AuditEvent, OutboxMessage, Report, ReportEvent

KEY = "test-open311-key"


def post_request(client, **fields: Any):  # type: ignore[no-untyped-def]
    form = {
        "api_key": KEY,
        "service_code": "graffiti",
        "description": "Spray paint all over the bus shelter.",
        "address_string": "Bore Street, Lichfield WS13 6LJ",
        "phone": "07700 900123",
        "attribute[when]": "this morning",
        "attribute[ongoing]": "no",
        "attribute[hate]": "no",
        "attribute[reporter_role]": "witness",
        "attribute[people_description]": "Two people in dark hoodies",
    }
    form.update({k: v for k, v in fields.items() if v is not None})
    for k in [k for k, v in fields.items() if v is None]:
        form.pop(k, None)
    return client.post("/open311/v2/requests.json", data=form)


def test_services_are_the_asb_types_grouped_by_nsir_class(client):
    resp = client.get("/open311/v2/services.json")
    assert resp.status_code == 200
    services = {s["service_code"]: s for s in resp.get_json()}
    assert len(services) == 19
    assert services["graffiti"]["group"] == "environmental"
    assert services["intimidation_harassment"]["group"] == "personal"
    assert services["noise"]["metadata"] is True and services["noise"]["type"] == "realtime"


def test_a_service_definition_lists_the_extra_questions(client):
    body = client.get("/open311/v2/services/noise.json").get_json()
    assert body["service_code"] == "noise"
    codes = [a["code"] for a in body["attributes"]]
    assert codes == ["when", "ongoing", "hate", "reporter_role", "people_description"]
    role = next(a for a in body["attributes"] if a["code"] == "reporter_role")
    assert [v["key"] for v in role["values"]] == ["victim", "witness", "on_behalf"]
    missing = client.get("/open311/v2/services/parking.json")
    assert missing.status_code == 404 and missing.get_json()[0]["code"] == 404


def test_posting_a_request_needs_an_api_key(client, services):
    resp = post_request(client, api_key=None)
    assert resp.status_code == 403
    assert resp.get_json()[0]["code"] == 403
    assert post_request(client, api_key="wrong").status_code == 403
    with services.sessions() as s:
        assert s.scalar(select(func.count(Report.id))) == 0


def test_a_posted_request_is_filed_routed_and_acknowledged(client, services):
    resp = post_request(client)
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()[0]
    ref = created["service_request_id"]
    assert ref.startswith("ASB-") and created["token"]
    with services.sessions() as s:
        r = s.scalars(select(Report).where(Report.reference == ref)).one()
        assert r.channel == "open311" and r.ward == "Stowe" and r.lead_agency == "ldc"
        assert r.reporter_role == "witness" and "dark hoodies" in r.description
        sms = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sms")).all()
        assert [m.purpose for m in sms] == ["ack"] and sms[0].recipient == "+447700900123"
    one = client.get(f"/open311/v2/requests/{ref}.json", query_string={"api_key": KEY}).get_json()
    assert one[0]["agency_responsible"] == "ldc" and one[0]["status"] == "open"
    assert one[0]["service_code"] == "graffiti" and one[0]["requested_datetime"] == "2026-11-18T10:00:00Z"
    token = client.get(
        f"/open311/v2/tokens/{created['token']}.json", query_string={"api_key": KEY}
    ).get_json()
    assert token == [{"service_request_id": ref, "token": created["token"]}]


def test_an_open311_report_of_a_known_problem_is_linked_like_a_chat_report(client):
    first = post_request(client).get_json()[0]["service_request_id"]
    second = post_request(client, phone="07700 900124").get_json()[0]
    assert "already being dealt with" in second["service_notice"] and first in second["service_notice"]


def test_bad_requests_say_what_is_wrong(client):
    assert post_request(client, service_code="parking").get_json()[0]["code"] == 400
    resp = post_request(client, address_string=None)
    assert resp.status_code == 400 and "location" in resp.get_json()[0]["description"]
    assert post_request(client, **{"attribute[hate]": "perhaps"}).status_code == 400
    assert (
        client.get("/open311/v2/requests/ASB-222222.json", query_string={"api_key": KEY}).status_code == 404
    )
    assert client.get("/open311/v2/services.xml").status_code == 400


def test_get_requests_filters_by_code_status_and_dates(client, services, clock):
    a = post_request(client).get_json()[0]["service_request_id"]
    clock.advance(days=5)
    b = post_request(client, service_code="noise", address_string="Chasetown").get_json()[0][
        "service_request_id"
    ]
    with services.sessions() as s:
        s.scalars(select(Report).where(Report.reference == a)).one().status = "closed"
        s.commit()

    def refs(**args: str) -> list[str]:
        resp = client.get("/open311/v2/requests.json", query_string={"api_key": KEY, **args})
        assert resp.status_code == 200, resp.get_json()
        return [r["service_request_id"] for r in resp.get_json()]

    assert refs() == [b, a]
    assert refs(service_code="noise") == [b]
    assert refs(status="closed") == [a]
    assert refs(status="open") == [b]
    assert refs(start_date="2026-11-20T00:00:00Z") == [b]
    assert refs(end_date="2026-11-20T00:00:00Z") == [a]
    assert refs(service_request_id=f"{a},{b}") == [b, a]
    assert client.get("/open311/v2/requests.json").status_code == 403
    bad = client.get("/open311/v2/requests.json", query_string={"api_key": KEY, "start_date": "yesterday"})
    assert bad.status_code == 400
    with services.sessions() as s:
        assert (
            s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "open311.requests.read"))
            >= 7
        )


def test_an_issued_api_key_works_until_revoked(client, services, clock):
    with services.sessions() as s:
        row = ApiKey(
            key_hash=hashlib.sha256(b"o311_issued").hexdigest(), label="FixMyStreet", created_at=clock.now()
        )
        s.add(row)
        s.commit()
        key_id = row.id
    assert post_request(client, api_key="o311_issued").status_code == 201
    with services.sessions() as s:
        s.get(ApiKey, key_id).revoked_at = clock.now()
        s.commit()
    assert post_request(client, api_key="o311_issued").status_code == 403


def test_an_agency_update_is_applied_once_and_the_reporter_is_texted(client, services, clock):
    ref = post_request(client).get_json()[0]["service_request_id"]
    clock.advance(hours=3)
    update = {
        "api_key": KEY,
        "service_request_id": ref,
        "update_id": "ldc-991",
        "status": "action_scheduled",
        "description": "A cleansing team will remove it this week.",
        "updated_datetime": "2026-11-18T13:00:00Z",
    }
    first = client.post("/open311/v2/servicerequestupdates.json", data=update)
    assert first.status_code == 201 and first.get_json() == [{"update_id": "ldc-991"}]
    again = client.post("/open311/v2/servicerequestupdates.json", data=update)
    assert again.status_code == 200
    with services.sessions() as s:
        r = s.scalars(select(Report).where(Report.reference == ref)).one()
        assert r.status == "in_progress"
        events = s.scalars(select(ReportEvent).where(ReportEvent.source == "open311")).all()
        assert len(events) == 1 and events[0].external_id == "ldc-991" and events[0].public
        texts = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "status_update")).all()
        assert len(texts) == 1 and ref in texts[0].body and "cleansing" not in texts[0].body
    listed = client.get("/open311/v2/servicerequestupdates.json", query_string={"api_key": KEY}).get_json()
    assert [(u["update_id"], u["service_request_id"]) for u in listed] == [("ldc-991", ref)]

    clock.advance(days=2)
    closing = {**update, "update_id": "ldc-992", "status": "fixed", "description": "Removed."}
    assert client.post("/open311/v2/servicerequestupdates.json", data=closing).status_code == 201
    with services.sessions() as s:
        r = s.scalars(select(Report).where(Report.reference == ref)).one()
        assert r.status == "closed" and r.closed_at == clock.now() and r.outcome == "Removed."
        assert s.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.purpose == "closure")) == 1
    got = client.get(
        "/open311/v2/requests.json", query_string={"api_key": KEY, "status": "closed"}
    ).get_json()
    assert got[0]["status"] == "closed" and got[0]["status_notes"] == "Removed."


def test_an_update_needs_a_key_a_known_request_and_a_known_status(client):
    ref = post_request(client).get_json()[0]["service_request_id"]
    base = {"api_key": KEY, "service_request_id": ref, "update_id": "x1", "status": "fixed"}
    assert (
        client.post("/open311/v2/servicerequestupdates.json", data={**base, "api_key": ""}).status_code == 403
    )
    assert (
        client.post(
            "/open311/v2/servicerequestupdates.json", data={**base, "service_request_id": "ASB-222222"}
        ).status_code
        == 404
    )
    assert (
        client.post("/open311/v2/servicerequestupdates.json", data={**base, "status": "done"}).status_code
        == 400
    )
    assert (
        client.post("/open311/v2/servicerequestupdates.json", data={**base, "update_id": ""}).status_code
        == 400
    )


def test_not_ours_sends_the_report_back_to_triage_without_texting(client, services):
    ref = post_request(client).get_json()[0]["service_request_id"]
    update = {
        "api_key": KEY,
        "service_request_id": ref,
        "update_id": "n1",
        "status": "not_councils_responsibility",
    }
    assert client.post("/open311/v2/servicerequestupdates.json", data=update).status_code == 201
    with services.sessions() as s:
        r = s.scalars(select(Report).where(Report.reference == ref)).one()
        assert r.lead_agency == "ldc-triage" and r.status == "open"
        assert (
            s.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.purpose == "status_update"))
            == 0
        )


def test_a_date_that_cannot_be_placed_in_utc_is_a_400_not_a_server_error(client):
    resp = client.get(
        "/open311/v2/requests.json",
        query_string={"api_key": "test-open311-key", "end_date": "0001-01-01T04:00:00+04:01"},
    )
    assert resp.status_code == 400
    assert "end_date" in resp.get_json()[0]["description"]


def issue_key(services, clock, plain: str, agency_id: str | None) -> None:  # type: ignore[no-untyped-def]
    with services.sessions() as s:
        s.add(
            ApiKey(
                key_hash=hashlib.sha256(plain.encode()).hexdigest(),
                label=f"{agency_id} system",
                agency_id=agency_id,
                created_at=clock.now(),
            )
        )
        s.commit()


def test_an_agency_key_reaches_only_that_agencys_reports(client, services, clock):
    issue_key(services, clock, "o311_police", "staffs-police")
    issue_key(services, clock, "o311_council", "ldc")
    ref = post_request(client).get_json()[0]["service_request_id"]
    mine = client.get(f"/open311/v2/requests/{ref}.json", query_string={"api_key": "o311_council"}).get_json()
    assert mine[0]["agency_responsible"] == "ldc"  # graffiti on a street: the District Council leads

    # The police system cannot read it, list it, or change it: to that key it does not exist.
    assert (
        client.get(f"/open311/v2/requests/{ref}.json", query_string={"api_key": "o311_police"}).status_code
        == 404
    )
    listed = client.get("/open311/v2/requests.json", query_string={"api_key": "o311_police"}).get_json()
    assert ref not in [r["service_request_id"] for r in listed]
    update = {"service_request_id": ref, "update_id": "pol-1", "status": "fixed", "description": "Done."}
    refused = client.post("/open311/v2/servicerequestupdates.json", data={**update, "api_key": "o311_police"})
    assert refused.status_code == 404
    with services.sessions() as s:
        assert s.scalars(select(Report).where(Report.reference == ref)).one().status == "open"

    # The council's system, which leads it, can.
    council = {**update, "update_id": "ldc-1", "status": "action_scheduled", "api_key": "o311_council"}
    assert client.post("/open311/v2/servicerequestupdates.json", data=council).status_code == 201
    theirs = client.get("/open311/v2/servicerequestupdates.json", query_string={"api_key": "o311_council"})
    assert [u["service_request_id"] for u in theirs.get_json()] == [ref]
    others = client.get("/open311/v2/servicerequestupdates.json", query_string={"api_key": "o311_police"})
    assert others.get_json() == []
