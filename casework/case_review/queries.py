"""What staff see of Case Review applications: the list and one application, within the report's access."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from casework.case_review.applications import state_of
from casework.case_review.steps import STATES, CaseReviewState, allowed_steps, due_for_state
from casework.core.audit import audit
from casework.core.models import AuditEvent, CaseReviewApplication, OutboxMessage, Report
from casework.staff import Actor, NotFound, may_see, report_scope, require

PAGE_SIZE = 100


@dataclass(frozen=True)
class ReviewRow:
    """One line of the Case Reviews list."""

    reference: str
    report_reference: str
    state: str
    channel: str
    applied_at: datetime
    due_at: datetime | None
    overdue: bool
    threshold_indicated: bool


@dataclass
class ReviewPage:
    """One application with what may be done next, its steps and the texts sent about it."""

    review: CaseReviewApplication
    report_reference: str
    due_at: datetime | None
    overdue: bool
    steps: list[str]
    history: list[AuditEvent] = field(default_factory=list)
    texts: list[OutboxMessage] = field(default_factory=list)


def _due(review: CaseReviewApplication) -> datetime | None:
    return due_for_state(
        review.state,
        decision_due_at=review.decision_due_at,
        meeting_due_at=review.meeting_due_at,
        recommendations_due_at=review.recommendations_due_at,
        appeal_due_at=review.appeal_due_at,
    )


def list_reviews(
    session: Session, *, actor: Actor, now: datetime, state: str = "", overdue: bool = False
) -> list[ReviewRow]:
    """Applications the actor may see (through their report), newest first, optionally filtered."""
    require(actor, "report.view")
    if state and state not in STATES:
        raise NotFound(f"no state {state}")
    stmt = (
        select(CaseReviewApplication, Report.reference)
        .join(Report, Report.id == CaseReviewApplication.report_id)
        .where(report_scope(actor))
        .order_by(CaseReviewApplication.applied_at.desc(), CaseReviewApplication.id.desc())
        .limit(PAGE_SIZE)
    )
    if state:
        stmt = stmt.where(CaseReviewApplication.state == state)
    if overdue:
        stmt = stmt.where(_overdue_clause(now))
    rows = []
    for review, report_ref in session.execute(stmt):
        due = _due(review)
        rows.append(
            ReviewRow(
                reference=review.reference,
                report_reference=report_ref,
                state=review.state,
                channel=review.channel,
                applied_at=review.applied_at,
                due_at=due,
                overdue=due is not None and due < now,
                threshold_indicated=review.threshold_indicated,
            )
        )
    return rows


def _overdue_clause(now: datetime) -> Any:
    c = CaseReviewApplication
    return or_(
        and_(c.state == CaseReviewState.APPLIED, c.decision_due_at < now),
        and_(c.state == CaseReviewState.THRESHOLD_MET, c.meeting_due_at < now),
        and_(c.state == CaseReviewState.REVIEW_MEETING, c.recommendations_due_at < now),
        and_(c.state == CaseReviewState.APPEAL_REQUESTED, c.appeal_due_at < now),
    )


def load_review(session: Session, actor: Actor, reference: str) -> CaseReviewApplication:
    """The application if the actor may open its report; otherwise NotFound (never 403)."""
    require(actor, "report.view")
    review = session.scalar(
        select(CaseReviewApplication).where(CaseReviewApplication.reference == reference.strip().upper())
    )
    if review is None or not may_see(actor, review.report):
        raise NotFound(f"no Case Review {reference}")
    return review


def open_review(session: Session, *, actor: Actor, reference: str, now: datetime) -> ReviewPage:
    """One application for the page; the view is audited."""
    review = load_review(session, actor, reference)
    audit(
        session,
        actor=actor.label,
        action="case_review.view",
        at=now,
        target_type="case_review",
        target_id=review.reference,
        ip=actor.ip,
    )
    history = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.target_type == "case_review",
            AuditEvent.target_id == review.reference,
            AuditEvent.action != "case_review.view",
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    texts = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.dedupe_key.like(f"cr\\_%:{review.reference}:%", escape="\\"))
        .order_by(OutboxMessage.id)
    ).all()
    due = _due(review)
    steps = allowed_steps(state_of(review), now) if actor.can("report.act") else []
    return ReviewPage(
        review=review,
        report_reference=review.report.reference,
        due_at=due,
        overdue=due is not None and due < now,
        steps=steps,
        history=list(history),
        texts=list(texts),
    )
