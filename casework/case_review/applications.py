"""Rules for ASB Case Review applications: apply, take each step, keep the applicant informed.

Rule functions: they take a session, change and flush, and never commit (casework/core/db.py). Every
step writes an audit row and a private entry on the report's timeline, and queues a neutral text to the
applicant (the application's own reference and a date at most) under the safe-contact rules: the most
cautious answer wins (``casework.messaging.sms_block_reason``), re-checked by the notifier when it sends.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.case_review.effects import EFFECTS, message_for
from casework.case_review.steps import CaseReviewState, Deadlines, ReviewState, next_state
from casework.core.audit import add_event, audit
from casework.core.models import CaseReviewApplication, Contact, OutboxMessage, Report
from casework.core.references import ALPHABET
from casework.core.sms_text import encoding, segments
from casework.core.states import OutboxStatus
from casework.core.workdays import format_date_for_resident
from casework.intake import NewReportFacts, assess_case_review
from casework.messaging import enqueue, render, sms_block_reason

if TYPE_CHECKING:
    from casework.partnership import Partnership

PREFIX = "CR-"
CHANNELS = ("sms", "web", "phone", "email", "letter", "in_person")
APPLICANTS = ("victim", "on_behalf")
OPEN_STATES = tuple(s for s in CaseReviewState if s != CaseReviewState.CLOSED)
MAX_TEXT = 4000


def new_review_reference(session: Session) -> str:
    """A free CR- reference (same unambiguous alphabet as report references)."""
    for _ in range(10):
        ref = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(6))
        if (
            session.scalar(select(CaseReviewApplication.id).where(CaseReviewApplication.reference == ref))
            is None
        ):
            return ref
    raise RuntimeError("no free Case Review reference after 10 attempts")


def deadlines_for(partnership: Partnership) -> Deadlines:
    """The partnership's working-day deadlines."""
    return Deadlines(partnership.case_review.deadlines, partnership.timezone)


def state_of(review: CaseReviewApplication) -> ReviewState:
    """The pure-rule view of an application."""
    return ReviewState(
        state=review.state,
        appealed=review.appeal_requested_at is not None,
        appeal_upheld=review.appeal_upheld,
        appeal_by=review.appeal_by,
        meeting_at=review.meeting_at,
    )


def open_application(session: Session, report: Report) -> CaseReviewApplication | None:
    """An application still in progress by the same applicant (contact) or on the same report."""
    clause = (
        CaseReviewApplication.contact_id == report.contact_id
        if report.contact_id is not None
        else CaseReviewApplication.report_id == report.id
    )
    return session.scalar(
        select(CaseReviewApplication)
        .where(clause, CaseReviewApplication.state.in_(OPEN_STATES))
        .order_by(CaseReviewApplication.id.desc())
        .limit(1)
    )


def assess(
    session: Session, report: Report, *, now: datetime, partnership: Partnership
) -> tuple[bool, list[str], int]:
    """The threshold as the resident's reports show it (the filing-time check, applied to this report)."""
    facts = NewReportFacts(
        contact_id=report.contact_id,
        asb_type=report.asb_type,
        place_key=report.place_key,
        hate=report.hate,
        primary_id=report.linked_to_id or report.id,  # counts this report once, as filed
        occurred_at=report.occurred_at,
        ongoing=report.ongoing,
    )
    outcome = assess_case_review(session, new=facts, now=now, partnership=partnership)
    met = outcome.status == "eligible" or report.case_review_eligible
    if outcome.status == "eligible":
        reasons = list(outcome.reasons)
    elif met:
        reasons = ["flagged eligible when the report was filed"]
    else:
        cfg = partnership.case_review
        reasons = [f"the threshold is {cfg.threshold_reports} qualifying reports in {cfg.window_days} days"]
    return met, reasons, outcome.qualifying_reports


def apply(
    session: Session,
    *,
    report: Report,
    channel: str,
    applicant: str,
    actor: str,
    now: datetime,
    partnership: Partnership,
    ip: str | None = None,
) -> tuple[CaseReviewApplication, bool]:
    """Record an application on ``report`` (or return the one in progress); True when it is new."""
    existing = open_application(session, report)
    if existing is not None:
        return existing, False
    met, reasons, qualifying = assess(session, report, now=now, partnership=partnership)
    review = CaseReviewApplication(
        reference=new_review_reference(session),
        report_id=report.id,
        contact_id=report.contact_id,
        channel=channel,
        applicant=applicant,
        state=CaseReviewState.APPLIED,
        threshold_indicated=met,
        threshold_reasons=reasons,
        qualifying_reports=qualifying,
        applied_at=now,
        decision_due_at=deadlines_for(partnership).decision_due(now),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(review)
    session.flush()
    record_step(session, review, actor=actor, now=now, step="applied", ip=ip, detail={"channel": channel})
    tell(session, review, "cr_received", now=now, partnership=partnership, when=review.decision_due_at)
    return review, True


def record_step(
    session: Session,
    review: CaseReviewApplication,
    *,
    actor: str,
    now: datetime,
    step: str,
    ip: str | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    """The audit row and the report's private timeline entry for one step."""
    data = {"case_review": review.reference, "state": review.state, **(detail or {})}
    audit(
        session,
        actor=actor,
        action=f"case_review.{step}",
        at=now,
        target_type="case_review",
        target_id=review.reference,
        ip=ip,
        detail=data,
    )
    report = session.get(Report, review.report_id)
    if report is not None:
        add_event(
            session,
            report,
            kind="case_review",
            actor=actor,
            at=now,
            body=f"Case Review {review.reference}: {step.replace('_', ' ')}",
            data=data,
        )


def tell(
    session: Session,
    review: CaseReviewApplication,
    purpose: str,
    *,
    now: datetime,
    partnership: Partnership,
    when: datetime | None = None,
) -> OutboxMessage | None:
    """Queue a neutral text to the applicant, or a cancelled row saying why it may not go."""
    report = session.get(Report, review.report_id)
    contact = session.get(Contact, review.contact_id) if review.contact_id else None
    if report is None or contact is None or not contact.phone:
        return None
    fields = {"respond_by": format_date_for_resident(when, partnership.timezone)} if when else {}
    body = render(purpose, reference=review.reference, partnership=partnership, fields=fields)
    # The same rule as every text about the report (and the notifier re-checks it when it sends).
    reason = sms_block_reason(report, contact)
    row = enqueue(
        session,
        kind="sms",
        transport="sms",
        purpose=purpose,
        now=now,
        recipient=contact.phone,
        body=body,
        report_id=report.id,
        contact_id=contact.id,
        dedupe_key=f"{purpose}:{review.reference}:{now.isoformat()}",
        status=OutboxStatus.CANCELLED if reason else OutboxStatus.PENDING,
        error_message=f"not sent: {reason}" if reason else None,
    )
    row.segments = segments(body)
    row.encoding = encoding(body)
    return row


def take_step(
    session: Session,
    review: CaseReviewApplication,
    step: str,
    *,
    actor: str,
    now: datetime,
    partnership: Partnership,
    met: bool | None = None,
    upheld: bool | None = None,
    text: str = "",
    meeting_at: datetime | None = None,
    ip: str | None = None,
) -> CaseReviewState:
    """Move the application on by one step (StepRefused says why not); returns the new state."""
    new_state = next_state(state_of(review), step, now, met=met if step == "decide" else None)
    text = text.strip()[:MAX_TEXT]
    EFFECTS[step](
        review,
        now=now,
        deadlines=deadlines_for(partnership),
        met=met,
        upheld=upheld,
        text=text,
        meeting_at=meeting_at,
    )
    review.state = new_state
    review.updated_at = now
    detail: dict[str, object] = {"to": new_state}
    if met is not None and step == "decide":
        detail["threshold_met"] = met
    if upheld is not None and step == "decide_appeal":
        detail["upheld"] = upheld
    if meeting_at is not None:
        detail["meeting_at"] = meeting_at.isoformat()
    record_step(session, review, actor=actor, now=now, step=step, ip=ip, detail=detail)
    purpose, when = message_for(step, review)
    tell(session, review, purpose, now=now, partnership=partnership, when=when)
    return new_state
