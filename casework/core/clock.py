"""The clock port: real time in production, a fixed clock in tests. Always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    """Anything that can tell the time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Current time, UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        self._at = at

    def now(self) -> datetime:
        """The fixed time."""
        return self._at

    def advance(self, **delta: float) -> None:
        """Move the clock forward by a timedelta's keyword arguments."""
        self._at += timedelta(**delta)

    def set(self, at: datetime) -> None:
        """Jump to a time."""
        self._at = at if at.tzinfo else at.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Current time, UTC (for defaults where no clock is injected)."""
    return datetime.now(UTC)
