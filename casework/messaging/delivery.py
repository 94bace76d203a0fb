"""The notifier's and the delivery receipts' use cases, each its own short transaction.

Sending happens between transactions: rows are claimed (and committed) first, handed to the transports,
and the outcomes recorded afterwards, so no lock is held while a provider is slow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from casework.core.db import transaction
from casework.messaging.notifications import queue_cadence_updates, queue_surveys
from casework.messaging.receipts import (
    known_provider_ids,
    record_delivery_status,
    resolve_stale,
    stale_claims,
)
from casework.messaging.send_types import (
    DEFAULT_POLICY,
    Claimed,
    ClaimResult,
    Receipt,
    RetryPolicy,
    SendFailure,
)
from casework.messaging.sending import claim_due, finish_batch

if TYPE_CHECKING:
    from casework.partnership import Partnership


def claim_batch(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    worker: str,
    limit: int,
    partnership: Partnership,
    sms_per_number_per_day: int | None = None,
) -> ClaimResult:
    """Claim due rows for this worker; committed before any of them is sent."""
    with transaction(sessions) as session:
        return claim_due(
            session,
            now=now,
            worker=worker,
            limit=limit,
            partnership=partnership,
            sms_per_number_per_day=sms_per_number_per_day,
        )


def record_outcomes(
    sessions: sessionmaker[Session],
    results: list[tuple[int, Receipt | SendFailure | None]],
    *,
    worker: str,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> dict[str, int]:
    """Record what the transports answered for a claimed batch."""
    with transaction(sessions) as session:
        return finish_batch(session, results, worker=worker, now=now, policy=policy)


def stale(sessions: sessionmaker[Session], *, now: datetime, lease: timedelta) -> list[Claimed]:
    """Rows left ``sending`` past the lease."""
    with transaction(sessions) as session:
        return stale_claims(session, now=now, lease=lease)


def settle_stale(
    sessions: sessionmaker[Session],
    message: Claimed,
    *,
    candidates: list[str] | None,
    now: datetime,
) -> str:
    """Settle one stale claim; ``candidates`` are the provider's ids (None: the provider cannot be asked)."""
    with transaction(sessions) as session:
        found: str | None = None
        if candidates is not None:
            known = known_provider_ids(session, candidates)
            found = next((c for c in candidates if c not in known), None)
        return resolve_stale(
            session,
            message.id,
            claimed_by=message.claimed_by,
            found_provider_id=found,
            checked=candidates is not None,
            now=now,
        )


def record_receipt(sessions: sessionmaker[Session], **receipt: Any) -> str:
    """Apply one delivery receipt (see ``sending.record_delivery_status``); returns what happened."""
    with transaction(sessions) as session:
        return record_delivery_status(session, **receipt)


def queue_scheduled(
    sessions: sessionmaker[Session], *, now: datetime, partnership: Partnership
) -> tuple[int, int]:
    """Queue due "still being worked on" updates, then satisfaction surveys (one transaction each)."""
    with transaction(sessions) as session:
        cadence = queue_cadence_updates(session, now=now, partnership=partnership)
    with transaction(sessions) as session:
        surveys = queue_surveys(session, now=now, partnership=partnership)
    return cadence, surveys
