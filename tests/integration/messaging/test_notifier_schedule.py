"""Scheduled texts with a fixed clock: "still being worked on" at the cadence, surveys after closure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from casework.core.models import OutboxMessage
from casework.messaging.notifications import queue_cadence_updates, queue_surveys
from notifier.jobs import scan_schedules
from notifier.options import NotifierOptions
from notifier.relay import Relay
from notifier.sms import ConsoleSmsSender
from tests.notifier_fakes import make_contact, make_report

# Monday 2 November 2026, 10:00 UTC; ten working days later is Monday 16 November.
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def outbox(services, purpose=None):  # type: ignore[no-untyped-def]
    with services.sessions() as session:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if purpose:
            stmt = stmt.where(OutboxMessage.purpose == purpose)
        return session.scalars(stmt).all()


def open_report(services, **kw):  # type: ignore[no-untyped-def]
    with services.sessions() as session, session.begin():
        contact = make_contact(session, MONDAY)
        kw.setdefault("last_public_update_at", MONDAY)
        report = make_report(session, MONDAY, contact=contact, **kw)
        return report.id


def cadence(services):  # type: ignore[no-untyped-def]
    with services.sessions() as session, session.begin():
        return queue_cadence_updates(session, now=services.clock.now(), partnership=services.partnership)


def surveys(services):  # type: ignore[no-untyped-def]
    with services.sessions() as session, session.begin():
        return queue_surveys(session, now=services.clock.now(), partnership=services.partnership)


def test_open_report_gets_a_progress_text_after_ten_working_days_without_an_update(services, clock):
    open_report(services)
    clock.set(datetime(2026, 11, 13, 10, 0, tzinfo=UTC))  # nine working days
    assert cadence(services) == 0
    clock.set(datetime(2026, 11, 16, 10, 0, tzinfo=UTC))  # ten
    assert cadence(services) == 1
    [row] = outbox(services, "cadence")
    assert row.body.startswith("Ref ") and "still open and being worked on" in row.body
    assert cadence(services) == 0  # a re-run (or a second notifier) queues nothing more
    clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))  # nine working days after that text
    assert cadence(services) == 0
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    assert cadence(services) == 1 and len(outbox(services, "cadence")) == 2


def test_bank_holidays_do_not_count_towards_the_cadence(services, clock):
    # Friday 18 December 2026; Christmas Day and the Boxing Day substitute (Monday 28th) are not working days.
    start = datetime(2026, 12, 18, 10, 0, tzinfo=UTC)
    open_report(services, last_public_update_at=start, created_at=start)
    clock.set(datetime(2027, 1, 5, 10, 0, tzinfo=UTC))  # 18 calendar days, 9 working days
    assert cadence(services) == 0
    clock.set(datetime(2027, 1, 6, 10, 0, tzinfo=UTC))
    assert cadence(services) == 1


def test_closed_reports_and_reports_without_updates_wanted_get_no_progress_text(services, clock):
    open_report(services, status="closed", closed_at=MONDAY)
    open_report(services, wants_updates=False)
    open_report(services, anonymous=True)
    clock.set(MONDAY + timedelta(days=30))
    assert cadence(services) == 0 and outbox(services) == []


def test_progress_text_for_a_report_where_texting_is_unsafe_is_recorded_but_never_sent(services, clock):
    open_report(services, domestic_abuse=True, text_safe=None)
    clock.set(MONDAY + timedelta(days=30))
    assert cadence(services) == 0
    [row] = outbox(services, "cadence")
    assert row.status == "cancelled" and "domestic abuse" in row.error_message


def test_satisfaction_question_goes_one_month_and_six_months_after_closure_once_each(services, clock):
    closed_at = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
    open_report(services, status="closed", closed_at=closed_at)
    clock.set(datetime(2026, 4, 18, 14, 59, tzinfo=UTC))
    assert surveys(services) == 0
    clock.set(datetime(2026, 4, 18, 15, 0, tzinfo=UTC))
    assert surveys(services) == 1 and surveys(services) == 0
    clock.set(datetime(2026, 9, 18, 16, 0, tzinfo=UTC))
    assert surveys(services) == 1 and surveys(services) == 0
    assert [r.purpose for r in outbox(services)] == ["survey_1m", "survey_6m"]


def test_a_survey_is_not_sent_about_a_case_closed_long_ago(services, clock):
    open_report(services, status="closed", closed_at=datetime(2025, 1, 5, tzinfo=UTC))
    clock.set(datetime(2025, 4, 20, 10, 0, tzinfo=UTC))  # 3.5 months after closure: neither survey
    assert surveys(services) == 0


def test_survey_question_is_sent_by_the_relay_for_the_sms_edge_to_match_replies_against(services, clock):
    open_report(services, status="closed", closed_at=MONDAY)
    clock.set(MONDAY + timedelta(days=31))
    scan_schedules(services)
    Relay(services, options=NotifierOptions(), senders={"sms": ConsoleSmsSender()}, worker="w").drain()
    [sent] = outbox(services, "survey_1m")
    # /sms/inbound reads a 1-5 reply against the latest sent survey row for the contact and its report.
    assert sent.status == "sent" and sent.sent_at == clock.now() and sent.report_id is not None
    assert sent.body.endswith("Reply 1 (poor) to 5 (very good).")
