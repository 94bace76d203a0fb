"""What anonymising a report removes outside the report itself: staff words in the audit trail and in a
linked report's timeline, and the words of its Case Reviews and interventions (their facts are kept)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.core.models import AuditEvent, CaseReviewApplication, Intervention, Report, ReportEvent

# Timeline data keys that describe the case's progress, not the people in it (kept for statistics).
STATISTICAL_EVENT_KEYS = ("from", "to", "agency", "via", "lead", "copied", "count", "qualifying_reports")
# Audit detail keys that record what was done (codes, references, ids), never words about people; any other
# value of an audit row about the report (a staff reason, a note) is replaced by the marker.
AUDIT_FACT_KEYS = (
    *STATISTICAL_EVENT_KEYS,
    *("primary", "former_primary", "duplicate", "linked_to", "channel", "risk_level", "level"),
    *("message_id", "kind", "purpose", "transport", "update_id", "status", "public"),
)
# Timeline entries on ANOTHER report that quote a staff reason about this one (its primary's timeline).
_LINK_EVENTS = {
    "duplicate_linked": "{ref} linked as a duplicate.",
    "duplicate_unlinked": "{ref} is no longer linked to this report.",
}


def remove_free_text_elsewhere(session: Session, report: Report, *, marker: str) -> None:
    """Staff words about this report kept outside its own timeline: the audit trail, its primary's timeline.

    Audit rows keep who did what and when (actor, action, target, time and the facts in AUDIT_FACT_KEYS).
    """
    audit_rows = session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "report", AuditEvent.target_id == report.reference)
    )
    for row in audit_rows:
        detail = row.detail or {}
        kept = {k: (v if k in AUDIT_FACT_KEYS or v in (None, "") else marker) for k, v in detail.items()}
        if kept != detail:
            row.detail = kept
    quoting = session.scalars(
        select(ReportEvent).where(
            ReportEvent.report_id != report.id,
            ReportEvent.kind.in_(tuple(_LINK_EVENTS)),
            ReportEvent.body.like(f"{report.reference}%"),
        )
    )
    for event in quoting:
        if (event.data or {}).get("duplicate") != report.reference:
            continue
        event.body = _LINK_EVENTS[event.kind].format(ref=report.reference)
        event.data = {k: v for k, v in event.data.items() if k != "reason"}


def anonymise_casework(session: Session, report: Report, *, now: datetime) -> None:
    """Case Review applications and interventions on the report keep their states, dates and classes only."""
    session.execute(
        update(CaseReviewApplication)
        .where(CaseReviewApplication.report_id == report.id)
        .values(
            contact_id=None,
            threshold_reasons=[],
            decision_reason=None,
            recommendations=None,
            outcome=None,
            appeal_reason=None,
            appeal_decision=None,
            anonymised_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Intervention)
        .where(Intervention.report_id == report.id)
        .values(outcome="")
        .execution_options(synchronize_session=False)
    )
