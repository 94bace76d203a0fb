"""The public /stats figures: no personal data, small counts suppressed, complete months only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from casework.core.clock import LONDON
from casework.core.models import ImportedIncident, Report
from casework.core.states import ReportStatus
from casework.insight.stats import Period, _share, type_label

SMALL_COUNT = 5  # public figures below this are suppressed


@dataclass
class PublicCell:
    """A public count: the number, or None when suppressed (shown as "fewer than 5")."""

    label: str
    count: int | None
    resolved_share: float | None = None


@dataclass
class PublicStats:
    """The figures residents see on /stats: no personal data, small counts suppressed."""

    period: Period
    total: int
    resolved_share: float | None
    by_ward: list[PublicCell]
    by_type: list[PublicCell]
    by_month: list[PublicCell]
    imported_by_source: list[PublicCell]


def suppress(counts: list[tuple[str, int]]) -> list[PublicCell]:
    """Hide counts from 1 to 4; when only one is hidden, hide the next smallest too so it cannot be worked out
    from the total."""
    hidden = {label for label, n in counts if 0 < n < SMALL_COUNT}
    if len(hidden) == 1:
        rest = sorted((n, label) for label, n in counts if n >= SMALL_COUNT)
        if rest:
            hidden.add(rest[0][1])
    return [PublicCell(label, None if label in hidden else n) for label, n in counts]


def last_complete_month_end(now: datetime) -> date:
    """The last day of the last complete calendar month (Europe/London) before `now`."""
    today = now.astimezone(LONDON).date()
    return today.replace(day=1) - timedelta(days=1)


def public_stats(session: Session, *, now: datetime, months: int = 12) -> PublicStats:
    """Aggregate figures for the public page over the last `months` complete calendar months.

    The month in progress is left out, so the figures change once a month (on the 1st), never within
    minutes of a report: comparing two snapshots cannot single out one new report's ward and type.
    "Resolved" means closed by the end of the period, so it too is fixed until the next month is added.
    """
    end = last_complete_month_end(now)
    first = end.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    period = Period(first, end)
    in_period = and_(Report.created_at >= period.start_at, Report.created_at < period.end_at)
    rows = session.execute(
        select(Report.ward, Report.asb_type, Report.status, Report.closed_at, Report.created_at).where(
            in_period
        )
    ).all()

    def closed_in_period(r: Any) -> bool:
        return r.status == ReportStatus.CLOSED and r.closed_at is not None and r.closed_at < period.end_at

    total = len(rows)
    resolved = sum(1 for r in rows if closed_in_period(r))
    wards = Counter(r.ward or "Not placed" for r in rows)
    types = Counter(type_label(r.asb_type) for r in rows)
    month_total: Counter[str] = Counter()
    month_resolved: Counter[str] = Counter()
    for r in rows:
        key = r.created_at.astimezone(LONDON).strftime("%B %Y")
        month_total[key] += 1
        month_resolved[key] += closed_in_period(r)
    month_keys = []
    cursor = first
    while cursor <= end:
        month_keys.append(cursor.strftime("%B %Y"))  # "November 2026"
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    by_month = suppress([(k, month_total.get(k, 0)) for k in month_keys])
    for cell in by_month:
        if cell.count is not None and cell.count >= SMALL_COUNT:
            cell.resolved_share = _share(month_resolved[cell.label], cell.count)
    imported = session.execute(
        select(ImportedIncident.source, func.count())
        .where(ImportedIncident.occurred_at >= period.start_at, ImportedIncident.occurred_at < period.end_at)
        .group_by(ImportedIncident.source)
    ).all()
    return PublicStats(
        period=period,
        total=total,
        resolved_share=_share(resolved, total) if total >= SMALL_COUNT else None,
        by_ward=suppress(sorted(wards.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_type=suppress(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_month=by_month,
        imported_by_source=suppress(sorted((s, n) for s, n in imported)),
    )
