"""The partnership's picture of ASB for staff: the dashboard's figures (the public ones: public_figures.py).

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
from casework.core.inputs import InvalidDay, parse_day
from casework.core.models import ImportedIncident, Report, SurveyResponse
from casework.core.states import ReportStatus
from casework.insight.imports import UNSPECIFIED_TYPE
from casework.staff import Actor, dashboard_wards, london_day_start, require

OWN_SOURCE = "reports"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_PERIOD_DAYS = 365
MAX_PERIOD_DAYS = 10 * 365  # the dashboard's weekly chart has a point per week


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
    try:
        end = parse_day("to", args.get("to")) or today
        start = parse_day("from", args.get("from")) or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    except InvalidDay as exc:
        raise InvalidPeriod(str(exc)) from None
    if start > end:
        raise InvalidPeriod("from: must not be after to")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidPeriod(f"from/to: choose a period of at most {MAX_PERIOD_DAYS // 365} years")
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
    counts = _counts_by_source(session, period, wards, in_period)
    heatmap, weekly = _when_it_happens(session, period, in_period)
    resolved = _count(session, in_period, Report.status == ReportStatus.CLOSED)
    hours, within = _first_responses(session, in_period)
    victims, locations = _repeats(session, in_period, victim_reports, location_reports)
    return Dashboard(
        period=period,
        wards_limited_to=wards,
        sources=[OWN_SOURCE, *sorted(counts.imported)],
        reports=counts.reports,
        imported=sum(counts.imported.values()),
        by_source={OWN_SOURCE: counts.reports, **dict(sorted(counts.imported.items()))},
        by_ward=_ward_rows(counts.by_ward, wards, ward_names, hotspot_wards),
        by_type=_type_rows(counts.by_type),
        heatmap=heatmap,
        weekly=weekly,
        resolved=resolved,
        resolved_share=_share(resolved, counts.reports),
        median_first_response_hours=round(statistics.median(hours), 1) if hours else None,
        responded=len(hours),
        within_target=within,
        within_target_share=_share(within, len(hours)),
        repeat_victims=victims,
        repeat_locations=locations,
        case_reviews=_count(session, in_period, Report.case_review_eligible.is_(True)),
        satisfaction={survey: _satisfaction(session, in_period, survey) for survey in ("1m", "6m")},
    )


@dataclass
class _SourceCounts:
    """Reports and imported incidents in the period, by ward and by type, each split by source."""

    reports: int
    imported: Counter[str]  # imported incidents by source
    by_ward: dict[str | None, Counter[str]]
    by_type: dict[str, Counter[str]]


def _counts_by_source(
    session: Session, period: Period, wards: tuple[str, ...] | None, in_period: ColumnElement[bool]
) -> _SourceCounts:
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
    counts = _SourceCounts(reports=sum(own_by_ward.values()), imported=Counter(), by_ward={}, by_type={})
    for ward, n in own_by_ward.items():
        counts.by_ward.setdefault(ward, Counter())[OWN_SOURCE] += n
    for asb_type, n in own_by_type.items():
        counts.by_type.setdefault(asb_type, Counter())[OWN_SOURCE] += n
    for source, ward, asb_type, n in imp_rows:
        counts.imported[source] += n
        counts.by_ward.setdefault(ward, Counter())[source] += n
        counts.by_type.setdefault(asb_type, Counter())[source] += n
    return counts


def _ward_rows(
    ward_src: dict[str | None, Counter[str]],
    wards: tuple[str, ...] | None,
    ward_names: list[str] | None,
    hotspot_wards: tuple[str, ...],
) -> list[CountRow]:
    """Every ward in scope (the partnership's first, with zeros), then any other, most first."""
    known_wards = [w for w in (ward_names or []) if not wards or w in wards]
    ward_keys = known_wards + sorted(k or "" for k in ward_src if k not in known_wards)
    rows = [
        CountRow(
            key=k,
            label=k or "Not placed",
            total=sum(ward_src.get(k or None, Counter()).values()),
            by_source=dict(ward_src.get(k or None, Counter())),
            highlight=k in hotspot_wards,
        )
        for k in ward_keys
    ]
    rows.sort(key=lambda row: (-row.total, row.label))
    return rows


def _type_rows(type_src: dict[str, Counter[str]]) -> list[CountRow]:
    rows = [
        CountRow(key=k, label=type_label(k), total=sum(c.values()), by_source=dict(c))
        for k, c in type_src.items()
    ]
    rows.sort(key=lambda row: (-row.total, row.label))
    return rows


def _when_it_happens(
    session: Session, period: Period, in_period: ColumnElement[bool]
) -> tuple[list[list[int]], list[tuple[date, int]]]:
    """The day x hour heatmap (when the behaviour happened where known, else when it was reported) and
    reports per week (by the Monday it starts), every week of the period."""
    heatmap = [[0] * 24 for _ in range(7)]
    weekly: Counter[date] = Counter()
    for occurred, created in session.execute(select(Report.occurred_at, Report.created_at).where(in_period)):
        when = (occurred or created).astimezone(LONDON)
        heatmap[when.weekday()][when.hour] += 1
        local_created = created.astimezone(LONDON).date()
        weekly[local_created - timedelta(days=local_created.weekday())] += 1
    weeks = []
    week = period.start - timedelta(days=period.start.weekday())
    while week <= period.end:
        weeks.append((week, weekly.get(week, 0)))
        week += timedelta(days=7)
    return heatmap, weeks


def _count(session: Session, in_period: ColumnElement[bool], *conditions: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(Report).where(in_period, *conditions)) or 0


def _first_responses(session: Session, in_period: ColumnElement[bool]) -> tuple[list[float], int]:
    """Hours to the first response of each report that has one, and how many came within the target."""
    rows = session.execute(
        select(Report.created_at, Report.first_response_at, Report.due_at).where(
            in_period, Report.first_response_at.is_not(None)
        )
    ).all()
    responses = [(c, fr, due) for c, fr, due in rows if fr is not None]
    hours = [(fr - c).total_seconds() / 3600 for c, fr, _ in responses]
    within = sum(1 for _, fr, due in responses if due is None or fr <= due)
    return hours, within


def _repeats(
    session: Session, in_period: ColumnElement[bool], victim_reports: int, location_reports: int
) -> tuple[int, int]:
    """Repeat victims (contacts) and repeat locations (places, hotspots included) in the period."""
    victims = session.scalar(
        select(func.count(func.distinct(Report.contact_id))).where(
            in_period, Report.contact_id.is_not(None), Report.repeat_victim_count >= victim_reports
        )
    )
    locations = session.scalar(
        select(func.count(func.distinct(Report.place_key))).where(
            in_period,
            Report.place_key.is_not(None),
            (Report.repeat_location_count >= location_reports) | Report.hotspot.is_(True),
        )
    )
    return victims or 0, locations or 0


def _satisfaction(
    session: Session, in_period: ColumnElement[bool], survey: str
) -> dict[str, float | int | None]:
    scores = session.scalars(
        select(SurveyResponse.score)
        .join(Report, Report.id == SurveyResponse.report_id)
        .where(SurveyResponse.survey == survey, in_period)
    ).all()
    return {
        "responses": len(scores),
        "average": round(statistics.fmean(scores), 1) if scores else None,
        "satisfied_share": _share(sum(1 for s in scores if s >= 4), len(scores)),
    }
