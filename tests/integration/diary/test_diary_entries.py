"""Residents add "it's happening again" to their own report: who may, what it changes, who is told.

Every test runs on SQLite and PostgreSQL with the clock fixed at Wed 18 Nov 2026 10:00 UTC.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from casework.conversation import confirm_phone, get_or_create_sms_contact
from casework.core.bootstrap import Services
from casework.core.models import AuditEvent, DiaryEntry, OutboxMessage, Report, ReportEvent
from casework.diary import (
    ChooseReport,
    DiaryReportClosed,
    DiaryReportNotFound,
    DiaryRequest,
    add_diary_entry,
)
from casework.intake import file_report, link_reports, parse_intake
from casework.intake.contract import IntakeResult
from casework.staff import Actor
from casework.staff.inbox import list_reports, parse_filters

_ids = itertools.count(1)


def sms_sender(services: Services, phone: str) -> str:
    with services.sessions() as s:
        contact = get_or_create_sms_contact(
            s, phone=phone, key=services.settings.SENDER_ID_KEY, now=services.clock.now()
        )
        confirm_phone(contact, now=services.clock.now())  # it texted us, as at the SMS door
        s.commit()
        return contact.sender_id


def file(services: Services, sender: str, **changes: Any) -> IntakeResult:
    body: dict[str, Any] = {
        "conversation_id": sender,
        "submission_id": f"sub-{next(_ids)}",
        "channel": "sms" if sender.startswith("sms-") else "web",
        "asb_type": "noise",
        "description": "Loud music until 3am.",
        "location": "Bore Street, Lichfield",
        "occurred": "last night",
        "contact": {"wants_updates": True, "anonymous": False, "text_safe": True},
    }
    body.update(changes)
    intake = parse_intake(body)
    return file_report(
        sessions=services.sessions,
        intake=intake,
        partnership=services.partnership,
        now=services.clock.now(),
        contact_sender_id=intake.conversation_id,
    )


def add(services: Services, sender: str, text: str, reference: str | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    req = DiaryRequest(
        conversation_id=sender,
        text=text,
        channel=kw.pop("channel", "sms"),
        reference=reference,
        occurred_text=kw.pop("occurred_text", ""),
    )
    return add_diary_entry(services.sessions, req, now=services.clock.now(), partnership=services.partnership)


def get(services: Services, model: Any, **where: Any) -> list[Any]:
    with services.sessions() as s:
        stmt = select(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return list(s.scalars(stmt.order_by(model.id)).all())


def the_report(services: Services, reference: str) -> Report:
    return get(services, Report, reference=reference)[0]


# ------------------------------------------------------------------------------------------ adding


def test_an_entry_with_the_reference_is_stored_with_when_it_happened_in_uk_time(services, clock):
    sender = sms_sender(services, "07700 900101")
    ref = file(services, sender).reference
    clock.advance(days=2)
    result = add(services, sender, f"{ref} again last night about 2am, music and shouting", reference=ref)
    assert result.reference == ref
    entry = get(services, DiaryEntry)[0]
    assert entry.text == f"{ref} again last night about 2am, music and shouting"
    assert entry.channel == "sms" and entry.created_at == clock.now()
    # Friday 20 Nov 2026 02:00 in London (GMT) is 02:00 UTC.
    assert entry.occurred_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    assert result.message.startswith(f"Thank you. I've added this to report {ref}")
    timeline = get(services, ReportEvent, kind="diary_entry")
    assert len(timeline) == 1 and timeline[0].public and timeline[0].actor == "resident"
    assert "music and shouting" in timeline[0].body and "Friday 20 November 02:00" in timeline[0].body
    assert get(services, AuditEvent, action="report.diary_entry")[0].target_id == ref


def test_without_a_reference_the_senders_only_open_report_is_used(services, clock):
    sender = sms_sender(services, "07700 900102")
    ref = file(services, sender).reference
    clock.advance(hours=5)
    assert add(services, sender, "it's happening again").reference == ref
    entry = get(services, DiaryEntry)[0]
    assert entry.occurred_at == clock.now()  # "happening" is now


def test_with_several_open_reports_the_resident_must_choose(services, clock):
    sender = sms_sender(services, "07700 900103")
    first = file(services, sender).reference
    clock.advance(days=1)
    second = file(services, sender, asb_type="litter_flytipping", description="Rubbish dumped.").reference
    with pytest.raises(ChooseReport) as chosen:
        add(services, sender, "again tonight")
    assert chosen.value.references == [second, first]
    assert get(services, DiaryEntry) == []


def test_a_reference_someone_else_made_is_answered_as_unknown_and_nothing_is_added(services):
    owner = sms_sender(services, "07700 900104")
    ref = file(services, owner).reference
    stranger = sms_sender(services, "07700 900999")
    with pytest.raises(DiaryReportNotFound):
        add(services, stranger, f"{ref} again", reference=ref)
    with pytest.raises(DiaryReportNotFound):
        add(services, stranger, "ASB-ZZZZZZ again", reference="ASB-ZZZZZZ")
    with pytest.raises(DiaryReportNotFound):
        add(services, stranger, "it's happening again")  # no report of their own
    assert get(services, DiaryEntry) == [] and get(services, ReportEvent, kind="diary_entry") == []
    assert get(services, OutboxMessage, purpose="diary_entry") == []


def test_a_closed_report_takes_no_entries(services):
    sender = sms_sender(services, "07700 900105")
    ref = file(services, sender).reference
    with services.sessions() as s:
        s.scalars(select(Report).where(Report.reference == ref)).one().status = "closed"
        s.commit()
    with pytest.raises(DiaryReportClosed):
        add(services, sender, "again", reference=ref)


# ---------------------------------------------------------------------------------- what follows


def test_the_lead_agency_is_sent_the_entry_by_email(services):
    sender = sms_sender(services, "07700 900106")
    ref = file(services, sender).reference
    add(services, sender, "music again at 11pm", reference=ref)
    [row] = get(services, OutboxMessage, purpose="diary_entry")
    assert row.kind == "referral" and row.transport == "email" and row.agency_id == "ldc"
    assert row.recipient == "asb-referrals@lichfielddc.example.org"
    assert row.payload["subject"].startswith(f"ASB diary entry {ref}")
    assert "music again at 11pm" in row.body and "When it happened: music again at 11pm" not in row.body


def test_a_webhook_agency_gets_a_signed_event_and_an_open311_agency_a_request_update(services):
    police_sender = sms_sender(services, "07700 900107")
    police_ref = file(
        services, police_sender, asb_type="vehicle_nuisance", description="Bikes racing."
    ).reference
    add(services, police_sender, "bikes again tonight", reference=police_ref)
    [hook] = get(services, OutboxMessage, purpose="diary_entry")
    assert hook.transport == "webhook" and hook.agency_id == "staffs-police"
    assert hook.payload["document"]["event"] == "diary_entry"
    assert hook.payload["document"]["entry"]["text"] == "bikes again tonight"
    # An Open311 agency: the update names the agency's own id from its answer to the referral.
    with services.sessions() as s:
        r = s.scalars(select(Report).where(Report.reference == police_ref)).one()
        r.lead_agency = "staffs-cc"
        s.add(
            OutboxMessage(
                kind="referral",
                transport="open311",
                purpose="referral_new",
                report_id=r.id,
                agency_id="staffs-cc",
                recipient="x",
                body="",
                payload={},
                status="delivered",
                attempts=1,
                next_attempt_at=services.clock.now(),
                provider_id="SCC-991",
                needs_attention=False,
                created_at=services.clock.now(),
                updated_at=services.clock.now(),
            )
        )
        s.commit()
    add(services, police_sender, "again", reference=police_ref)
    rows = [m for m in get(services, OutboxMessage, purpose="diary_entry") if m.agency_id == "staffs-cc"]
    assert rows[0].transport == "open311" and rows[0].recipient.endswith("/servicerequestupdates.json")
    assert rows[0].payload["fields"]["service_request_id"] == "SCC-991"
    assert rows[0].payload["fields"]["update_id"].startswith("diary-")


def test_entries_count_towards_the_case_review_and_the_resident_is_told_when_it_is_reached(services, clock):
    sender = sms_sender(services, "07700 900108")
    ref = file(services, sender).reference
    clock.advance(days=3)
    first = add(services, sender, "again last night", reference=ref)
    assert first.case_review["status"] == "explain"  # the second complaint: the Case Review is explained
    clock.advance(days=3)
    second = add(services, sender, "again, 1am", reference=ref)
    assert second.case_review["status"] == "eligible"
    assert "You can now ask for an ASB Case Review" in (second.case_review["message"] or "")
    report = the_report(services, ref)
    assert report.case_review_eligible and report.diary_count == 2
    [text] = get(services, OutboxMessage, purpose="case_review")
    assert text.status == "pending" and ref in text.body and "noise" not in text.body.lower()
    assert get(services, ReportEvent, kind="case_review_eligible")
    clock.advance(days=1)
    assert add(services, sender, "again", reference=ref).case_review["status"] == "none"  # told once
    assert len(get(services, OutboxMessage, purpose="case_review")) == 1


def test_an_entry_made_long_after_the_behaviour_does_not_qualify(services, clock):
    sender = sms_sender(services, "07700 900109")
    ref = file(services, sender).reference
    add(services, sender, "it happened on 1 September as well", reference=ref, occurred_text="1 September")
    clock.advance(days=1)
    # Report + one qualifying entry = 2: explained, not eligible.
    assert add(services, sender, "and again last night", reference=ref).case_review["status"] != "eligible"


def test_entries_make_a_repeat_victim(services, clock):
    sender = sms_sender(services, "07700 900110")
    ref = file(services, sender).reference
    assert the_report(services, ref).repeat_victim_count == 1
    clock.advance(days=1)
    add(services, sender, "again", reference=ref)
    assert the_report(services, ref).repeat_victim_count == 2
    assert get(services, ReportEvent, kind="repeat_victim")
    # A later report from the same number counts the diary entry too.
    clock.advance(days=1)
    later = file(services, sender, asb_type="litter_flytipping", description="Bags dumped.").reference
    assert the_report(services, later).repeat_victim_count == 3


def test_an_overdue_report_with_a_new_entry_goes_back_to_the_top_of_the_inbox(services, clock):
    sender = sms_sender(services, "07700 900111")
    old = file(services, sender).reference
    clock.advance(days=10)  # past the 5 working day target: overdue
    other = sms_sender(services, "07700 900112")
    newer = file(services, other, asb_type="graffiti", description="Tags on the wall.").reference
    actor = Actor(user_id=1, role="triage")
    with services.sessions() as s:
        page = list_reports(s, actor=actor, filters=parse_filters({}), now=clock.now())
    assert [r.reference for r in page.rows][:2] == [newer, old]
    clock.advance(hours=1)
    add(services, sender, "again last night", reference=old)
    with services.sessions() as s:
        page = list_reports(s, actor=actor, filters=parse_filters({}), now=clock.now())
    top = page.rows[0]
    assert top.reference == old
    assert {"overdue", "new-diary", "diary"} <= {b.code for b in top.badges}


def test_an_entry_on_a_linked_duplicate_goes_to_the_primarys_lead_and_lifts_the_primary(services, clock):
    a = sms_sender(services, "07700 900113")
    b = sms_sender(services, "07700 900114")
    primary = file(services, a, location="Stowe Street, Lichfield").reference
    clock.advance(days=3)
    dup = file(
        services, b, asb_type="graffiti", description="Paint.", location="Cross Keys, Lichfield"
    ).reference
    with services.sessions() as s:
        dup_row = s.scalars(select(Report).where(Report.reference == dup)).one()
        primary_row = s.scalars(select(Report).where(Report.reference == primary)).one()
        link_reports(
            s,
            duplicate=dup_row,
            primary=primary_row,
            now=clock.now(),
            actor="staff:1",
            partnership=services.partnership,
        )
        s.commit()
    clock.advance(hours=1)
    add(services, b, "again", reference=dup)
    [row] = get(services, OutboxMessage, purpose="diary_entry")
    assert row.payload["document"]["reference"] == primary and row.payload["document"]["added_to"] == dup
    assert the_report(services, primary).last_activity_at == clock.now()
