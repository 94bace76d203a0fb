"""Interventions: what an agency did about a report, from the partnership's configured list.

Each kind has a class (preventative, enforcement, advisory) in the partnership file; the counts by class
and agency feed the dashboard, the export and the quarterly report. Recording one is a staff action on the
report: it needs the same access as the report (an agency officer records for their own agency, on
reports it leads or is copied into), is audited, goes on the report's private timeline, and counts as a
response to the report. Nothing about interventions is ever texted to the resident.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.audit import add_event, audit
from casework.core.clock import LONDON
from casework.core.models import Intervention, Report
from casework.staff import Actor, get_report_for, require

if TYPE_CHECKING:
    from casework.partnership import Partnership

MAX_OUTCOME = 500
MEDIATION_OUTCOMES = {
    "pending": "Waiting for mediation",
    "declined": "Declined by one or both parties",
    "agreed": "Agreement reached",
    "partly_resolved": "Partly resolved",
    "resolved": "Resolved",
    "not_resolved": "Not resolved",
}


class InterventionError(ValueError):
    """An intervention that cannot be recorded; the message names the field."""


def _check_inputs(
    partnership: Partnership,
    actor: Actor,
    *,
    kind: str,
    agency_id: str,
    done_on: date,
    today: date,
    outcome: str,
    mediation_outcome: str | None,
) -> None:
    spec = partnership.intervention(kind)
    if spec is None:
        raise InterventionError("intervention: choose one from the list")
    if not partnership.has_agency(agency_id):
        raise InterventionError("agency: choose an agency of the partnership")
    if actor.role == "agency" and agency_id != actor.agency_id:
        raise InterventionError("agency: you can record what your own agency did")
    if done_on > today:
        raise InterventionError("date: cannot be in the future")
    if len(outcome) > MAX_OUTCOME:
        raise InterventionError(f"outcome: keep it under {MAX_OUTCOME} characters")
    if mediation_outcome and not spec.has_mediation_outcome:
        raise InterventionError("mediation outcome: only for a mediation referral")
    if mediation_outcome and mediation_outcome not in MEDIATION_OUTCOMES:
        raise InterventionError("mediation outcome: choose one from the list")


def record_intervention(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership,
    kind: str,
    agency_id: str,
    done_on: date,
    outcome: str = "",
    mediation_outcome: str | None = None,
) -> Intervention:
    """Record one intervention on a report the actor may act on (NotFound otherwise)."""
    require(actor, "report.act")
    report = get_report_for(session, actor, reference, for_update=True)
    outcome = " ".join((outcome or "").split())
    spec = partnership.intervention(kind)
    if spec is not None and spec.has_mediation_outcome and not mediation_outcome:
        mediation_outcome = "pending"
    today = now.astimezone(LONDON).date()
    _check_inputs(
        partnership,
        actor,
        kind=kind,
        agency_id=agency_id,
        done_on=done_on,
        today=today,
        outcome=outcome,
        mediation_outcome=mediation_outcome,
    )
    assert spec is not None
    row = Intervention(
        report_id=report.id,
        kind=kind,
        intervention_class=spec.intervention_class,
        agency_id=agency_id,
        done_on=done_on,
        outcome=outcome,
        mediation_outcome=mediation_outcome,
        recorded_by=actor.label,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _trace(session, report, actor, now, "intervention.recorded", row, f"{spec.label} ({agency_id})")
    return row


def update_mediation_outcome(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    intervention_id: int,
    mediation_outcome: str,
    now: datetime,
) -> Intervention:
    """Record how a mediation referral went (mediation outcomes are often known weeks later)."""
    require(actor, "report.act")
    report = get_report_for(session, actor, reference, for_update=True)
    row = session.get(Intervention, intervention_id)
    if row is None or row.report_id != report.id or row.mediation_outcome is None:
        raise InterventionError("no mediation referral with that id on this report")
    if mediation_outcome not in MEDIATION_OUTCOMES:
        raise InterventionError("mediation outcome: choose one from the list")
    row.mediation_outcome = mediation_outcome
    label = MEDIATION_OUTCOMES[mediation_outcome]
    _trace(session, report, actor, now, "intervention.mediation_outcome", row, f"Mediation: {label}")
    return row


def _trace(
    session: Session, report: Report, actor: Actor, now: datetime, action: str, row: Intervention, body: str
) -> None:
    data = {
        "intervention_id": row.id,
        "kind": row.kind,
        "class": row.intervention_class,
        "agency": row.agency_id,
        "done_on": row.done_on.isoformat(),
        "mediation_outcome": row.mediation_outcome,
    }
    if report.first_response_at is None:
        report.first_response_at = now
    report.updated_at = now
    add_event(session, report, kind="intervention", actor=actor.label, at=now, body=body, data=data)
    audit(
        session,
        actor=actor.label,
        action=action,
        at=now,
        target_type="report",
        target_id=report.reference,
        ip=actor.ip,
        detail=data,
    )


def interventions_for(session: Session, *, actor: Actor, reference: str) -> list[Intervention]:
    """The report's interventions, newest first, for someone who may open the report."""
    report = get_report_for(session, actor, reference)
    return list(
        session.scalars(
            select(Intervention)
            .where(Intervention.report_id == report.id)
            .order_by(Intervention.done_on.desc(), Intervention.id.desc())
        )
    )
