"""The domain side of sending outbox rows: claim, complete, fail, reconcile and delivery receipts.

No transport lives here (no Twilio, SMTP or HTTP): the notifier's senders do the I/O and report back
through these functions, each called in its own short transaction.

Life of a row: ``pending`` (or ``held`` for quiet hours) -> ``sending`` (claimed) -> ``sent`` ->
``delivered``; ``failed`` (with ``needs_attention`` for staff) and ``cancelled`` (never allowed to go)
are final. The claim commits ``sending`` with ``claimed_by``/``claimed_at`` BEFORE any provider call,
so a process killed mid-send leaves evidence that :func:`stale_claims` finds after the lease.

Concurrency: on PostgreSQL rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED``, so any number of
notifier processes share the outbox without sending a row twice. SQLite has no row locks; run ONE
notifier process on SQLite (the conditional updates below still refuse to finish a row another process
owns, but two SQLite claimers could read the same batch).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.core.confirmed_numbers import CODE_PURPOSE, code_text_block_reason, hide_code
from casework.core.models import Contact, OutboxMessage, Report
from casework.core.states import RESENDABLE, UNSENT, OutboxStatus
from casework.messaging.notifications import sms_block_reason
from casework.messaging.referrals import refresh_safe_contact
from casework.messaging.send_types import (
    DEFAULT_POLICY,
    Claimed,
    ClaimResult,
    Receipt,
    RetryPolicy,
    SendFailure,
    advances,
)

if TYPE_CHECKING:
    from casework.partnership import Partnership, QuietHours

log = logging.getLogger(__name__)

CLAIMABLE = UNSENT
# Replies to a text the resident has just sent are part of a conversation they started; they are not
# held for quiet hours when they go out within this window (deferred replies after an assistant outage).
REPLY_PURPOSES = ("reply",)
REPLY_QUIET_HOURS_GRACE = timedelta(minutes=30)
# States of a text that has gone, or is going, to the provider: what the per-number daily cap counts.
HANDED_OVER = (OutboxStatus.SENDING, OutboxStatus.SENT, OutboxStatus.DELIVERED)


def _snapshot(row: OutboxMessage) -> Claimed:
    assert row.claimed_at is not None and row.claimed_by is not None
    return Claimed(
        id=row.id,
        kind=row.kind,
        transport=row.transport,
        purpose=row.purpose,
        recipient=row.recipient,
        body=row.body,
        payload=dict(row.payload or {}),
        report_id=row.report_id,
        contact_id=row.contact_id,
        agency_id=row.agency_id,
        attempts=row.attempts,
        claimed_at=row.claimed_at,
        claimed_by=row.claimed_by,
    )


def _sms_recheck(
    session: Session, row: OutboxMessage, now: datetime, quiet: QuietHours, tz: str
) -> str | None:
    """'cancel:<reason>', 'hold' or None (may send now): safe contact, re-checked at send time."""
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    report = session.get(Report, row.report_id) if row.report_id else None
    if row.purpose == CODE_PURPOSE:  # asked for just now: never held for quiet hours
        return None if (why := code_text_block_reason(session, row, now)) is None else f"cancel:{why}"
    if contact is not None and contact.phone and row.recipient and row.recipient != contact.phone:
        return "cancel:the number changed after this text was queued"
    if report is not None:
        reason = sms_block_reason(report, contact)
        if reason:
            return f"cancel:{reason}"
    elif contact is not None:
        if contact.sms_opted_out:
            return "cancel:number opted out (STOP)"
        if contact.number_invalid:
            return "cancel:number flagged invalid"
    if quiet.is_quiet(now, tz):
        if row.purpose in REPLY_PURPOSES and now - row.created_at <= REPLY_QUIET_HOURS_GRACE:
            return None
        return "hold"
    return None


def _over_daily_cap(session: Session, row: OutboxMessage, now: datetime, cap: int) -> bool:
    """True when the row's number has had ``cap`` texts (other than replies) in the last 24 hours."""
    if row.purpose in REPLY_PURPOSES:
        return False
    sent = session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == "sms",
            OutboxMessage.recipient == row.recipient,
            OutboxMessage.status.in_(HANDED_OVER),
            OutboxMessage.purpose.not_in(REPLY_PURPOSES),
            OutboxMessage.claimed_at > now - timedelta(days=1),
        )
    )
    return int(sent or 0) >= cap


def claim_due(
    session: Session,
    *,
    now: datetime,
    worker: str,
    partnership: Partnership,
    limit: int = 50,
    sms_per_number_per_day: int | None = None,
) -> ClaimResult:
    """Claim up to ``limit`` due rows for ``worker`` (SKIP LOCKED); re-check safe contact for SMS.

    ``sms_per_number_per_day`` caps the texts one number gets in any 24 hours (SMS pumping, floods through
    Open311): a text over the cap is cancelled, saying so. Replies to the resident's own texts are not
    counted (the inbound rate limits bound them). The caller commits; only then may the rows be sent.
    """
    quiet, tz = partnership.quiet_hours, partnership.timezone
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(CLAIMABLE), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = ClaimResult()
    for row in session.scalars(stmt):
        if row.kind == "sms":
            verdict = _sms_recheck(session, row, now, quiet, tz)
            if verdict == "hold":
                row.status = OutboxStatus.HELD
                row.next_attempt_at = quiet.next_send_time(now, tz)
                row.updated_at = now
                result.held += 1
                continue
            if verdict is not None:
                row.status = OutboxStatus.CANCELLED
                row.error_message = f"not sent: {verdict.removeprefix('cancel:')}"
                row.updated_at = now
                result.cancelled += 1
                continue
            if sms_per_number_per_day is not None and _over_daily_cap(
                session, row, now, sms_per_number_per_day
            ):
                row.status = OutboxStatus.CANCELLED
                row.error_message = f"not sent: {sms_per_number_per_day} texts to this number in 24 hours"
                row.updated_at = now
                result.cancelled += 1
                continue
        elif row.kind == "referral":
            # What the agency is told about texting the reporter is as of now, not as of queueing.
            refresh_safe_contact(session, row, partnership)
        row.status = OutboxStatus.SENDING
        row.claimed_by = worker
        row.claimed_at = now
        row.attempts = (row.attempts or 0) + 1
        row.updated_at = now
        result.claimed.append(_snapshot(row))
    session.flush()
    return result


def _owned(session: Session, message_id: int, worker: str) -> OutboxMessage | None:
    row = session.get(OutboxMessage, message_id, with_for_update=True)
    if row is None:
        return None
    if row.status != OutboxStatus.SENDING or row.claimed_by != worker:
        log.warning(
            "outbox %s is no longer ours (%s, %s); leaving it", message_id, row.status, row.claimed_by
        )
        return None
    return row


def complete(session: Session, message_id: int, *, worker: str, receipt: Receipt, now: datetime) -> bool:
    """Record a successful hand-over; False when the row is no longer this worker's to finish."""
    row = _owned(session, message_id, worker)
    if row is None:
        return False
    _mark_sent(row, receipt, now)
    return True


def _mark_sent(row: OutboxMessage, receipt: Receipt, now: datetime) -> None:
    row.status = OutboxStatus.DELIVERED if receipt.delivered else OutboxStatus.SENT
    if receipt.provider_id:
        row.provider_id = receipt.provider_id
    if receipt.delivery_status and advances(row.delivery_status, receipt.delivery_status):
        row.delivery_status = receipt.delivery_status
    if receipt.segments:
        row.segments = receipt.segments
    if receipt.encoding:
        row.encoding = receipt.encoding
    row.sent_at = row.sent_at or now
    row.body = hide_code(row.body) if row.purpose == CODE_PURPOSE else row.body
    # claimed_by stays: it records which notifier process sent the message.
    row.error_code = None
    row.needs_attention = False
    row.error_message = receipt.note
    row.updated_at = now


def _give_up(row: OutboxMessage, code: str | None, message: str, now: datetime) -> None:
    row.status = OutboxStatus.FAILED
    row.needs_attention = True
    row.error_code = code
    row.error_message = message
    row.claimed_by = None
    row.updated_at = now


def _retry(row: OutboxMessage, delay: timedelta, code: str | None, message: str, now: datetime) -> None:
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = now + delay
    row.error_code = code
    row.error_message = f"{message} (will retry at {(now + delay):%Y-%m-%d %H:%M} UTC)"
    row.claimed_by = None
    row.updated_at = now


def _flag_contact(session: Session, row: OutboxMessage, now: datetime, *, opted_out: bool = False) -> None:
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    if contact is None:
        return
    if opted_out:
        contact.sms_opted_out = True
        contact.opted_out_at = contact.opted_out_at or now
    else:
        contact.number_invalid = True
    contact.updated_at = now


def apply_failure(
    session: Session,
    row: OutboxMessage,
    failure: SendFailure,
    *,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> str:
    """Decide what a failure means for the row (and its contact); returns the outcome in a word."""
    code = failure.code
    message = failure.message
    if row.kind == "sms" and code == "21610":
        _flag_contact(session, row, now, opted_out=True)
        _give_up(row, code, "the number has opted out of texts (replied STOP to the sender)", now)
        return "opted_out"
    if row.kind == "sms" and code in ("21211", "21614", "30005", "30006"):
        _flag_contact(session, row, now)
        _give_up(row, code, f"the number is not a valid, reachable mobile number: {message}", now)
        return "invalid_number"
    if row.kind == "sms" and code == "30007":
        _give_up(row, code, f"the carrier filtered this message: wording needs review ({message})", now)
        return "wording_review"
    if row.kind == "sms" and code == "30003":
        if row.attempts < policy.unreachable_attempts:
            _retry(row, policy.delay(row.attempts), code, f"handset unreachable: {message}", now)
            return "retry"
        _give_up(row, code, f"handset unreachable after {row.attempts} attempts: {message}", now)
        return "failed"
    if failure.http_status == 429 or code in ("20429", "21611"):
        if row.attempts < policy.rate_limited_attempts:
            _retry(
                row,
                policy.delay(row.attempts, base=policy.rate_limited_base),
                code,
                f"rate limited by the provider: {message}",
                now,
            )
            return "backoff"
        _give_up(row, code, f"still rate limited after {row.attempts} attempts: {message}", now)
        return "failed"
    if failure.transient:
        if row.attempts < policy.max_attempts:
            _retry(row, policy.delay(row.attempts), code, message, now)
            return "retry"
        _give_up(row, code, f"gave up after {row.attempts} attempts: {message}", now)
        return "failed"
    _give_up(row, code, message, now)
    return "failed"


def fail(
    session: Session,
    message_id: int,
    *,
    worker: str,
    failure: SendFailure,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> str | None:
    """Record a failed hand-over: retry with backoff, back off, or mark for staff; None if not ours."""
    row = _owned(session, message_id, worker)
    if row is None:
        return None
    return _record_failure(session, row, failure, now, policy)


def _record_failure(
    session: Session, row: OutboxMessage, failure: SendFailure, now: datetime, policy: RetryPolicy
) -> str:
    if failure.outcome_unknown:
        # Leave it claimed: reconciliation after the lease looks the message up before any re-send.
        row.error_message = f"outcome unknown, will be checked with the provider: {failure.message}"
        row.updated_at = now
        return "unknown"
    return apply_failure(session, row, failure, now=now, policy=policy)


def finish_batch(
    session: Session,
    results: list[tuple[int, Receipt | SendFailure | None]],
    *,
    worker: str,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> dict[str, int]:
    """Record a batch of outcomes in one transaction (None = not attempted: give the row back).

    Rows another process has since taken over (after a lease expiry) are left alone ("moved_on").
    """
    ids = [message_id for message_id, _ in results]
    rows = {
        row.id: row
        for row in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    counts: dict[str, int] = {}
    for message_id, result in results:
        row = rows.get(message_id)
        if row is None or row.status != OutboxStatus.SENDING or row.claimed_by != worker:
            outcome = "moved_on"
        elif result is None:
            row.status = OutboxStatus.PENDING
            row.claimed_by = None
            row.attempts = max((row.attempts or 1) - 1, 0)
            row.updated_at = now
            outcome = "released"
        elif isinstance(result, Receipt):
            _mark_sent(row, result, now)
            outcome = "sent"
        else:
            outcome = _record_failure(session, row, result, now, policy)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def attention_count(session: Session) -> int:
    """How many outbox rows need staff attention (for dashboards and health)."""
    return (
        session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.needs_attention))
        or 0
    )


def requeue_for_staff(session: Session, message_id: int, *, now: datetime) -> OutboxMessage:
    """Send a failed row again after staff fixed the cause (e.g. a wording change, a new number)."""
    row = session.get(OutboxMessage, message_id, with_for_update=True)
    if row is None:
        raise LookupError(f"no outbox message {message_id}")
    if row.status not in RESENDABLE:
        raise ValueError(
            f"outbox message {message_id} is {row.status}; only failed or cancelled rows are re-sent"
        )
    row.status = OutboxStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.needs_attention = False
    row.error_code = None
    row.error_message = None
    row.updated_at = now
    return row


def pending_counts(session: Session) -> dict[str, int]:
    """Rows per status (the notifier logs this; the inbox shows it)."""
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return {status: int(n) for status, n in rows}
