"""Outbox rows: everything the product sends is first written here, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.models import OutboxMessage
from casework.core.states import OutboxStatus


def enqueue(
    session: Session,
    *,
    kind: str,
    transport: str,
    purpose: str,
    now: datetime,
    recipient: str = "",
    body: str = "",
    payload: dict[str, Any] | None = None,
    report_id: int | None = None,
    contact_id: int | None = None,
    agency_id: str | None = None,
    not_before: datetime | None = None,
    dedupe_key: str | None = None,
    status: OutboxStatus = OutboxStatus.PENDING,
    error_message: str | None = None,
) -> OutboxMessage:
    """Add an outbox row; with a dedupe_key an existing row with that key is returned instead."""
    if dedupe_key is not None:
        existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    row = OutboxMessage(
        kind=kind,
        transport=transport,
        purpose=purpose,
        recipient=recipient,
        body=body,
        payload=payload or {},
        report_id=report_id,
        contact_id=contact_id,
        agency_id=agency_id,
        status=status,
        attempts=0,
        next_attempt_at=not_before or now,
        dedupe_key=dedupe_key,
        error_message=error_message,
        needs_attention=False,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row
