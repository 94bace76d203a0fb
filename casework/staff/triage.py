"""Staff actions on a report. Each is one transaction: the change, its timeline entry, its audit row and any
outgoing message (SMS to reporters, referral to an agency) written as outbox rows; `desk.act` runs each
in its own transaction.

The first staff action on a report sets `first_response_at` (the "time to first response" measure).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.audit import audit
from casework.core.inputs import parse_id
from casework.core.models import OutboxMessage, Report
from casework.core.states import RESENDABLE, ReportStatus
from casework.core.workdays import add_working_days
from casework.intake import LinkError, link_reports, unlink_report
from casework.messaging import queue_referral, requeue_for_staff, sms_block_reason
from casework.staff.access import Actor, get_report_for, may_see
from casework.staff.inbox import RISK_LEVELS, STATUSES
from casework.staff.place_correction import correct_place
from casework.staff.triage_steps import (
    ActionResult,
    TriageError,
    _clean,
    _load,
    _notify_all,
    _record,
    _sms_note,
    _touch,
)

if TYPE_CHECKING:
    from casework.partnership import Partnership

# Statuses an officer sets directly; closing needs an outcome and linking a primary report.
SETTABLE_STATUSES = tuple(s for s in ReportStatus if s not in (ReportStatus.CLOSED, ReportStatus.LINKED))


def accept(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership | None = None,
    **_: Any,
) -> ActionResult:
    """Accept the report: it is being dealt with (a public status change; reporters are texted)."""
    report = _load(session, actor, reference)
    if report.status == ReportStatus.CLOSED:
        raise TriageError("This report is closed; change its status to reopen it first.")
    if report.status == ReportStatus.ACCEPTED:
        raise TriageError("This report has already been accepted.")
    old = report.status
    report.status = ReportStatus.ACCEPTED
    report.last_public_update_at = now
    agency = actor.agency_id or report.lead_agency
    _record(
        session,
        report,
        actor,
        now,
        kind="accepted",
        public=True,
        body="Your report has been accepted.",
        data={"from": old, "to": ReportStatus.ACCEPTED, "agency": agency},
    )
    rows = _notify_all(
        session,
        report,
        purpose="status_update",
        now=now,
        partnership=partnership,
        tag=f"accepted:{now.isoformat()}",
    )
    return ActionResult(report.reference, "Report accepted." + _sms_note(rows))


def reassign(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership,
    agency_id: str,
    reason: str,
    **_: Any,
) -> ActionResult:
    """Make another agency the lead, with a reason; the referral is sent to it again."""
    report = _load(session, actor, reference)
    reason = _clean(reason, "reason", required=True)
    if not partnership.has_agency(agency_id):
        raise TriageError("agency: choose an agency of the partnership")
    if agency_id == report.lead_agency:
        raise TriageError("agency: that agency is already the lead")
    old = report.lead_agency
    report.lead_agency = agency_id
    report.copied_agencies = [a for a in (report.copied_agencies or []) if a != agency_id]
    if report.status == ReportStatus.ACCEPTED:
        report.status = ReportStatus.OPEN  # the new lead has not accepted it yet
    _record(
        session,
        report,
        actor,
        now,
        kind="reassigned",
        body=reason,
        data={"from": old, "to": agency_id, "reason": reason},
    )
    queue_referral(session, report, agency_id, now, "reassigned", partnership=partnership)
    name = partnership.agency(agency_id).name
    return ActionResult(
        report.reference,
        f"Reassigned to {name}; the referral has been queued.",
        still_visible=may_see(actor, report),
    )


def change_status(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership | None = None,
    status: str,
    message: str,
    visibility: str,
    **_: Any,
) -> ActionResult:
    """Change the status and/or add an update: public (shown to the reporter, who is texted) or private."""
    report = _load(session, actor, reference)
    if visibility not in ("public", "private"):
        raise TriageError("visibility: choose a public update or a private note")
    public = visibility == "public"
    message = _clean(message, "message", required=public)
    status = status or report.status
    if status not in SETTABLE_STATUSES:
        if status == ReportStatus.CLOSED:
            raise TriageError("status: use Close with an outcome to close a report")
        raise TriageError(f"status: must be one of {', '.join(SETTABLE_STATUSES)}")
    if status == report.status and not message:
        raise TriageError("Nothing to change: choose a new status or write an update.")
    old = report.status
    report.status = ReportStatus(status)
    if old == ReportStatus.CLOSED:
        report.closed_at = None  # reopened
    rows: list[OutboxMessage] = []
    if public:
        report.last_public_update_at = now
    kind = "status_changed" if status != old else ("public_update" if public else "note")
    _record(
        session,
        report,
        actor,
        now,
        kind=kind,
        body=message,
        public=public,
        data={"from": old, "to": status} if status != old else {},
    )
    if public:
        rows = _notify_all(
            session,
            report,
            purpose="status_update",
            now=now,
            partnership=partnership,
            tag=f"status:{now.isoformat()}",
        )
    what = f"Status changed to {STATUSES[status]}." if status != old else "Update added."
    return ActionResult(
        report.reference, what + (_sms_note(rows) if public else " (private note, not texted)")
    )


def add_note(
    session: Session, *, actor: Actor, reference: str, now: datetime, message: str, **_: Any
) -> ActionResult:
    """Add a private note to the timeline (never shown to the reporter)."""
    report = _load(session, actor, reference)
    message = _clean(message, "note", required=True)
    _record(session, report, actor, now, kind="note", body=message)
    return ActionResult(report.reference, "Note added.")


def link(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership,
    primary_reference: str,
    reason: str = "",
    **_: Any,
) -> ActionResult:
    """Link this report to another as its duplicate (the reporter then gets the primary's updates)."""
    report = _load(session, actor, reference)
    try:
        primary = get_report_for(session, actor, primary_reference)
    except Exception as exc:
        raise TriageError(f"primary report: no report {primary_reference.strip()} that you can see") from exc
    reason = _clean(reason, "reason", required=False)
    try:
        link_reports(
            session,
            duplicate=report,
            primary=primary,
            now=now,
            actor=actor.label,
            reason=reason,
            partnership=partnership,
        )
    except LinkError as exc:
        raise TriageError(str(exc)) from exc
    _touch(report, now)
    audit(
        session,
        actor=actor.label,
        action="report.linked",
        at=now,
        target_type="report",
        target_id=report.reference,
        ip=actor.ip,
        detail={"primary": primary.reference, "reason": reason},
    )
    return ActionResult(report.reference, f"Linked to {primary.reference}.")


def unlink(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership,
    reason: str = "",
    **_: Any,
) -> ActionResult:
    """Undo a duplicate link: the report stands on its own again."""
    report = _load(session, actor, reference)
    reason = _clean(reason, "reason", required=True)
    former = report.linked_to.reference if report.linked_to else None
    try:
        unlink_report(
            session, report=report, now=now, actor=actor.label, reason=reason, partnership=partnership
        )
    except LinkError as exc:
        raise TriageError(str(exc)) from exc
    _touch(report, now)
    audit(
        session,
        actor=actor.label,
        action="report.unlinked",
        at=now,
        target_type="report",
        target_id=report.reference,
        ip=actor.ip,
        detail={"former_primary": former, "reason": reason},
    )
    return ActionResult(report.reference, "Link removed.")


def change_risk(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership,
    level: str,
    reason: str,
    **_: Any,
) -> ActionResult:
    """Change the risk level with a reason; the response target follows, high risk copies in the Hub."""
    report = _load(session, actor, reference)
    if level not in RISK_LEVELS:
        raise TriageError(f"risk level: must be one of {', '.join(RISK_LEVELS)}")
    reason = _clean(reason, "reason", required=True)
    if level == report.risk_level:
        raise TriageError(f"risk level: already {level}")
    old = report.risk_level
    report.risk_level = level
    report.risk_reasons = [*(report.risk_reasons or []), f"set to {level} by staff: {reason}"]
    report.due_at = add_working_days(
        report.created_at, partnership.response_targets_working_days.for_level(level)
    )
    data: dict[str, Any] = {"from": old, "to": level, "reason": reason}
    hub = partnership.hub_agency
    if level == "high" and hub and hub != report.lead_agency and hub not in (report.copied_agencies or []):
        report.copied_agencies = [*(report.copied_agencies or []), hub]
        data["copied"] = hub
    _record(session, report, actor, now, kind="risk_changed", body=reason, data=data)
    if "copied" in data:
        queue_referral(session, report, hub, now, "escalated", partnership=partnership)
    return ActionResult(
        report.reference,
        f"Risk level changed to {level}."
        + (" The Partnership Hub has been copied in." if "copied" in data else ""),
    )


def close(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership | None = None,
    outcome: str,
    **_: Any,
) -> ActionResult:
    """Close with an outcome; linked duplicates close with it and every reporter gets the closing text."""
    report = _load(session, actor, reference)
    outcome = _clean(outcome, "outcome", required=True)
    if report.status == ReportStatus.CLOSED:
        raise TriageError("This report is already closed.")
    duplicates = session.scalars(select(Report).where(Report.linked_to_id == report.id)).all()
    for target in (report, *duplicates):
        if target.status == ReportStatus.CLOSED:
            continue
        old = target.status
        target.status = ReportStatus.CLOSED
        target.outcome = outcome
        target.closed_at = now
        target.last_public_update_at = now
        _record(
            session,
            target,
            actor,
            now,
            kind="closed",
            body=outcome,
            public=True,
            data={
                "from": old,
                "to": ReportStatus.CLOSED,
                **({"via": report.reference} if target is not report else {}),
            },
        )
    rows = _notify_all(session, report, purpose="closure", now=now, partnership=partnership, tag="closed")
    extra = f" {len(duplicates)} linked report(s) closed with it." if duplicates else ""
    return ActionResult(report.reference, "Report closed." + extra + _sms_note(rows))


def resend(
    session: Session, *, actor: Actor, reference: str, now: datetime, message_id: str | int, **_: Any
) -> ActionResult:
    """Send a failed text or referral of this report again, once the officer has fixed the cause.

    A text is re-sent only if texting is still allowed now (not opted out, not anonymous, safe to text);
    the notifier checks again at send time.
    """
    report = _load(session, actor, reference)
    wanted = parse_id(message_id)
    if wanted is None:
        raise TriageError("Choose a message to send again.")
    row = session.get(OutboxMessage, wanted)
    if row is None or row.report_id != report.id:
        raise TriageError("That message is not one of this report's.")
    if row.status not in RESENDABLE:
        raise TriageError(f"That message is {row.status}; only failed or cancelled ones can be sent again.")
    if row.kind == "sms":
        blocked = sms_block_reason(report, report.contact)
        if blocked:
            raise TriageError(f"Not sent again: {blocked}.")
    requeue_for_staff(session, row.id, now=now)
    what = "The text" if row.kind == "sms" else "The referral"
    _record(
        session,
        report,
        actor,
        now,
        kind="resend",
        body=f"{what} ({row.purpose.replace('_', ' ')}) queued to send again.",
        data={"message_id": row.id, "kind": row.kind, "purpose": row.purpose, "transport": row.transport},
    )
    return ActionResult(report.reference, f"{what} will be sent again in the next minute.")


ACTIONS: dict[str, Callable[..., ActionResult]] = {
    "accept": accept,
    "reassign": reassign,
    "status": change_status,
    "note": add_note,
    "link": link,
    "unlink": unlink,
    "risk": change_risk,
    "close": close,
    "resend": resend,
    "place": correct_place,
}
