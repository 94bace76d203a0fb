"""Counts of interventions for the dashboard and the quarterly report (one function computes them)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from casework.core.models import Intervention, Report

CLASSES = ("preventative", "enforcement", "advisory")


@dataclass
class InterventionCounts:
    """Interventions done in a period, by class, agency, kind and mediation outcome."""

    total: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    by_agency: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    mediation: dict[str, int] = field(default_factory=dict)


def count_interventions(
    session: Session, *, start: date, end: date, wards: tuple[str, ...] | None = None
) -> InterventionCounts:
    """Interventions done from ``start`` to ``end`` (inclusive dates), limited to reports in ``wards``."""
    stmt = (
        select(
            Intervention.intervention_class,
            Intervention.agency_id,
            Intervention.kind,
            Intervention.mediation_outcome,
        )
        .join(Report, Report.id == Intervention.report_id)
        .where(
            Intervention.done_on >= start,
            Intervention.done_on <= end,
            Report.ward.in_(wards) if wards else true(),
        )
    )
    counts = InterventionCounts(by_class={c: 0 for c in CLASSES})
    by_agency: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    mediation: Counter[str] = Counter()
    for cls, agency, kind, med in session.execute(stmt):
        counts.total += 1
        counts.by_class[cls] = counts.by_class.get(cls, 0) + 1
        by_agency[agency] += 1
        by_kind[kind] += 1
        if med:
            mediation[med] += 1
    counts.by_agency = dict(sorted(by_agency.items(), key=lambda kv: (-kv[1], kv[0])))
    counts.by_kind = dict(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0])))
    counts.mediation = dict(sorted(mediation.items()))
    return counts
