"""The diary through the internal API and the staff API, retention and the resident's rights, and the
one kind reminder (never twice, never when texting is not safe)."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from casework.core.models import DiaryEntry, OutboxMessage, Report
from casework.diary import queue_diary_reminders
from casework.privacy import erase, run_retention, subject_access
from casework.staff.accounts import issue_api_token
from tests.factories import make_staff

TOKEN = "test-internal-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PHONE = "07700 900201"
_ids = itertools.count(1)


def intake(client: Any, sender: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "conversation_id": sender,
        "submission_id": f"s{next(_ids)}",
        "channel": "sms" if sender.startswith("sms-") else "web",
        "asb_type": "noise",
        "description": "Loud music every night until 3am.",
        "location": "Bore Street, Lichfield",
        "occurred": "last night",
        "contact": {"wants_updates": True, "anonymous": False, "text_safe": True},
    }
    body.update(changes)
    resp = client.post("/api/v1/intake", json=body, headers=AUTH)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def diary(client: Any, **body: Any) -> Any:
    return client.post("/api/v1/reports/diary", json={"channel": "web", **body}, headers=AUTH)


def test_the_api_adds_an_entry_and_answers_what_to_tell_the_resident(client):
    ref = intake(client, "web-aaaaaaaaaaaaaaaaaaaaaa")["reference"]
    resp = diary(
        client, conversation_id="web-aaaaaaaaaaaaaaaaaaaaaa", text="again tonight", occurred_text="now"
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["reference"] == ref and body["entry"]["text"] == "again tonight"
    assert body["entry"]["occurred_at"] and body["case_review"]["status"] == "explain"
    assert body["lead_agency_name"] == "Lichfield District Council"


def test_the_api_says_nothing_about_a_reference_the_sender_did_not_make(client):
    ref = intake(client, "web-aaaaaaaaaaaaaaaaaaaaaa")["reference"]
    theirs = diary(client, conversation_id="web-bbbbbbbbbbbbbbbbbbbbbb", reference=ref, text="again")
    unknown = diary(
        client, conversation_id="web-bbbbbbbbbbbbbbbbbbbbbb", reference="ASB-ZZZZZZ", text="again"
    )
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.get_json() == unknown.get_json()
    assert ref not in theirs.get_data(as_text=True)


def test_the_api_names_bad_fields_asks_to_choose_and_needs_the_token(client):
    assert diary(client, conversation_id="web-aaaaaaaaaaaaaaaaaaaaaa", text="").get_json()["field"] == "text"
    bad = diary(client, conversation_id="web-aaaaaaaaaaaaaaaaaaaaaa", text="x", channel="fax")
    assert bad.status_code == 400 and bad.get_json()["field"] == "channel"
    sender = "web-cccccccccccccccccccccc"
    first = intake(client, sender)["reference"]
    second = intake(client, sender, asb_type="graffiti", description="Tags.")["reference"]
    choose = diary(client, conversation_id=sender, text="again")
    assert choose.status_code == 409 and choose.get_json()["references"] == [second, first]
    assert client.post("/api/v1/reports/diary", json={}).status_code == 401


def test_staff_see_the_entries_in_the_api_and_on_the_report_page(client, services):
    ref = intake(client, "web-aaaaaaaaaaaaaaaaaaaaaa")["reference"]
    diary(client, conversation_id="web-aaaaaaaaaaaaaaaaaaaaaa", text="music again at 2am", reference=ref)
    with services.sessions() as s:
        user = make_staff(s, "triage")
        token = issue_api_token(s, user, now=services.clock.now(), actor="system")
        s.commit()
    staff = {"Authorization": f"Bearer {token}"}
    body = client.get(f"/api/v1/reports/{ref}", headers=staff).get_json()
    assert [d["text"] for d in body["diary"]] == ["music again at 2am"] and body["diary_count"] == 1
    assert any(e["kind"] == "diary_entry" for e in body["timeline"])


def test_retention_subject_access_and_erasure_cover_diary_entries(client, services, clock):
    sender = "sms-" + "d" * 40
    ref = intake(client, sender)["reference"]
    diary(
        client,
        conversation_id=sender,
        text="again at 11pm, the man at number 4",
        reference=ref,
        channel="sms",
    )
    with services.sessions() as s:
        report = s.scalars(select(Report).where(Report.reference == ref)).one()
        report.status, report.closed_at = "closed", clock.now()
        s.commit()
    clock.advance(days=services.settings.RETENTION_CLOSED_REPORT_DAYS + 1)
    run_retention(services)
    with services.sessions() as s:
        entry = s.scalars(select(DiaryEntry)).one()
        assert "number 4" not in entry.text and entry.contact_id is None and entry.anonymised_at
        assert entry.occurred_at is not None  # when it happened is kept for the figures


def test_subject_access_lists_and_erasure_clears_a_numbers_entries(services, client):
    from casework.conversation import get_or_create_sms_contact

    with services.sessions() as s:
        sender = get_or_create_sms_contact(
            s, phone=PHONE, key=services.settings.SENDER_ID_KEY, now=services.clock.now()
        ).sender_id
        s.commit()
    ref = intake(client, sender)["reference"]
    diary(client, conversation_id=sender, text="again, the man at number 4", reference=ref, channel="sms")
    with services.sessions() as s:
        found = subject_access(
            s, phone=PHONE, sender_key=services.settings.SENDER_ID_KEY, now=services.clock.now()
        )
        assert [d["text"] for d in found["diary_entries"]] == ["again, the man at number 4"]
        result = erase(
            s,
            phone=PHONE,
            sender_key=services.settings.SENDER_ID_KEY,
            now=services.clock.now(),
            include_open=True,
        )
        s.commit()
    assert result.diary_entries_erased == 1
    with services.sessions() as s:
        assert "number 4" not in s.scalars(select(DiaryEntry)).one().text


# ------------------------------------------------------------------------------------------ reminder


def sms_report(client: Any, services: Any, phone: str, **changes: Any) -> str:
    from casework.conversation import confirm_phone, get_or_create_sms_contact

    with services.sessions() as s:
        contact = get_or_create_sms_contact(
            s, phone=phone, key=services.settings.SENDER_ID_KEY, now=services.clock.now()
        )
        confirm_phone(contact, now=services.clock.now())  # it texted us, as at the SMS door
        sender = contact.sender_id
        s.commit()
    return intake(client, sender, **changes)["reference"]


def reminders(services: Any) -> list[OutboxMessage]:
    with services.sessions() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "diary_reminder")).all())


def test_one_reminder_a_week_later_where_the_self_help_says_keep_a_diary(client, services, clock):
    noise = sms_report(client, services, "07700 900301")
    sms_report(client, services, "07700 900302", asb_type="litter_flytipping", description="Bags dumped.")
    assert queue_diary_reminders(services.sessions, now=clock.now(), partnership=services.partnership) == 0
    clock.advance(days=7, minutes=1)
    assert queue_diary_reminders(services.sessions, now=clock.now(), partnership=services.partnership) == 1
    clock.advance(days=1)
    assert queue_diary_reminders(services.sessions, now=clock.now(), partnership=services.partnership) == 0
    [row] = reminders(services)
    assert row.status == "pending" and noise in row.body and "AGAIN" in row.body
    assert "noise" not in row.body.lower() and "music" not in row.body.lower()


def test_no_reminder_when_texting_is_not_safe_or_the_resident_already_added(client, services, clock):
    unsafe = sms_report(
        client,
        services,
        "07700 900303",
        contact={"wants_updates": True, "anonymous": False, "text_safe": False},
    )
    added_phone = "07700 900304"
    added = sms_report(client, services, added_phone)
    from casework.conversation import sms_sender_id

    diary(
        client,
        conversation_id=sms_sender_id("+447700900304", services.settings.SENDER_ID_KEY),
        text="again",
        reference=added,
        channel="sms",
    )
    clock.advance(days=7, minutes=1)
    assert queue_diary_reminders(services.sessions, now=clock.now(), partnership=services.partnership) == 0
    rows = reminders(services)
    assert [(r.body.split(":")[0], r.status) for r in rows] == [(f"Ref {unsafe}", "cancelled")]


def test_the_acknowledgement_says_how_to_add_an_entry_only_where_a_diary_helps(client):
    noise = intake(client, "sms-" + "e" * 40)
    assert "text AGAIN" in (noise["diary_tip"] or "")
    web = intake(
        client, "web-eeeeeeeeeeeeeeeeeeeeee", asb_type="intimidation_harassment", description="Threats."
    )
    assert "type AGAIN" in (web["diary_tip"] or "")
    litter = intake(client, "web-ffffffffffffffffffffff", asb_type="litter_flytipping", description="Bags.")
    assert litter["diary_tip"] is None


def test_a_reminder_due_in_quiet_hours_waits_until_morning_and_a_stop_cancels_it(client, services, clock):
    from casework.messaging.sending import claim_due

    sms_report(client, services, "07700 900305")
    clock.advance(days=7, hours=11)  # Wednesday 25 November, 21:00 UTC: quiet hours in London
    assert queue_diary_reminders(services.sessions, now=clock.now(), partnership=services.partnership) == 1
    with services.sessions() as s:
        result = claim_due(s, now=clock.now(), worker="w1", partnership=services.partnership)
        s.commit()
    assert result.held >= 1
    [row] = reminders(services)
    assert row.status == "held" and row.next_attempt_at.hour == 8
    with services.sessions() as s:
        from casework.core.models import Contact

        s.scalars(select(Contact).where(Contact.phone == "+447700900305")).one().sms_opted_out = True
        s.commit()
    clock.advance(hours=11)
    with services.sessions() as s:
        result = claim_due(s, now=clock.now(), worker="w1", partnership=services.partnership)
        s.commit()
    assert result.cancelled >= 1 and reminders(services)[0].status == "cancelled"
