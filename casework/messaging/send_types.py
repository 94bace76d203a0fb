"""What the senders and the relay exchange: claimed rows, receipts, failures and the retry policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: exponential backoff from ``base`` capped at ``cap``."""

    max_attempts: int = 8
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    # Twilio 30003 (handset unreachable) is retried only a few times: it rarely clears quickly.
    unreachable_attempts: int = 3
    # Rate limits (HTTP 429, Twilio 20429, 21611) back off longer and may take more attempts.
    rate_limited_attempts: int = 12
    rate_limited_base: timedelta = timedelta(minutes=1)

    def delay(self, attempts: int, *, base: timedelta | None = None) -> timedelta:
        """Backoff before the next attempt after ``attempts`` tries."""
        step = (base or self.base) * (2 ** max(attempts - 1, 0))
        return min(step, self.cap)


DEFAULT_POLICY = RetryPolicy()


class SendFailure(Exception):
    """A transport could not hand a message over; ``code`` is the provider's error code when known.

    ``outcome_unknown`` means the request may have reached the provider (a read timeout, a 5xx after the
    body was sent): the row stays ``sending`` and is settled by reconciliation, never blindly re-sent.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        transient: bool = False,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.transient = transient
        self.outcome_unknown = outcome_unknown


@dataclass(frozen=True)
class Claimed:
    """A snapshot of a claimed row, safe to use outside the claim transaction."""

    id: int
    kind: str
    transport: str
    purpose: str
    recipient: str
    body: str
    payload: dict[str, Any]
    report_id: int | None
    contact_id: int | None
    agency_id: str | None
    attempts: int
    claimed_at: datetime
    claimed_by: str


@dataclass(frozen=True)
class Receipt:
    """What a transport reports after handing a message over."""

    provider_id: str | None = None
    delivered: bool = False  # the message reached its destination (an inbox, an HTTP 2xx, an SMTP accept)
    delivery_status: str | None = None
    segments: int | None = None
    encoding: str | None = None
    note: str | None = None


@dataclass
class ClaimResult:
    """The rows claimed for sending, and how many were held or cancelled at the safe-contact re-check."""

    claimed: list[Claimed] = field(default_factory=list)
    held: int = 0
    cancelled: int = 0


_RANK = {
    "accepted": 1,
    "scheduled": 1,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
}
TERMINAL_FAILURES = ("failed", "undelivered", "canceled")


def advances(current: str | None, new: str) -> bool:
    """True when ``new`` is a later delivery state than ``current`` (terminal states never change)."""
    if current == new:
        return False
    if current in TERMINAL_FAILURES:
        return False
    if new in TERMINAL_FAILURES:
        return current not in ("delivered", "read")
    if new not in _RANK:
        return False
    return _RANK[new] > _RANK.get(current or "", 0)
