"""The outbox relay on a real database: claims, safe-contact re-checks at send time, retries, reconciling."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from casework.core.models import Contact, OutboxMessage
from casework.messaging.notifications import notify_victim
from casework.messaging.receipts import stale_claims
from casework.messaging.send_types import SendFailure
from casework.messaging.sending import claim_due
from casework.partnership import load_partnership
from notifier.options import NotifierOptions
from notifier.relay import Relay
from notifier.sms import ConsoleSmsSender
from tests.notifier_fakes import make_contact, make_report

LICHFIELD = load_partnership("lichfield")


class FlakySender:
    """An SMS sender that fails with the given SendFailures, then succeeds."""

    def __init__(self, *failures: SendFailure) -> None:
        self.failures = list(failures)
        self.sent: list[int] = []

    def send(self, message):  # type: ignore[no-untyped-def]
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message.id)
        from casework.messaging.send_types import Receipt

        return Receipt(provider_id=f"SM{message.id}")

    def lookup(self, message):  # type: ignore[no-untyped-def]
        return [f"SM{message.id}"] if message.id in self.sent else []


def queue(services, purpose="status_update", **report_kw):  # type: ignore[no-untyped-def]
    now = services.clock.now()
    with services.sessions() as session, session.begin():
        contact = make_contact(session, now)
        report = make_report(session, now, contact=contact, **report_kw)
        row = notify_victim(session, report, purpose=purpose, now=now, partnership=services.partnership)
        assert row is not None
        return row.id, contact.id


def row(services, message_id):  # type: ignore[no-untyped-def]
    with services.sessions() as session:
        return session.get(OutboxMessage, message_id)


def relay(services, sms=None, **opts):  # type: ignore[no-untyped-def]
    return Relay(
        services, options=NotifierOptions(**opts), senders={"sms": sms or ConsoleSmsSender()}, worker="w1"
    )


def test_console_transport_logs_a_masked_number_and_marks_the_message_sent(services, caplog):
    message_id, _ = queue(services)
    with caplog.at_level(logging.INFO, logger="notifier.sms"):
        stats = relay(services).drain()
    assert stats.sent == 1
    sent = row(services, message_id)
    assert sent.status == "sent" and sent.sent_at == services.clock.now() and sent.attempts == 1
    assert sent.segments == 1 and sent.encoding == "GSM-7"
    assert "+*********123" in caplog.text and "+447700900123" not in caplog.text


def test_a_message_queued_in_quiet_hours_is_held_until_eight_in_the_morning(services, clock):
    clock.set(datetime(2026, 11, 18, 21, 30, tzinfo=UTC))  # 21:30 in London (GMT)
    message_id, _ = queue(services)
    stats = relay(services).drain()
    assert stats.sent == 0 and stats.held == 1
    held = row(services, message_id)
    assert held.status == "held"
    assert held.next_attempt_at == datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 19, 7, 59, tzinfo=UTC))
    assert relay(services).drain().sent == 0
    clock.set(datetime(2026, 11, 19, 8, 0, tzinfo=UTC))
    assert relay(services).drain().sent == 1
    assert row(services, message_id).status == "sent"


def test_quiet_hours_follow_british_summer_time(services, clock):
    clock.set(datetime(2026, 7, 1, 19, 30, tzinfo=UTC))  # 20:30 BST
    message_id, _ = queue(services)
    relay(services).drain()
    assert row(services, message_id).next_attempt_at == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)


def test_stop_received_after_queueing_wins_at_send_time(services):
    message_id, contact_id = queue(services)
    with services.sessions() as session, session.begin():
        session.get(Contact, contact_id).sms_opted_out = True
    stats = relay(services).drain()
    assert stats.sent == 0 and stats.cancelled == 1
    cancelled = row(services, message_id)
    assert cancelled.status == "cancelled" and "opted out" in cancelled.error_message


def test_domestic_abuse_report_is_not_texted_unless_texting_was_said_to_be_safe(services):
    blocked, _ = queue(services, domestic_abuse=True, text_safe=None)
    allowed, _ = queue(services, domestic_abuse=True, text_safe=True)
    relay(services).drain()
    assert row(services, blocked).status == "cancelled"
    assert "domestic abuse" in row(services, blocked).error_message
    assert row(services, allowed).status == "sent"


def test_anonymous_report_gets_no_text(services):
    message_id, _ = queue(services, anonymous=True)
    assert row(services, message_id).status == "cancelled"
    assert relay(services).drain().sent == 0


def test_transient_failure_retries_with_exponential_backoff_then_goes_to_staff(services, clock):
    message_id, _ = queue(services)
    sender = FlakySender(*[SendFailure("Twilio not reachable", transient=True) for _ in range(3)])
    r = relay(services, sender, NOTIFIER_MAX_ATTEMPTS=3)
    r.drain()
    first = row(services, message_id)
    assert first.status == "pending" and first.next_attempt_at == clock.now() + timedelta(seconds=30)
    clock.advance(seconds=30)
    r.drain()
    assert row(services, message_id).next_attempt_at == clock.now() + timedelta(seconds=60)
    clock.advance(seconds=60)
    r.drain()
    failed = row(services, message_id)
    assert (
        failed.status == "failed"
        and failed.needs_attention
        and "gave up after 3 attempts" in failed.error_message
    )
    assert sender.sent == []


@pytest.mark.parametrize(
    ("code", "outcome", "flag"),
    [
        ("21610", "failed", "sms_opted_out"),
        ("21211", "failed", "number_invalid"),
        ("30006", "failed", "number_invalid"),
        ("30007", "failed", None),
    ],
)
def test_twilio_error_codes_are_handled_by_code(services, code, outcome, flag):
    message_id, contact_id = queue(services)
    relay(services, FlakySender(SendFailure("refused", code=code, http_status=400))).drain()
    failed = row(services, message_id)
    assert failed.status == outcome and failed.needs_attention and failed.error_code == code
    with services.sessions() as session:
        contact = session.get(Contact, contact_id)
        if flag:
            assert getattr(contact, flag) is True
        else:
            assert not contact.sms_opted_out and not contact.number_invalid
            assert "wording needs review" in failed.error_message


def test_rate_limit_backs_off_without_giving_up(services, clock):
    message_id, _ = queue(services)
    relay(services, FlakySender(SendFailure("Too many requests", code="20429", http_status=429))).drain()
    waiting = row(services, message_id)
    assert waiting.status == "pending" and not waiting.needs_attention
    assert waiting.next_attempt_at == clock.now() + timedelta(minutes=1)


def test_unreachable_handset_is_retried_only_a_few_times(services, clock):
    message_id, _ = queue(services)
    sender = FlakySender(*[SendFailure("unreachable", code="30003") for _ in range(5)])
    r = relay(services, sender)
    for _ in range(3):
        r.drain()
        clock.advance(hours=1)
    failed = row(services, message_id)
    assert failed.status == "failed" and failed.attempts == 3 and "unreachable" in failed.error_message


def test_unknown_outcome_stays_sending_until_reconciled_with_the_provider(services, clock):
    message_id, _ = queue(services)
    r = relay(
        services, FlakySender(SendFailure("read timeout", outcome_unknown=True)), NOTIFIER_LEASE_SECONDS=120
    )
    r.drain()
    assert row(services, message_id).status == "sending"
    clock.advance(seconds=121)
    # The provider has no such message, so re-sending cannot duplicate it: re-queued, then sent.
    assert r.reconcile() == {"requeued": 1}
    assert row(services, message_id).status == "pending"
    r.drain()
    assert row(services, message_id).status == "sent"


def test_claims_are_disjoint_across_concurrent_transactions_on_postgresql(pg_db_url, clock):
    from casework.core.db import make_engine, make_session_factory

    engine = make_engine(pg_db_url)
    sessions = make_session_factory(engine)
    now = clock.now()
    with sessions() as session, session.begin():
        contact = make_contact(session, now)
        for _ in range(10):
            report = make_report(session, now, contact=contact)
            notify_victim(session, report, purpose="status_update", now=now)
    first, second = sessions(), sessions()
    try:
        with first.begin():
            a = claim_due(first, now=now, worker="a", limit=6, partnership=LICHFIELD)
            with second.begin():
                # The first transaction still holds its six rows: the second skips them instead of waiting.
                b = claim_due(second, now=now, worker="b", limit=6, partnership=LICHFIELD)
        ids_a = {m.id for m in a.claimed}
        ids_b = {m.id for m in b.claimed}
        assert len(ids_a) == 6 and len(ids_b) == 4 and not ids_a & ids_b
        with sessions() as session:
            statuses = session.scalars(select(OutboxMessage.claimed_by)).all()
            assert sorted(statuses) == ["a"] * 6 + ["b"] * 4
            assert stale_claims(session, now=now + timedelta(minutes=3), lease=timedelta(minutes=2))
    finally:
        first.close()
        second.close()
        engine.dispose()
