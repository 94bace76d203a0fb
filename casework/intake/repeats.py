"""Repeat victims and repeat locations, counted when a report is filed and kept on the report.

- Repeat victim: the same contact's reports and diary entries within ``repeats.victim_window_days``
  (default 14), counting the new one. At ``repeats.victim_reports`` (default 2) the risk level goes up
  one step (casework.intake.risk).
- Repeat location: separate problems (linked duplicates count once) at the same ``place_key`` within
  ``repeats.location_window_days`` (default 30), counting the new one. At ``repeats.location_reports``
  (default 3) the report is flagged as a hotspot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.core.models import DiaryEntry, Report

if TYPE_CHECKING:
    from casework.partnership import Partnership


@dataclass(frozen=True)
class LocationRepeat:
    """How many separate problems were reported at a place in the window, and whether it is a hotspot."""

    count: int
    hotspot: bool


def victim_report_count(
    session: Session, *, contact_id: int | None, now: datetime, partnership: Partnership
) -> int:
    """The contact's reports and diary entries in the repeat-victim window, plus the one being filed now."""
    if contact_id is None:
        return 1
    return contact_incidents(session, contact_id=contact_id, now=now, partnership=partnership) + 1


def contact_incidents(session: Session, *, contact_id: int, now: datetime, partnership: Partnership) -> int:
    """How many reports and diary entries the contact made in the repeat-victim window (stored ones)."""
    since = now - timedelta(days=partnership.repeats.victim_window_days)
    reports = session.scalar(
        select(func.count(Report.id)).where(
            Report.contact_id == contact_id, Report.created_at >= since, Report.created_at <= now
        )
    )
    entries = session.scalar(
        select(func.count(DiaryEntry.id)).where(
            DiaryEntry.contact_id == contact_id, DiaryEntry.created_at >= since, DiaryEntry.created_at <= now
        )
    )
    return int(reports or 0) + int(entries or 0)


def location_repeat(
    session: Session, *, place_key: str | None, now: datetime, partnership: Partnership, is_duplicate: bool
) -> LocationRepeat:
    """Separate problems at `place_key` in the window, counting this one unless it is a duplicate."""
    if not place_key:
        return LocationRepeat(count=0, hotspot=False)
    since = now - timedelta(days=partnership.repeats.location_window_days)
    earlier = session.scalar(
        select(func.count(Report.id)).where(
            Report.place_key == place_key,
            Report.linked_to_id.is_(None),
            Report.created_at >= since,
            Report.created_at <= now,
        )
    )
    count = int(earlier or 0) + (0 if is_duplicate else 1)
    return LocationRepeat(count=count, hotspot=count >= partnership.repeats.location_reports)
