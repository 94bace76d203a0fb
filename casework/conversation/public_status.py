"""What the assistant may tell a resident: a report's public status, and the partnership's public details.

A report's status is told only to the conversation that made it, or to the same contact (for SMS the
sender id is the same across conversations). Anyone else gets nothing, exactly as for an unknown
reference, so references cannot be used to probe for other people's reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.models import Contact, Report
from casework.core.references import parse_reference
from casework.core.workdays import format_date_for_resident
from casework.intake import root_of

if TYPE_CHECKING:
    from casework.partnership import Partnership

# Plain wording for residents; {agency} is the lead agency's name.
STATUS_TEXT: dict[str, str] = {
    "open": "received and with {agency}",
    "accepted": "accepted by {agency}, who are dealing with it",
    "in_progress": "being worked on by {agency}",
    "waiting": "waiting for more information; {agency} may contact you",
    "linked": "already being dealt with by {agency} (it was reported by someone else too)",
    "closed": "closed",
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

    def as_dict(self) -> dict[str, Any]:
        """The JSON body of GET /api/v1/status."""
        return {
            "reference": self.reference,
            "status": self.status,
            "status_text": self.status_text,
            "lead_agency_name": self.lead_agency_name,
            "respond_by_text": self.respond_by_text,
            "updated_at": self.updated_at.isoformat(),
        }


def _made_by(session: Session, report: Report, conversation_id: str) -> bool:
    if report.conversation_id and report.conversation_id == conversation_id:
        return True
    if report.contact_id is None:
        return False
    contact = session.get(Contact, report.contact_id)
    return contact is not None and contact.sender_id == conversation_id


def public_status(
    session: Session, reference: str, conversation_id: str, *, partnership: Partnership
) -> PublicStatus | None:
    """The public status of `reference` if `conversation_id` made it (or is the same contact); else None."""
    canonical = parse_reference(reference)
    if canonical is None or not conversation_id:
        return None
    report = session.scalar(select(Report).where(Report.reference == canonical))
    if report is None or not _made_by(session, report, conversation_id):
        return None
    # A linked duplicate follows its primary: the resident sees how the problem itself is going.
    shown = root_of(session, report) if report.linked_to_id else report
    status = "closed" if shown.status == "closed" else report.status
    agency = partnership.agencies.get(shown.lead_agency)
    agency_name = agency.name if agency else shown.lead_agency
    text = STATUS_TEXT.get(status, "{status} ({agency})").format(agency=agency_name, status=status)
    respond_by = None
    if status not in ("closed",) and report.due_at is not None:
        respond_by = "by " + format_date_for_resident(report.due_at, partnership.timezone)
    return PublicStatus(
        reference=report.reference,
        status=status,
        status_text=text,
        lead_agency_name=agency_name,
        respond_by_text=respond_by,
        updated_at=max(report.updated_at, shown.updated_at),
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
