"""The retention job: closed reports anonymised after the period; old conversations and trackers deleted."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from casework.conversation.contacts import get_or_create_sms_contact, set_phone
from casework.core.bootstrap import Services
from casework.core.models import AuditEvent, ChatTurn, Contact, InboundSms, OutboxMessage, Report, ReportEvent
from casework.intake.contract import Intake
from casework.intake.filing import file_report
from casework.messaging.outbox import enqueue
from casework.privacy.retention import REMOVED, postcode_sector, run_retention

PHONE = "+447700900123"


def file_sms_report(
    services: Services, *, phone: str = PHONE, submission: str = "1", **fields: object
) -> Report:
    """File a report through the real intake service, from an SMS contact who wants updates."""
    now = services.clock.now()
    with services.sessions() as session:
        contact = get_or_create_sms_contact(
            session, phone=phone, key=services.settings.SENDER_ID_KEY, now=now
        )
        session.commit()
        intake = Intake.model_validate(
            {
                "conversation_id": contact.sender_id,
                "submission_id": submission,
                "channel": "sms",
                "asb_type": "noise",
                "description": "Mrs Smith at number 12 plays loud music every night",
                "location": "12 Dam Street, Lichfield",
                "postcode": "WS13 6AA",
                "occurred": "last night",
                "risk": {"targeted": True, "impact": "severe"},
                "contact": {"wants_updates": True, "text_safe": True},
                **fields,
            }
        )
        result = file_report(
            sessions=services.sessions,
            intake=intake,
            partnership=services.partnership,
            now=now,
            contact_sender_id=contact.sender_id,
        )
        return session.scalars(select(Report).where(Report.reference == result.reference)).one()


def close(services: Services, reference: str, *, days_ago: int) -> None:
    """Mark a report closed some days before the clock's now."""
    with services.sessions() as session, session.begin():
        report = session.scalars(select(Report).where(Report.reference == reference)).one()
        report.status = "closed"
        report.outcome = "Spoke to Mrs Smith; warning letter sent"
        report.closed_at = services.clock.now() - timedelta(days=days_ago)
        session.add(
            ReportEvent(
                report_id=report.id,
                kind="status_changed",
                actor="staff:1",
                body="Closed after visiting Mrs Smith",
                data={"from": "accepted", "to": "closed", "note": "Mrs Smith"},
                created_at=services.clock.now(),
            )
        )


def get(services: Services, reference: str) -> Report:
    with services.sessions() as session:
        return session.scalars(select(Report).where(Report.reference == reference)).one()


def test_a_report_closed_longer_than_two_years_ago_is_anonymised_but_still_counted(
    services: Services,
) -> None:
    report = file_sms_report(services)
    close(services, report.reference, days_ago=731)

    result = run_retention(services)

    assert result.reports_anonymised == 1
    after = get(services, report.reference)
    assert after.description == REMOVED
    assert after.location_text == "" and after.occurred_text == ""
    assert after.transcript == [] and after.risk_answers == {} and after.risk_reasons == []
    assert "Smith" not in (after.outcome or "")
    assert after.contact_id is None and after.conversation_id is None
    assert after.postcode == "WS13 6"
    assert after.anonymised_at == services.clock.now()
    # What the statistics need stays.
    assert (after.reference, after.asb_type, after.status) == (report.reference, "noise", "closed")
    assert after.lead_agency == report.lead_agency and after.ward == report.ward
    assert after.risk_level == report.risk_level and after.created_at == report.created_at
    with services.sessions() as session:
        events = session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)).all()
        assert events and all("Smith" not in e.body and "Smith" not in str(e.data) for e in events)
        closing = [e for e in events if e.kind == "status_changed"][0]
        assert closing.data == {"from": "accepted", "to": "closed"}
        sms = session.scalars(
            select(OutboxMessage).where(OutboxMessage.report_id == report.id, OutboxMessage.kind == "sms")
        ).all()
        assert sms, "the acknowledgement SMS was queued when the report was filed"
        assert all(m.recipient == "" and m.body == "" for m in sms)
        referrals = session.scalars(
            select(OutboxMessage).where(OutboxMessage.report_id == report.id, OutboxMessage.kind != "sms")
        ).all()
        assert all("Smith" not in m.body and "Smith" not in str(m.payload) for m in referrals)


def test_reports_inside_the_period_and_open_reports_are_left_alone(services: Services) -> None:
    recent = file_sms_report(services, submission="1")
    still_open = file_sms_report(services, submission="2", asb_type="graffiti", location="Bore Street")
    close(services, recent.reference, days_ago=729)

    assert run_retention(services).reports_anonymised == 0
    assert "Mrs Smith" in get(services, recent.reference).description
    assert "Mrs Smith" in get(services, still_open.reference).description


def test_the_period_is_configurable(services: Services) -> None:
    services.settings.RETENTION_CLOSED_REPORT_DAYS = 30
    report = file_sms_report(services)
    close(services, report.reference, days_ago=31)
    run_retention(services)
    assert get(services, report.reference).description == REMOVED


def test_a_second_run_changes_nothing_and_every_run_is_audited(services: Services) -> None:
    report = file_sms_report(services)
    close(services, report.reference, days_ago=800)
    assert run_retention(services).reports_anonymised == 1
    assert run_retention(services).reports_anonymised == 0
    with services.sessions() as session:
        runs = session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.run")).all()
    assert [r.actor for r in runs] == ["system:retention", "system:retention"]
    assert runs[0].detail["reports_anonymised"] == 1 and runs[0].detail["closed_report_days"] == 730


def add_conversation(services: Services, *, phone: str, days_ago: int) -> Contact:
    """A texting resident's stored SMS and chat turns from some days ago (no report filed)."""
    when = services.clock.now() - timedelta(days=days_ago)
    with services.sessions() as session, session.begin():
        contact = get_or_create_sms_contact(
            session, phone=phone, key=services.settings.SENDER_ID_KEY, now=when
        )
        session.add(
            InboundSms(
                message_sid=f"SM{phone[-6:]}{days_ago}",
                contact_id=contact.id,
                body="hello",
                status="answered",
                reply=[],
                created_at=when,
            )
        )
        session.add(
            ChatTurn(sender_id=contact.sender_id, speaker="resident", text="my neighbour", created_at=when)
        )
        session.add(
            ChatTurn(sender_id=contact.sender_id, speaker="assistant", text="Where?", created_at=when)
        )
        enqueue(
            session,
            kind="sms",
            transport="sms",
            purpose="reply",
            now=when,
            recipient=phone,
            body="Where?",
            contact_id=contact.id,
            status="sent",
        )
    return contact


def test_stored_sms_and_chat_turns_older_than_90_days_are_deleted_with_idle_contacts(
    services: Services,
) -> None:
    old = add_conversation(services, phone="+447700900111", days_ago=91)
    new = add_conversation(services, phone="+447700900222", days_ago=10)
    with_report = file_sms_report(services, phone="+447700900333")

    result = run_retention(services)

    assert (result.inbound_sms_deleted, result.chat_turns_deleted) == (1, 2)
    assert result.sms_outbox_deleted == 1 and result.contacts_deleted == 1
    with services.sessions() as session:
        assert session.get(Contact, old.id) is None
        assert session.get(Contact, new.id) is not None
        assert session.get(Contact, with_report.contact_id) is not None
        assert session.scalar(select(func.count()).select_from(InboundSms)) == 1
        assert {t.sender_id for t in session.scalars(select(ChatTurn))} == {new.sender_id}
        assert session.scalar(select(func.count()).where(OutboxMessage.recipient == "+447700900111")) == 0


def test_a_web_contact_that_gave_a_number_keeps_it_while_its_report_is_kept(services: Services) -> None:
    with services.sessions() as session, session.begin():
        when = services.clock.now() - timedelta(days=200)
        contact = Contact(
            sender_id="web-abcdefghijklmnopqrstuv", channel="web", created_at=when, updated_at=when
        )
        session.add(contact)
        session.flush()
        set_phone(session, contact, "07700 900444", now=when)
    run_retention(services)
    with services.sessions() as session:
        # No report and nothing said for 200 days: nothing to keep the number for.
        assert session.scalar(select(Contact).where(Contact.phone == "+447700900444")) is None


def rasa_tracker_store(path: Path) -> str:
    """An SQL tracker store with Rasa 3.6's `events` table (as SQLTrackerStore creates it)."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                "action_name VARCHAR(255), data TEXT)"
            )
        )
    engine.dispose()
    return url


def add_events(url: str, sender_id: str, *timestamps: float) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for ts in timestamps:
            conn.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, '{}')"
                ),
                {"s": sender_id, "t": ts},
            )
    engine.dispose()


def test_idle_rasa_trackers_are_deleted_whole_and_active_ones_kept(
    services: Services, tmp_path: Path
) -> None:
    url = rasa_tracker_store(tmp_path / "tracker.db")
    services.settings.RASA_TRACKER_DB_URL = url
    now = services.clock.now().timestamp()
    day = 86400.0
    add_events(url, "sms-idle", now - 120 * day, now - 100 * day)
    # Started long ago but still talking: must keep every event, or the conversation would lose its state.
    add_events(url, "sms-active", now - 150 * day, now - 1 * day)

    assert run_retention(services).tracker_conversations_deleted == 1
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT sender_id, count(*) FROM events GROUP BY sender_id")).all()
    engine.dispose()
    assert rows == [("sms-active", 2)]


def test_without_a_tracker_store_the_job_says_so_and_carries_on(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    services.settings.RASA_TRACKER_DB_URL = ""
    with caplog.at_level(logging.INFO, logger="casework.privacy.retention"):
        result = run_retention(services)
    assert result.tracker_conversations_deleted is None
    assert "RASA_TRACKER_DB_URL is not set" in caplog.text


@pytest.mark.parametrize(
    ("given", "sector"),
    [("WS13 6YY", "WS13 6"), ("ws136yy", "WS13 6"), ("WS7", "WS7"), ("B1 1AA", "B1 1"), ("nonsense", None)],
)
def test_postcodes_are_cut_to_their_sector(given: str, sector: str | None) -> None:
    assert postcode_sector(given) == sector


def test_the_notifier_runs_the_retention_job_every_day(services: Services) -> None:
    from notifier.main import build_scheduler

    job = build_scheduler(services).get_job("retention")
    assert job is not None
    assert str(job.trigger) == "cron[hour='2', minute='30']"
