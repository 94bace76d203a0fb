"""The partnership's performance measures for a period: one function computes them for the performance page,
the quarterly CSV and the PDF, so the three always show the same numbers.

The measures are those the partnership plans commit to and the data supports: reports by type, ward and
channel; the share resolved; repeat victims and locations; time to first response against the target;
ASB Case Reviews and appeals; interventions by class, agency and kind; referrals to the Partnership Hub;
satisfaction one and six months after closure; and mediation outcomes. Reports are counted when received,
Case Review steps when they happened, interventions on the day they were done (all in Europe/London).
Viewers limited to some wards see those wards only, as on the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select, true
from sqlalchemy.orm import Session

from casework.core.models import CaseReviewApplication, Report
from casework.insight.stats import Dashboard, Period, build_dashboard
from casework.interventions import MEDIATION_OUTCOMES, count_interventions
from casework.staff import Actor, dashboard_wards, require

if TYPE_CHECKING:
    from casework.partnership import Partnership

CHANNEL_LABELS = {"sms": "SMS", "web": "Web chat", "open311": "Partner systems (Open311)", "staff": "Staff"}
Value = int | float | None


@dataclass(frozen=True)
class MeasureRow:
    """One figure: its section, the measure, an optional breakdown (a ward, a type...) and the value."""

    section: str
    measure: str
    breakdown: str
    value: Value
    unit: str = ""  # "%", "hours" or "" for a count


@dataclass
class Measures:
    """Every figure for a period, in the order shown."""

    period: Period
    wards_limited_to: tuple[str, ...] | None
    rows: list[MeasureRow] = field(default_factory=list)

    def sections(self) -> list[tuple[str, list[MeasureRow]]]:
        """The rows grouped by section, in order."""
        out: dict[str, list[MeasureRow]] = {}
        for row in self.rows:
            out.setdefault(row.section, []).append(row)
        return list(out.items())

    def value(self, measure: str, breakdown: str = "") -> Value:
        """One figure by its measure and breakdown (KeyError when there is none)."""
        for row in self.rows:
            if row.measure == measure and row.breakdown == breakdown:
                return row.value
        raise KeyError((measure, breakdown))


def compute_measures(
    session: Session, *, actor: Actor, period: Period, now: datetime, partnership: Partnership
) -> Measures:
    """Every measure for the period, within the actor's scope (the one function behind page, CSV and PDF)."""
    require(actor, "dashboard")
    wards = dashboard_wards(actor)
    d = build_dashboard(
        session,
        actor=actor,
        period=period,
        now=now,
        hotspot_wards=partnership.hotspot_wards,
        ward_names=[w.name for w in partnership.wards],
        victim_reports=partnership.repeats.victim_reports,
        location_reports=partnership.repeats.location_reports,
    )
    m = Measures(period=period, wards_limited_to=wards)
    _reports(m, d, session, period, wards)
    _responses(m, d, partnership)
    _case_reviews(m, session, period, wards, now)
    _interventions(m, session, period, wards, partnership)
    _hub(m, session, period, wards, partnership)
    _satisfaction(m, d)
    return m


def casework_figures(
    session: Session, *, actor: Actor, period: Period, now: datetime, partnership: Partnership
) -> Measures:
    """The Case Review, intervention and hub figures alone (the dashboard shows them beside its charts)."""
    require(actor, "dashboard")
    wards = dashboard_wards(actor)
    m = Measures(period=period, wards_limited_to=wards)
    _case_reviews(m, session, period, wards, now)
    _interventions(m, session, period, wards, partnership)
    _hub(m, session, period, wards, partnership)
    return m


def _in_period(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start_at, column < period.end_at)


def _ward_scope(wards: tuple[str, ...] | None) -> ColumnElement[bool]:
    return Report.ward.in_(wards) if wards else true()


def _reports(
    m: Measures, d: Dashboard, session: Session, period: Period, wards: tuple[str, ...] | None
) -> None:
    add = m.rows.append
    add(MeasureRow("Reports", "Reports received", "", d.reports))
    for row in d.by_type:
        if row.by_source.get("reports"):
            add(MeasureRow("Reports", "Reports by type", row.label, row.by_source["reports"]))
    for row in d.by_ward:
        if row.by_source.get("reports"):
            add(MeasureRow("Reports", "Reports by ward", row.label, row.by_source["reports"]))
    channels = session.execute(
        select(Report.channel, func.count())
        .where(_in_period(Report.created_at, period), _ward_scope(wards))
        .group_by(Report.channel)
        .order_by(func.count().desc(), Report.channel)
    ).all()
    for channel, n in channels:
        add(MeasureRow("Reports", "Reports by channel", CHANNEL_LABELS.get(channel, channel), n))
    add(MeasureRow("Outcomes", "Reports resolved (closed)", "", d.resolved))
    add(MeasureRow("Outcomes", "Share resolved", "", d.resolved_share, "%"))
    add(MeasureRow("Outcomes", "Repeat victims", "", d.repeat_victims))
    add(MeasureRow("Outcomes", "Repeat locations", "", d.repeat_locations))


def _responses(m: Measures, d: Dashboard, partnership: Partnership) -> None:
    t = partnership.response_targets_working_days
    target = f"target: high {t.high}, medium {t.medium}, standard {t.standard} working days"
    add = m.rows.append
    add(MeasureRow("First response", "Reports responded to", "", d.responded))
    add(
        MeasureRow(
            "First response", "Median time to first response", "", d.median_first_response_hours, "hours"
        )
    )
    add(MeasureRow("First response", "Responded within target", target, d.within_target))
    add(MeasureRow("First response", "Share within target", target, d.within_target_share, "%"))


def _count(session: Session, *conditions: ColumnElement[bool]) -> int:
    stmt = (
        select(func.count())
        .select_from(CaseReviewApplication)
        .join(Report, Report.id == CaseReviewApplication.report_id)
        .where(*conditions)
    )
    return session.scalar(stmt) or 0


def _case_reviews(
    m: Measures, session: Session, period: Period, wards: tuple[str, ...] | None, now: datetime
) -> None:
    c, scope, add = CaseReviewApplication, _ward_scope(wards), m.rows.append
    decided = _in_period(c.decided_at, period)
    figures = [
        ("Applications", _count(session, scope, _in_period(c.applied_at, period))),
        ("Threshold decisions", _count(session, scope, decided)),
        ("Thresholds met", _count(session, scope, decided, c.threshold_met.is_(True))),
        ("Thresholds not met", _count(session, scope, decided, c.threshold_met.is_(False))),
        ("Decisions within the deadline", _count(session, scope, decided, c.decided_at <= c.decision_due_at)),
        ("Reviews held", _count(session, scope, _in_period(c.meeting_at, period), c.meeting_at <= now)),
        ("Recommendations sent", _count(session, scope, _in_period(c.recommendations_at, period))),
        ("Appeals requested", _count(session, scope, _in_period(c.appeal_requested_at, period))),
        ("Appeals decided", _count(session, scope, _in_period(c.appeal_decided_at, period))),
        (
            "Appeals upheld",
            _count(session, scope, _in_period(c.appeal_decided_at, period), c.appeal_upheld.is_(True)),
        ),
    ]
    for measure, n in figures:
        add(MeasureRow("ASB Case Reviews", measure, "", n))


def _interventions(
    m: Measures, session: Session, period: Period, wards: tuple[str, ...] | None, partnership: Partnership
) -> None:
    counts = count_interventions(session, start=period.start, end=period.end, wards=wards)
    add = m.rows.append
    add(MeasureRow("Interventions", "Interventions", "", counts.total))
    for cls, n in counts.by_class.items():
        add(MeasureRow("Interventions", "Interventions by class", cls, n))
    for agency, n in counts.by_agency.items():
        name = partnership.agencies[agency].name if partnership.has_agency(agency) else agency
        add(MeasureRow("Interventions", "Interventions by agency", name, n))
    for kind, n in counts.by_kind.items():
        spec = partnership.intervention(kind)
        add(MeasureRow("Interventions", "Interventions by kind", spec.label if spec else kind, n))
    for outcome, label in MEDIATION_OUTCOMES.items():
        add(
            MeasureRow(
                "Mediation outcomes",
                "Mediation referrals by outcome",
                label,
                counts.mediation.get(outcome, 0),
            )
        )


def _hub(
    m: Measures, session: Session, period: Period, wards: tuple[str, ...] | None, partnership: Partnership
) -> None:
    hub = partnership.hub_agency
    involved = or_(Report.lead_agency == hub, cast(Report.copied_agencies, String).like(f'%"{hub}"%'))
    n = session.scalar(
        select(func.count())
        .select_from(Report)
        .where(_in_period(Report.created_at, period), _ward_scope(wards), involved)
    )
    m.rows.append(MeasureRow("Partnership Hub", "Reports referred to the hub", "", n or 0))


def _satisfaction(m: Measures, d: Dashboard) -> None:
    add = m.rows.append
    for survey, label in (("1m", "1 month"), ("6m", "6 months")):
        s = d.satisfaction[survey]
        add(MeasureRow("Satisfaction", f"Survey answers at {label}", "", s["responses"]))
        add(MeasureRow("Satisfaction", f"Average score at {label} (1-5)", "", s["average"]))
        add(MeasureRow("Satisfaction", f"Satisfied (4 or 5) at {label}", "", s["satisfied_share"], "%"))
