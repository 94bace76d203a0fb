"""The partnership's picture of ASB: dashboard figures for staff and the public /stats figures.

Reports made through this service and incidents imported from other agencies' data (police.uk, landlords,
councils) are counted together where both have the measure, and each imported source is labelled. Imported
incidents carry only a month and a place, so the hour-of-day heatmap and weekly trend use reports only.
All grouping by day, hour and week is in Europe/London time.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from casework.core.asb_types import ASB_TYPES
from casework.core.clock import LONDON
from casework.core.models import ImportedIncident, Report, SurveyResponse
from casework.insight.imports import UNSPECIFIED_TYPE
from casework.staff import Actor, dashboard_wards, london_day_start, require

OWN_SOURCE = "reports"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SMALL_COUNT = 5  # public figures below this are suppressed
DEFAULT_PERIOD_DAYS = 365


class InvalidPeriod(ValueError):
    """A dashboard period that cannot be used."""


@dataclass(frozen=True)
class Period:
    """A range of whole days in Europe/London, inclusive."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        """The first instant of the period."""
        return london_day_start(self.start)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period."""
        return london_day_start(self.end + timedelta(days=1))


def period_from(args: Mapping[str, str], *, now: datetime) -> Period:
    """The period asked for (from/to dates), by default the last year up to today."""
    today = now.astimezone(LONDON).date()
    to_text, from_text = args.get("to") or "", args.get("from") or ""
    try:
        end = date.fromisoformat(to_text) if to_text else today
        start = date.fromisoformat(from_text) if from_text else end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    except ValueError:
        raise InvalidPeriod("from/to: use dates like 2026-11-18") from None
    if start > end:
        raise InvalidPeriod("from: must not be after to")
    return Period(start, end)


@dataclass
class CountRow:
    """A labelled count, split by source (reports and each import source)."""

    key: str
    label: str
    total: int
    by_source: dict[str, int] = field(default_factory=dict)
    highlight: bool = False


@dataclass
class Dashboard:
    """Every figure the dashboard shows."""

    period: Period
    wards_limited_to: tuple[str, ...] | None
    sources: list[str]
    reports: int
    imported: int
    by_source: dict[str, int]
    by_ward: list[CountRow]
    by_type: list[CountRow]
    heatmap: list[list[int]]  # [day 0=Mon..6][hour 0..23], reports only
    weekly: list[tuple[date, int]]  # week starting Monday -> reports
    resolved: int
    resolved_share: float | None
    median_first_response_hours: float | None
    responded: int
    within_target: int
    within_target_share: float | None
    repeat_victims: int
    repeat_locations: int
    case_reviews: int
    satisfaction: dict[str, dict[str, float | int | None]]


def type_label(code: str) -> str:
    """A type's label for charts; imported rows whose source gives no type say so."""
    if code in ASB_TYPES:
        return ASB_TYPES[code].label
    return "Type not recorded" if code == UNSPECIFIED_TYPE else code


def _scope(wards: tuple[str, ...] | None, column: Any) -> ColumnElement[bool]:
    return column.in_(wards) if wards else true()


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def build_dashboard(
    session: Session,
    *,
    actor: Actor,
    period: Period,
    now: datetime,
    hotspot_wards: tuple[str, ...] = (),
    ward_names: list[str] | None = None,
    victim_reports: int = 2,
    location_reports: int = 3,
) -> Dashboard:
    """Compute the dashboard for the actor's scope (viewers may be limited to chosen wards)."""
    require(actor, "dashboard")
    wards = dashboard_wards(actor)
    in_period = and_(
        Report.created_at >= period.start_at, Report.created_at < period.end_at, _scope(wards, Report.ward)
    )
    imp_period = and_(
        ImportedIncident.occurred_at >= period.start_at,
        ImportedIncident.occurred_at < period.end_at,
        _scope(wards, ImportedIncident.ward),
    )

    own_by_ward = dict(
        session.execute(select(Report.ward, func.count()).where(in_period).group_by(Report.ward)).all()
    )
    own_by_type = dict(
        session.execute(
            select(Report.asb_type, func.count()).where(in_period).group_by(Report.asb_type)
        ).all()
    )
    imp_rows = session.execute(
        select(ImportedIncident.source, ImportedIncident.ward, ImportedIncident.asb_type, func.count())
        .where(imp_period)
        .group_by(ImportedIncident.source, ImportedIncident.ward, ImportedIncident.asb_type)
    ).all()
    by_source: Counter[str] = Counter()
    ward_src: dict[str | None, Counter[str]] = {}
    type_src: dict[str, Counter[str]] = {}
    for ward, n in own_by_ward.items():
        ward_src.setdefault(ward, Counter())[OWN_SOURCE] += n
    for asb_type, n in own_by_type.items():
        type_src.setdefault(asb_type, Counter())[OWN_SOURCE] += n
    for source, ward, asb_type, n in imp_rows:
        by_source[source] += n
        ward_src.setdefault(ward, Counter())[source] += n
        type_src.setdefault(asb_type, Counter())[source] += n
    reports = sum(own_by_ward.values())
    sources = [OWN_SOURCE, *sorted(by_source)]
    by_source_all = {OWN_SOURCE: reports, **dict(sorted(by_source.items()))}

    known_wards = [w for w in (ward_names or []) if not wards or w in wards]
    ward_keys = known_wards + sorted(k or "" for k in ward_src if k not in known_wards)
    by_ward = [
        CountRow(
            key=k,
            label=k or "Not placed",
            total=sum(ward_src.get(k or None, Counter()).values()),
            by_source=dict(ward_src.get(k or None, Counter())),
            highlight=k in hotspot_wards,
        )
        for k in ward_keys
    ]
    by_ward.sort(key=lambda row: (-row.total, row.label))
    by_type = [
        CountRow(key=k, label=type_label(k), total=sum(c.values()), by_source=dict(c))
        for k, c in type_src.items()
    ]
    by_type.sort(key=lambda row: (-row.total, row.label))

    # When it happens: the time of the behaviour where known, else when it was reported.
    heatmap = [[0] * 24 for _ in range(7)]
    weekly: Counter[date] = Counter()
    for occurred, created in session.execute(select(Report.occurred_at, Report.created_at).where(in_period)):
        when = (occurred or created).astimezone(LONDON)
        heatmap[when.weekday()][when.hour] += 1
        local_created = created.astimezone(LONDON).date()
        weekly[local_created - timedelta(days=local_created.weekday())] += 1
    first_week = period.start - timedelta(days=period.start.weekday())
    weeks = []
    week = first_week
    while week <= period.end:
        weeks.append((week, weekly.get(week, 0)))
        week += timedelta(days=7)

    resolved = (
        session.scalar(select(func.count()).select_from(Report).where(in_period, Report.status == "closed"))
        or 0
    )
    response_rows = session.execute(
        select(Report.created_at, Report.first_response_at, Report.due_at).where(
            in_period, Report.first_response_at.is_not(None)
        )
    ).all()
    responses = [(c, fr, due) for c, fr, due in response_rows if fr is not None]
    hours = [(fr - c).total_seconds() / 3600 for c, fr, _ in responses]
    within = sum(1 for _, fr, due in responses if due is None or fr <= due)

    victims = (
        session.scalar(
            select(func.count(func.distinct(Report.contact_id))).where(
                in_period, Report.contact_id.is_not(None), Report.repeat_victim_count >= victim_reports
            )
        )
        or 0
    )
    locations = (
        session.scalar(
            select(func.count(func.distinct(Report.place_key))).where(
                in_period,
                Report.place_key.is_not(None),
                (Report.repeat_location_count >= location_reports) | Report.hotspot.is_(True),
            )
        )
        or 0
    )
    case_reviews = (
        session.scalar(
            select(func.count()).select_from(Report).where(in_period, Report.case_review_eligible.is_(True))
        )
        or 0
    )

    satisfaction: dict[str, dict[str, float | int | None]] = {}
    for survey in ("1m", "6m"):
        scores = session.scalars(
            select(SurveyResponse.score)
            .join(Report, Report.id == SurveyResponse.report_id)
            .where(SurveyResponse.survey == survey, in_period)
        ).all()
        satisfaction[survey] = {
            "responses": len(scores),
            "average": round(statistics.fmean(scores), 1) if scores else None,
            "satisfied_share": _share(sum(1 for s in scores if s >= 4), len(scores)),
        }

    return Dashboard(
        period=period,
        wards_limited_to=wards,
        sources=sources,
        reports=reports,
        imported=sum(by_source.values()),
        by_source=by_source_all,
        by_ward=by_ward,
        by_type=by_type,
        heatmap=heatmap,
        weekly=weeks,
        resolved=resolved,
        resolved_share=_share(resolved, reports),
        median_first_response_hours=round(statistics.median(hours), 1) if hours else None,
        responded=len(hours),
        within_target=within,
        within_target_share=_share(within, len(hours)),
        repeat_victims=victims,
        repeat_locations=locations,
        case_reviews=case_reviews,
        satisfaction=satisfaction,
    )


# ----------------------------------------------------------------------------------------------- public


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


def public_stats(session: Session, *, now: datetime, months: int = 12) -> PublicStats:
    """Aggregate figures for the public page over the last `months` whole and current months."""
    today = now.astimezone(LONDON).date()
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    period = Period(first, today)
    in_period = and_(Report.created_at >= period.start_at, Report.created_at < period.end_at)
    rows = session.execute(
        select(Report.ward, Report.asb_type, Report.status, Report.created_at).where(in_period)
    ).all()
    total = len(rows)
    resolved = sum(1 for r in rows if r.status == "closed")
    wards = Counter(r.ward or "Not placed" for r in rows)
    types = Counter(type_label(r.asb_type) for r in rows)
    month_total: Counter[str] = Counter()
    month_resolved: Counter[str] = Counter()
    for r in rows:
        key = r.created_at.astimezone(LONDON).strftime("%B %Y")
        month_total[key] += 1
        month_resolved[key] += r.status == "closed"
    month_keys = []
    cursor = first
    while cursor <= today:
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
