"""After sending: stale claims settled with the provider, and delivery receipts applied forward only."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.models import OutboxMessage
from casework.core.states import OutboxStatus
from casework.messaging.send_types import (
    DEFAULT_POLICY,
    TERMINAL_FAILURES,
    Claimed,
    Receipt,
    RetryPolicy,
    SendFailure,
    advances,
)
from casework.messaging.sending import _mark_sent, _snapshot, apply_failure


def stale_claims(session: Session, *, now: datetime, lease: timedelta, limit: int = 100) -> list[Claimed]:
    """Rows left ``sending`` longer than the lease (their process died or lost the outcome)."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - lease)
        .order_by(OutboxMessage.claimed_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_snapshot(row) for row in session.scalars(stmt)]


def known_provider_ids(session: Session, candidates: list[str]) -> set[str]:
    """Which of these provider ids are already recorded on some outbox row."""
    if not candidates:
        return set()
    return set(
        session.scalars(select(OutboxMessage.provider_id).where(OutboxMessage.provider_id.in_(candidates)))
    )


def resolve_stale(
    session: Session,
    message_id: int,
    *,
    claimed_by: str,
    found_provider_id: str | None,
    checked: bool,
    now: datetime,
    note: str | None = None,
) -> str:
    """Settle a stale claim: sent (found at the provider), re-queued (not there) or left for later.

    ``checked`` says whether the provider could be asked (SMS: listing recent messages to the number).
    For transports that cannot be asked (email, webhooks) ``checked`` is False and the row is re-queued
    with a note, so a possible repeat is recorded on the row, never silent.
    """
    row = session.get(OutboxMessage, message_id, with_for_update=True)
    if row is None or row.status != OutboxStatus.SENDING or row.claimed_by != claimed_by:
        return "moved_on"
    if row.provider_id:
        # A status callback (which carries the outbox id) already told us the provider has it.
        _mark_sent(
            row,
            Receipt(provider_id=row.provider_id, note="confirmed by delivery receipt after a restart"),
            now,
        )
        return "sent"
    if found_provider_id:
        _mark_sent(
            row,
            Receipt(provider_id=found_provider_id, note="confirmed with the provider after a restart"),
            now,
        )
        return "sent"
    if checked:
        row.status = OutboxStatus.PENDING
        row.next_attempt_at = now
        row.claimed_by = None
        row.error_message = "interrupted before the provider received it; re-queued"
        row.updated_at = now
        return "requeued"
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = now
    row.claimed_by = None
    row.error_message = (
        note or "interrupted mid-send; re-sent (the receiver may see it twice: same delivery id)"
    )
    row.updated_at = now
    return "requeued_unverified"


# ---------------------------------------------------------------------------------------- delivery receipts

# Twilio's message states in order; delivery state only moves forward. failed/undelivered are terminal.


class UnknownMessage(Exception):
    """A delivery receipt names no outbox row we know."""


def record_delivery_status(
    session: Session,
    *,
    message_sid: str,
    status: str,
    now: datetime,
    outbox_id: int | None = None,
    error_code: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> str:
    """Apply a delivery receipt (idempotent, forward only); returns what happened in a word."""
    status = status.strip().lower()
    row = session.get(OutboxMessage, outbox_id, with_for_update=True) if outbox_id else None
    earlier = (row.payload or {}).get("earlier_provider_ids", []) if row is not None else []
    if row is not None and (message_sid in earlier or (row.provider_id and row.provider_id != message_sid)):
        # A receipt for an earlier attempt of a re-sent message: note nothing, change nothing.
        return "stale"
    if row is None:
        row = session.scalar(
            select(OutboxMessage).where(OutboxMessage.provider_id == message_sid).with_for_update()
        )
    if row is None:
        raise UnknownMessage(message_sid)
    if row.provider_id is None:
        row.provider_id = message_sid  # the idempotency marker: proves the provider has this row's message
    if not advances(row.delivery_status, status):
        return "ignored"
    row.delivery_status = status
    row.updated_at = now
    if status in ("delivered", "read") and row.status == OutboxStatus.SENT:
        row.status = OutboxStatus.DELIVERED
    if status in TERMINAL_FAILURES and row.status in (OutboxStatus.SENT, OutboxStatus.DELIVERED):
        failure = SendFailure(
            f"delivery {status}" + (f" (Twilio error {error_code})" if error_code else ""), code=error_code
        )
        outcome = apply_failure(session, row, failure, now=now, policy=policy)
        if outcome == "retry":
            # A fresh attempt gets a fresh provider id; receipts for this one become stale.
            row.payload = {
                **(row.payload or {}),
                "earlier_provider_ids": [
                    *(row.payload or {}).get("earlier_provider_ids", []),
                    row.provider_id,
                ],
            }
            row.provider_id = None
            row.delivery_status = None
            row.sent_at = None
        return outcome
    return "updated"
