"""What filing a report writes besides the report: its timeline, its audit row, referrals and texts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from casework.core.audit import add_event, audit
from casework.core.models import Report
from casework.evidence import attach_waiting_files
from casework.intake.case_review import CaseReviewOutcome
from casework.intake.contract import (
    RECEIVED_EVENT,
    IntakeResult,
)
from casework.intake.linking import mark_linked
from casework.messaging import notify_filed, queue_referral

if TYPE_CHECKING:
    from casework.partnership import Partnership


def record_filing(
    session: Session,
    *,
    report: Report,
    reply: IntakeResult,
    primary: Report | None,
    review: CaseReviewOutcome,
    decision_reasons: tuple[str, ...],
    now: datetime,
    actor: str,
    partnership: Partnership,
) -> None:
    """Timeline, audit and outbox rows for a newly filed report (same transaction)."""
    add_event(
        session,
        report,
        kind=RECEIVED_EVENT,
        actor=actor,
        at=now,
        public=True,
        body=f"Report received by {report.channel}.",
        data={"reply": reply.as_dict()},
    )
    add_event(
        session,
        report,
        kind="routed",
        actor="system",
        at=now,
        body="; ".join(report.routing_reasons),
        data={
            "lead": report.lead_agency,
            "copied": list(report.copied_agencies),
            "reasons": list(decision_reasons),
        },
    )
    _flag_events(session, report, review=review, now=now, partnership=partnership)
    audit(
        session,
        actor=actor,
        action="report.filed",
        at=now,
        target_type="report",
        target_id=report.reference,
        detail={
            "channel": report.channel,
            "lead": report.lead_agency,
            "linked_to": reply.linked_reference,
            "risk_level": report.risk_level,
        },
    )
    _queue_messages(
        session, report, reply=reply, primary=primary, review=review, now=now, partnership=partnership
    )
    session.flush()


def _flag_events(
    session: Session, report: Report, *, review: CaseReviewOutcome, now: datetime, partnership: Partnership
) -> None:
    """Timeline entries for what staff should notice: risk, repeat victim, hotspot, case review."""
    p = partnership
    if report.risk_reasons:
        add_event(
            session,
            report,
            kind="risk_assessed",
            actor="system",
            at=now,
            body=f"{report.risk_level} risk: " + "; ".join(report.risk_reasons),
            data={"level": report.risk_level},
        )
    if report.repeat_victim_count >= p.repeats.victim_reports:
        add_event(
            session,
            report,
            kind="repeat_victim",
            actor="system",
            at=now,
            body=f"Repeat victim: {report.repeat_victim_count} reports in "
            f"{p.repeats.victim_window_days} days.",
            data={"count": report.repeat_victim_count},
        )
    if report.hotspot:
        add_event(
            session,
            report,
            kind="hotspot",
            actor="system",
            at=now,
            body=f"Repeat location: {report.repeat_location_count} problems reported here in "
            f"{p.repeats.location_window_days} days.",
            data={"count": report.repeat_location_count, "place_key": report.place_key},
        )
    if review.status != "none":
        add_event(
            session,
            report,
            kind=f"case_review_{review.status}",
            actor="system",
            at=now,
            body=(
                "ASB Case Review threshold met: "
                if review.status == "eligible"
                else "ASB Case Review explained: "
            )
            + "; ".join(review.reasons),
            data={"reasons": list(review.reasons), "qualifying_reports": review.qualifying_reports},
        )


def _queue_messages(
    session: Session,
    report: Report,
    *,
    reply: IntakeResult,
    primary: Report | None,
    review: CaseReviewOutcome,
    now: datetime,
    partnership: Partnership,
) -> None:
    """A duplicate is linked and its reporter told; a new report is referred and acknowledged."""
    p = partnership
    # Photos sent before the report was made join it, so the referral below carries them.
    attach_waiting_files(session, report, now=now)
    if primary is not None:
        mark_linked(
            session,
            duplicate=report,
            primary=primary,
            now=now,
            actor="system",
            reason=f"same problem at the same place reported within {p.duplicates.window_hours} hours",
        )
    else:
        queue_referral(session, report, report.lead_agency, now, "new", partnership=p)
        for agency_id in report.copied_agencies:
            queue_referral(session, report, agency_id, now, "copied", partnership=p)
    notify_filed(
        session,
        report,
        now=now,
        partnership=p,
        respond_by=reply.respond_by_text.removeprefix("by "),
        case_review=review.status == "eligible",
    )
