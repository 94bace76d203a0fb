"""Open311 security: per-sender update ids, lead-only status decisions, safe SMS numbers, scope, bad input."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.core.models import Contact, OutboxMessage, Report, ReportEvent
from casework.messaging.sending import claim_due
from casework.open311.keys import Client, check_api_key
from casework.open311.updates import post_update
from tests.e2e.test_open311 import KEY, issue_key, post_request
from tests.integration.conversation.test_sms_inbound import text

POLICE, COUNCIL = "o311_police", "o311_council"
UPDATES = "/open311/v2/servicerequestupdates.json"


def keys(services, clock) -> None:  # type: ignore[no-untyped-def]
    issue_key(services, clock, POLICE, "staffs-police")
    issue_key(services, clock, COUNCIL, "ldc")


def file(client, **fields: Any) -> str:  # type: ignore[no-untyped-def]
    resp = post_request(client, **fields)
    assert resp.status_code == 201, resp.get_json()
    return str(resp.get_json()[0]["service_request_id"])


def report(services, ref: str) -> Report:  # type: ignore[no-untyped-def]
    with services.sessions() as s:
        row = s.scalars(select(Report).where(Report.reference == ref)).one()
        s.expunge(row)
        return row


def copy_in_police(services, ref: str) -> None:  # type: ignore[no-untyped-def]
    with services.sessions() as s:
        s.scalars(select(Report).where(Report.reference == ref)).one().copied_agencies = ["staffs-police"]
        s.commit()


def pending_sms(services, phone: str = "+447700900123") -> int:  # type: ignore[no-untyped-def]
    with services.sessions() as s:
        return int(
            s.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.kind == "sms",
                    OutboxMessage.recipient == phone,
                    OutboxMessage.status == "pending",
                )
            )
            or 0
        )


def check_api_key_for(services, key: str) -> Client:  # type: ignore[no-untyped-def]
    with services.sessions() as s:
        return check_api_key(s, key, configured=set())


def post_update_uncommitted(session, services, clock, client: Client, form: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """The real update, with the session's commit held back (as if the request were still running)."""
    commit = session.commit
    session.commit = session.flush
    try:
        post_update(session, form=form, client=client, partnership=services.partnership, now=clock.now())
    finally:
        session.commit = commit


# ------------------------------------------------------------------------ 5: update_id per sender


def test_two_agencies_may_use_the_same_update_id_and_both_are_applied(client, services, clock):
    keys(services, clock)
    council_ref = file(client, api_key=COUNCIL)
    police_ref = file(client, api_key=COUNCIL, service_code="noise", address_string="Chasetown")
    with services.sessions() as s:
        s.scalars(select(Report).where(Report.reference == police_ref)).one().lead_agency = "staffs-police"
        s.commit()
    council = {"api_key": COUNCIL, "service_request_id": council_ref, "update_id": "1", "status": "fixed"}
    police = {"api_key": POLICE, "service_request_id": police_ref, "update_id": "1", "status": "fixed"}
    assert client.post(UPDATES, data=council).status_code == 201
    second = client.post(UPDATES, data=police)
    assert second.status_code == 201, second.get_json()
    assert report(services, council_ref).status == "closed"
    assert report(services, police_ref).status == "closed"
    # A partnership-wide reader sees two updates, told apart; each agency sees its own id.
    listed = client.get(UPDATES, query_string={"api_key": KEY}).get_json()
    assert len({u["update_id"] for u in listed}) == len(listed) == 2
    mine = client.get(UPDATES, query_string={"api_key": POLICE}).get_json()
    assert [(u["update_id"], u["service_request_id"]) for u in mine] == [("1", police_ref)]


def test_a_repeat_answers_as_the_first_time_and_a_reused_id_is_refused(client, services, clock):
    keys(services, clock)
    ref = file(client, api_key=COUNCIL)
    update = {
        "api_key": COUNCIL,
        "service_request_id": ref,
        "update_id": "ldc-7",
        "status": "action_scheduled",
        "description": "A team will clean it on Friday.",
    }
    first = client.post(UPDATES, data=update)
    again = client.post(UPDATES, data=update)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json() == [{"update_id": "ldc-7"}]
    reused = client.post(UPDATES, data={**update, "status": "fixed", "description": "Done."})
    assert reused.status_code == 409
    assert "ldc-7" in reused.get_json()[0]["description"]
    assert report(services, ref).status == "in_progress"
    with services.sessions() as s:
        assert s.scalar(select(func.count(ReportEvent.id)).where(ReportEvent.source == "open311")) == 1


# ------------------------------------------------------------- 6: a copied-in agency cannot decide


def test_a_copied_in_agency_cannot_hand_back_close_or_reopen_the_leads_case(client, services, clock):
    keys(services, clock)
    ref = file(client, api_key=COUNCIL)
    copy_in_police(services, ref)
    base = {"api_key": POLICE, "service_request_id": ref}
    for n, status in enumerate(["not_councils_responsibility", "fixed", "in_progress"]):
        resp = client.post(UPDATES, data={**base, "update_id": f"p{n}", "status": status})
        assert resp.status_code == 403, (status, resp.get_json())
        assert "lead" in resp.get_json()[0]["description"]
    r = report(services, ref)
    assert (r.lead_agency, r.status) == ("ldc", "open")

    # A note is welcome, and the lead's own decisions still stand.
    note = {**base, "update_id": "p9", "status": "open", "description": "We patrolled there on Friday."}
    assert client.post(UPDATES, data=note).status_code == 201
    lead = {"api_key": COUNCIL, "service_request_id": ref, "update_id": "c1", "status": "fixed"}
    assert client.post(UPDATES, data=lead).status_code == 201
    assert report(services, ref).status == "closed"
    reopen = client.post(UPDATES, data={**base, "update_id": "p10", "status": "reopen"})
    assert reopen.status_code == 403
    assert report(services, ref).status == "closed"


# ------------------------------------------------------------------------------- 8: phone numbers


def test_only_uk_mobile_numbers_are_accepted_for_texts(client, services, clock):
    keys(services, clock)
    for number in ("+33 6 12 34 56 78", "01543 123456", "+1 202 555 0143"):
        resp = post_request(client, api_key=COUNCIL, phone=number)
        assert resp.status_code == 400, number
        assert "UK mobile" in resp.get_json()[0]["description"]
    with services.sessions() as s:
        assert s.scalar(select(func.count(Report.id))) == 0
    file(client, api_key=COUNCIL, phone="+44 (0)7700 900123")
    with services.sessions() as s:
        assert s.scalars(select(Contact.phone)).all() == ["+447700900123"]


def test_a_public_site_cannot_make_us_text_a_number_that_never_texted_us(client, services):
    resp = post_request(client, phone="07700 900555")
    assert resp.status_code == 201
    notice = resp.get_json()[0]["service_notice"]
    assert pending_sms(services, "+447700900555") == 0
    with services.sessions() as s:  # kept for staff, with the reason no text went
        r = s.scalars(select(Report)).one()
        assert r.contact is not None and r.contact.phone == "+447700900555"

    # A number that has texted us gets its texts; the public answer reads the same either way.
    assert text(client, "START", frm="+447700900666").status_code == 200
    other = post_request(client, phone="07700 900666", service_code="noise", address_string="Chasetown")
    assert other.status_code == 201
    assert pending_sms(services, "+447700900666") == 1
    assert notice.split(".")[-2:] == other.get_json()[0]["service_notice"].split(".")[-2:]


def test_texts_to_one_number_are_capped_per_day(client, services, clock):
    keys(services, clock)
    for n in range(12):
        file(client, api_key=COUNCIL, service_code="noise", address_string=f"{n} Chasetown High Street")
    with services.sessions() as s, s.begin():
        claimed = claim_due(
            s,
            now=clock.now(),
            worker="w",
            limit=50,
            sms_per_number_per_day=5,
            partnership=services.partnership,
        )
    assert len([c for c in claimed.claimed if c.recipient == "+447700900123"]) == 5
    assert claimed.cancelled == 7
    clock.advance(days=1, minutes=1)
    file(client, api_key=COUNCIL, service_code="noise", address_string="Burntwood")
    with services.sessions() as s, s.begin():
        claimed = claim_due(
            s,
            now=clock.now(),
            worker="w",
            limit=50,
            sms_per_number_per_day=5,
            partnership=services.partnership,
        )
    assert len([c for c in claimed.claimed if c.kind == "sms"]) == 1


# ---------------------------------------------------------------------------- 18: tokens in scope


def test_a_token_for_another_agencys_report_is_not_found(client, services, clock):
    keys(services, clock)
    created = post_request(client, api_key=COUNCIL).get_json()[0]
    url = f"/open311/v2/tokens/{created['token']}.json"
    assert client.get(url, query_string={"api_key": COUNCIL}).status_code == 200
    refused = client.get(url, query_string={"api_key": POLICE})
    assert refused.status_code == 404 and refused.get_json()[0]["code"] == 404


# ----------------------------------------------------------------------------------- bad input


def test_nul_characters_and_huge_ids_are_open311_errors_not_server_errors(client, services, clock):
    keys(services, clock)
    ref = file(client)
    nul = post_request(client, description="Shouting\x00 all night")
    assert nul.status_code == 400 and nul.get_json()[0]["code"] == 400
    update = {"api_key": KEY, "service_request_id": ref, "update_id": "u\x001", "status": "open"}
    assert client.post(UPDATES, data=update).status_code == 400
    assert (
        client.post(UPDATES, data={**update, "update_id": "u1", "description": "a\x00b"}).status_code == 400
    )
    assert (
        client.get("/open311/v2/requests.json", query_string={"api_key": KEY, "service_code": "noi\x00se"})
    ).status_code == 400
    long_id = "9" * 200
    for url in (f"/open311/v2/requests/{long_id}.json", f"/open311/v2/tokens/{long_id}.json"):
        assert client.get(url, query_string={"api_key": KEY}).status_code == 404, url
    listed = client.get(
        "/open311/v2/requests.json", query_string={"api_key": KEY, "service_request_id": long_id}
    )
    assert listed.status_code == 200 and listed.get_json() == []
    assert client.get(f"/open311/v2/services/{long_id}.json").status_code == 404


def test_the_same_update_arriving_twice_at_once_is_applied_once_and_answered_alike(client, services, clock):
    """PostgreSQL: the second request waits on the unique index, then answers as the first did."""
    if services.engine.dialect.name != "postgresql":
        pytest.skip("row locks and unique-index waits are PostgreSQL's")
    keys(services, clock)
    ref = file(client, api_key=COUNCIL)
    update = {"service_request_id": ref, "update_id": "race-1", "status": "fixed", "description": "Removed."}
    council = check_api_key_for(services, COUNCIL)
    answers: list[Any] = []
    with services.sessions() as first:
        # The first request has applied the update but not yet committed.
        post_update_uncommitted(first, services, clock, council, update)
        second = threading.Thread(
            target=lambda: answers.append(client.post(UPDATES, data={**update, "api_key": COUNCIL}))
        )
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive()  # waiting for the first to finish
        first.commit()
    second.join(timeout=10)
    assert answers[0].status_code == 201, answers[0].get_json()
    assert answers[0].get_json() == [{"update_id": "race-1"}]
    with services.sessions() as s:
        assert s.scalar(select(func.count(ReportEvent.id)).where(ReportEvent.source == "open311")) == 1
        assert s.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.purpose == "closure")) == 1
