"""What the assistant may tell a resident: a report's public status, and the partnership's public details.

A report's status is told only to the conversation that made it, or to the same contact (for SMS the
sender id is the same across conversations). Anyone else gets nothing, exactly as for an unknown
reference, so references cannot be used to probe for other people's reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework.core.models import Contact, Report, ReportEvent
from casework.core.references import parse_reference
from casework.core.safe_contact import current_text_safe
from casework.core.states import ReportStatus
from casework.core.workdays import format_date_for_resident
from casework.intake import root_of

if TYPE_CHECKING:
    from casework.partnership import Partnership

# Plain wording for residents; {agency} is the lead agency's name.
STATUS_TEXT: dict[str, str] = {
    ReportStatus.OPEN: "received and with {agency}",
    ReportStatus.ACCEPTED: "accepted by {agency}, who are dealing with it",
    ReportStatus.IN_PROGRESS: "being worked on by {agency}",
    ReportStatus.WAITING: "waiting for more information; {agency} may contact you",
    ReportStatus.LINKED: "already being dealt with by {agency} (it was reported by someone else too)",
    ReportStatus.CLOSED: "closed",
}


@dataclass(frozen=True)
class PublicStatus:
    """A report's status as its reporter may see it."""

    reference: str
    status: str
    status_text: str
    lead_agency_name: str
    respond_by_text: str | None
    updated_at: datetime
    # The latest public update's words, or None (none yet, or withheld: see `update_withheld`).
    latest_update: str | None = None
    latest_update_on: str | None = None
    # True when an update exists but is not shown because texting this reporter is not safe (SMS).
    update_withheld: bool = False
    lead_agency_phone: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON body of GET /api/v1/status."""
        return {
            "reference": self.reference,
            "status": self.status,
            "status_text": self.status_text,
            "lead_agency_name": self.lead_agency_name,
            "lead_agency_phone": self.lead_agency_phone,
            "respond_by_text": self.respond_by_text,
            "latest_update": self.latest_update,
            "latest_update_on": self.latest_update_on,
            "update_withheld": self.update_withheld,
            "updated_at": self.updated_at.isoformat(),
        }


def made_by(session: Session, report: Report, conversation_id: str) -> bool:
    """True when ``conversation_id`` made the report, or is the same contact (the only people told)."""
    if report.conversation_id and report.conversation_id == conversation_id:
        return True
    if report.contact_id is None:
        return False
    contact = session.get(Contact, report.contact_id)
    return contact is not None and contact.sender_id == conversation_id


def _texting_unsafe(session: Session, report: Report) -> bool:
    """The safe-contact rule as it holds now: a "no" that applies, or domestic abuse without a "yes"."""
    contact = session.get(Contact, report.contact_id) if report.contact_id else None
    answer = current_text_safe(report, contact)
    return answer is False or (bool(report.domestic_abuse) and answer is not True)


# Timeline entries that carry an agency's words to the reporter (not the automatic "report received").
UPDATE_KINDS = ("public_update", "status_changed", "accepted", "closed", "open311_update")


def _latest_update(session: Session, report: Report) -> ReportEvent | None:
    return session.scalar(
        select(ReportEvent)
        .where(
            ReportEvent.report_id == report.id,
            ReportEvent.kind.in_(UPDATE_KINDS),
            ReportEvent.public.is_(True),
            ReportEvent.body != "",
        )
        .order_by(ReportEvent.created_at.desc(), ReportEvent.id.desc())
        .limit(1)
    )


def public_status(
    session: Session, reference: str, conversation_id: str, *, partnership: Partnership
) -> PublicStatus | None:
    """The public status of `reference` if `conversation_id` made it (or is the same contact); else None."""
    canonical = parse_reference(reference)
    if canonical is None or not conversation_id:
        return None
    report = session.scalar(select(Report).where(Report.reference == canonical))
    if report is None or not made_by(session, report, conversation_id):
        return None
    return _status_of(session, report, conversation_id, partnership)


def my_reports(
    session: Session, conversation_id: str, *, partnership: Partnership, limit: int = 3
) -> list[PublicStatus]:
    """The latest reports this conversation (or its contact) made, newest first, with their status."""
    if not conversation_id:
        return []
    contact_ids = select(Contact.id).where(Contact.sender_id == conversation_id)
    reports = session.scalars(
        select(Report)
        .where(
            or_(Report.conversation_id == conversation_id, Report.contact_id.in_(contact_ids)),
            Report.anonymised_at.is_(None),
        )
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
    ).all()
    return [_status_of(session, r, conversation_id, partnership) for r in reports]


def _status_of(
    session: Session, report: Report, conversation_id: str, partnership: Partnership
) -> PublicStatus:
    """The status a reporter may see; the update's words are withheld by SMS when texting is not safe."""
    # A linked duplicate follows its primary: the resident sees how the problem itself is going.
    shown = root_of(session, report) if report.linked_to_id else report
    status = ReportStatus.CLOSED if shown.status == ReportStatus.CLOSED else report.status
    agency = partnership.agencies.get(shown.lead_agency)
    agency_name = agency.name if agency else shown.lead_agency
    text = STATUS_TEXT.get(status, "{status} ({agency})").format(agency=agency_name, status=status)
    respond_by = None
    if status != ReportStatus.CLOSED and report.due_at is not None:
        respond_by = "by " + format_date_for_resident(report.due_at, partnership.timezone)
    update = _latest_update(session, shown)
    withheld = update is not None and conversation_id.startswith("sms-") and _texting_unsafe(session, report)
    return PublicStatus(
        reference=report.reference,
        status=status,
        status_text=text,
        lead_agency_name=agency_name,
        lead_agency_phone=agency.public.phone if agency is not None and agency.public else None,
        respond_by_text=respond_by,
        updated_at=max(report.updated_at, shown.updated_at),
        latest_update=None if update is None or withheld else update.body[:600],
        latest_update_on=None
        if update is None or withheld
        else format_date_for_resident(update.created_at, partnership.timezone),
        update_withheld=withheld,
    )


def partnership_summary(partnership: Partnership) -> dict[str, Any]:
    """The partnership's public details the assistant uses (GET /api/v1/partnership)."""
    p = partnership
    council = p.council
    cfg = p.case_review
    hate = " or after a single hate incident" if cfg.single_hate_incident else ""
    reports = "once" if cfg.threshold_reports == 1 else f"{cfg.threshold_reports} times"
    months = round(cfg.window_days / 30.5)
    places = sorted({*p.gazetteer.towns, *p.gazetteer.landmarks, *p.gazetteer.streets}, key=str.lower)
    return {
        "name": p.name,
        "council": {"name": council.name, "phone": council.public.phone, "web": council.public.web},
        "police_non_emergency": p.police.public.phone or "101",
        "case_review": {
            "threshold_text": "You can ask for an ASB Case Review when you have reported the problem "
            f"{reports} in {months} months{hate}.",
            "how_to_apply": cfg.how_to_apply,
        },
        "wards": [w.name for w in p.wards],
        "places": places,
    }
