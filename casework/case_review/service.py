"""Case Review use cases: each owns its transaction (casework/core/db.py) and is called by one door."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from casework.case_review.applications import APPLICANTS, CHANNELS, apply, take_step
from casework.case_review.queries import load_review
from casework.case_review.steps import CaseReviewState, StepRefused
from casework.core.db import transaction
from casework.core.models import Contact, Report
from casework.core.workdays import format_date_for_resident
from casework.staff import Actor, get_report_for, require

if TYPE_CHECKING:
    from casework.partnership import Partnership


@dataclass(frozen=True)
class ResidentApplication:
    """What the assistant tells a resident who asked for a Case Review."""

    status: Literal["applied", "already_applied", "no_reports"]  # the internal API's words
    reference: str | None = None
    decision_by: str | None = None
    threshold_indicated: bool | None = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON for the internal API."""
        return asdict(self)


NO_REPORTS = (
    "I can't find a report from you in this conversation, and a Case Review looks at reports you have "
    "made. Tell me what is happening and I will file a report, or ask the council's community safety team."
)


def _residents_report(session: Session, conversation_id: str, reference: str | None) -> Report | None:
    contact_ids = select(Contact.id).where(Contact.sender_id == conversation_id)
    stmt = select(Report).where(
        or_(Report.conversation_id == conversation_id, Report.contact_id.in_(contact_ids)),
        Report.anonymised_at.is_(None),
    )
    if reference:
        stmt = stmt.where(Report.reference == reference.strip().upper())
    return session.scalar(stmt.order_by(Report.created_at.desc(), Report.id.desc()).limit(1))


def _resident_message(review_ref: str, decision_by: str, indicated: bool, new: bool) -> str:
    if not new:
        return f"You already have a Case Review application in progress, reference {review_ref}."
    lines = [f"Thank you. Your Case Review application is reference {review_ref}."]
    if indicated:
        lines.append("The reports you have made appear to meet the threshold for a Case Review.")
    else:
        lines.append(
            "From the reports we hold, the threshold may not be met yet, but the partnership will look at "
            "your application and tell you why."
        )
    lines.append(f"We will tell you the decision by {decision_by}.")
    return " ".join(lines)


def apply_as_resident(
    sessions: sessionmaker[Session],
    *,
    conversation_id: str,
    reference: str | None,
    now: datetime,
    partnership: Partnership,
) -> ResidentApplication:
    """A resident asks for a Case Review by SMS or web chat; checked against their own reports only."""
    with transaction(sessions) as session:
        report = _residents_report(session, conversation_id, reference)
        if report is None:
            return ResidentApplication(status="no_reports", message=NO_REPORTS)
        channel = "sms" if conversation_id.startswith("sms-") else "web"
        review, new = apply(
            session,
            report=report,
            channel=channel,
            applicant="victim",
            actor="resident",
            now=now,
            partnership=partnership,
        )
        decision_by = format_date_for_resident(review.decision_due_at, partnership.timezone)
        return ResidentApplication(
            status="applied" if new else "already_applied",
            reference=review.reference,
            decision_by=decision_by,
            threshold_indicated=review.threshold_indicated,
            message=_resident_message(review.reference, decision_by, review.threshold_indicated, new),
        )


def record_application(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    report_reference: str,
    channel: str,
    applicant: str,
    now: datetime,
    partnership: Partnership,
) -> tuple[str, bool]:
    """Staff record an application made by phone, email, letter or in person; (reference, new)."""
    if channel not in CHANNELS:
        raise StepRefused("channel: choose how the application was made")
    if applicant not in APPLICANTS:
        raise StepRefused("applicant: the victim or someone on their behalf")
    with transaction(sessions) as session:
        require(actor, "report.act")
        report = get_report_for(session, actor, report_reference)
        review, new = apply(
            session,
            report=report,
            channel=channel,
            applicant=applicant,
            actor=actor.label,
            now=now,
            partnership=partnership,
            ip=actor.ip,
        )
        return review.reference, new


def advance(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    reference: str,
    step: str,
    now: datetime,
    partnership: Partnership,
    **inputs: Any,
) -> CaseReviewState:
    """Take one step on an application (StepRefused says why not); returns the new state."""
    with transaction(sessions) as session:
        require(actor, "report.act")
        review = load_review(session, actor, reference)
        return take_step(
            session, review, step, actor=actor.label, now=now, partnership=partnership, ip=actor.ip, **inputs
        )
