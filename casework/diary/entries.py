"""Adding a diary entry to a report: "it's happening again", from the phone or chat that made it.

Only the conversation that made the report, or the same contact (casework.conversation.made_by), may add
to it; anyone else is answered exactly as for a reference that does not exist. An entry is one more
complaint: it goes on the report's timeline, to the lead agency by its referral method, into the repeat
victim count and the ASB Case Review count, and moves the report to the top of the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from casework.conversation import made_by
from casework.core.audit import add_event, audit
from casework.core.db import transaction
from casework.core.models import Contact, DiaryEntry, Report
from casework.core.references import parse_reference
from casework.core.states import ReportStatus
from casework.core.workdays import format_date_for_resident
from casework.diary.when import parse_when
from casework.intake import CaseReviewOutcome, assess_after_diary, contact_incidents, root_of
from casework.messaging import notify_case_review, queue_diary_update

if TYPE_CHECKING:
    from casework.partnership import Partnership

CHANNELS = ("sms", "web")
MAX_TEXT = 1000
MAX_WHEN = 200


class DiaryInputError(ValueError):
    """A bad request (message and field for the 400 answer)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DiaryReportNotFound(LookupError):
    """No such report made from this conversation: say nothing more (a stranger learns nothing)."""


class DiaryReportClosed(Exception):
    """The sender's report is closed: a new report is the way to tell us it is happening again."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


class ChooseReport(Exception):
    """No reference given and the sender has several open reports: they pick one."""

    def __init__(self, references: list[str]) -> None:
        super().__init__(", ".join(references))
        self.references = references


@dataclass(frozen=True)
class DiaryRequest:
    """What the assistant sends (POST /api/v1/reports/diary)."""

    conversation_id: str
    text: str
    channel: str
    reference: str | None = None
    occurred_text: str = ""


@dataclass
class DiaryResult:
    """The entry added and what to tell the resident."""

    entry: dict[str, Any]
    reference: str
    lead_agency_name: str
    case_review: dict[str, str | None]
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON body of the 201 answer."""
        return {
            "reference": self.reference,
            "entry": self.entry,
            "lead_agency_name": self.lead_agency_name,
            "case_review": self.case_review,
            "message": self.message,
        }


def parse_diary_request(body: Any) -> DiaryRequest:
    """Check the JSON body; DiaryInputError names the field."""
    if not isinstance(body, dict):
        raise DiaryInputError("Send a JSON object.", "body")

    def text_of(name: str, limit: int, required: bool) -> str:
        value = body.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise DiaryInputError(f"{name} must be a string.", name)
        value = value.strip()
        if required and not value:
            raise DiaryInputError(f"{name} is required.", name)
        if len(value) > limit:
            raise DiaryInputError(f"{name} must be at most {limit} characters.", name)
        return value

    channel = text_of("channel", 12, True)
    if channel not in CHANNELS:
        raise DiaryInputError(f"channel must be one of {', '.join(CHANNELS)}.", "channel")
    return DiaryRequest(
        conversation_id=text_of("conversation_id", 80, True),
        text=text_of("text", MAX_TEXT, True),
        channel=channel,
        reference=text_of("reference", 40, False) or None,
        occurred_text=text_of("occurred_text", MAX_WHEN, False),
    )


def open_reports_of(session: Session, conversation_id: str) -> list[Report]:
    """The sender's reports that are not closed or anonymised, newest first."""
    contact_ids = select(Contact.id).where(Contact.sender_id == conversation_id)
    return list(
        session.scalars(
            select(Report)
            .where(
                or_(Report.conversation_id == conversation_id, Report.contact_id.in_(contact_ids)),
                Report.anonymised_at.is_(None),
                Report.status != ReportStatus.CLOSED,
            )
            .order_by(Report.created_at.desc(), Report.id.desc())
        ).all()
    )


def _target(session: Session, req: DiaryRequest) -> Report:
    if req.reference is None:
        mine = open_reports_of(session, req.conversation_id)
        if not mine:
            raise DiaryReportNotFound
        if len(mine) > 1:
            raise ChooseReport([r.reference for r in mine])
        report = mine[0]
    else:
        canonical = parse_reference(req.reference)
        report_or_none = (
            session.scalar(select(Report).where(Report.reference == canonical)) if canonical else None
        )
        if report_or_none is None or not made_by(session, report_or_none, req.conversation_id):
            raise DiaryReportNotFound
        report = report_or_none
    if report.anonymised_at is not None:
        raise DiaryReportNotFound
    locked = session.scalar(select(Report).where(Report.id == report.id).with_for_update())
    assert locked is not None
    if locked.status == ReportStatus.CLOSED or (
        locked.linked_to_id and root_of(session, locked).status == ReportStatus.CLOSED
    ):
        raise DiaryReportClosed(locked.reference)
    return locked


def add_diary_entry(
    sessions: sessionmaker[Session], req: DiaryRequest, *, now: datetime, partnership: Partnership
) -> DiaryResult:
    """Add the resident's entry to their report (use case: one transaction)."""
    with transaction(sessions) as session:
        report = _target(session, req)
        return record_diary_entry(session, report, req, now=now, partnership=partnership)


def record_diary_entry(
    session: Session, report: Report, req: DiaryRequest, *, now: datetime, partnership: Partnership
) -> DiaryResult:
    """Store the entry and everything that follows from it (rule: the caller commits)."""
    contact = session.scalar(select(Contact).where(Contact.sender_id == req.conversation_id))
    entry = DiaryEntry(
        report_id=report.id,
        contact_id=contact.id if contact is not None else report.contact_id,
        channel=req.channel,
        text=req.text,
        occurred_text=req.occurred_text,
        occurred_at=parse_when(req.occurred_text or req.text, now),
        created_at=now,
    )
    session.add(entry)
    session.flush()
    primary = root_of(session, report) if report.linked_to_id else report
    for touched in {report.id: report, primary.id: primary}.values():
        touched.last_activity_at = now
        touched.updated_at = now
    report.diary_count = (report.diary_count or 0) + 1
    report.last_diary_at = now
    when = _when_words(entry, partnership)
    add_event(
        session,
        report,
        kind="diary_entry",
        actor="resident",
        at=now,
        public=True,
        body=f"Diary entry ({when}): {entry.text}",
        data={"entry_id": entry.id, "channel": entry.channel, "occurred_text": entry.occurred_text},
    )
    _count_repeat(session, report, now=now, partnership=partnership)
    review = _case_review(session, report, now=now, partnership=partnership)
    via = report.reference if primary is not report else None
    queue_diary_update(session, primary, entry, now=now, partnership=partnership, via=via)
    audit(
        session,
        actor="resident",
        action="report.diary_entry",
        at=now,
        target_type="report",
        target_id=report.reference,
        detail={"entry_id": entry.id, "channel": entry.channel, "case_review": review.status},
    )
    session.flush()
    agency = partnership.agencies.get(primary.lead_agency)
    agency_name = agency.name if agency else primary.lead_agency
    return DiaryResult(
        entry=entry_as_dict(entry, reference=report.reference),
        reference=report.reference,
        lead_agency_name=agency_name,
        case_review={"status": review.status, "message": review.message},
        message=f"Thank you. I've added this to report {report.reference} and passed it to {agency_name}.",
    )


def _when_words(entry: DiaryEntry, partnership: Partnership) -> str:
    if entry.occurred_at is None:
        return entry.occurred_text or "time not said"
    local = entry.occurred_at.astimezone(partnership.tz)
    return f"{format_date_for_resident(entry.occurred_at, partnership.timezone)} {local:%H:%M}"


def _count_repeat(session: Session, report: Report, *, now: datetime, partnership: Partnership) -> None:
    """The reporter's reports and diary entries in the repeat-victim window; flag when it first counts."""
    if report.contact_id is None:
        return
    count = contact_incidents(session, contact_id=report.contact_id, now=now, partnership=partnership)
    before = report.repeat_victim_count or 0
    report.repeat_victim_count = max(before, count)
    threshold = partnership.repeats.victim_reports
    if before < threshold <= report.repeat_victim_count:
        add_event(
            session,
            report,
            kind="repeat_victim",
            actor="system",
            at=now,
            body=f"Repeat victim: {report.repeat_victim_count} reports and diary entries in "
            f"{partnership.repeats.victim_window_days} days.",
            data={"count": report.repeat_victim_count},
        )


def _case_review(
    session: Session, report: Report, *, now: datetime, partnership: Partnership
) -> CaseReviewOutcome:
    """Explain the Case Review at the second complaint; at the threshold flag it and tell the resident."""
    review = assess_after_diary(session, report, now=now, partnership=partnership)
    if review.status == "none":
        return review
    report.case_review_explained = True
    add_event(
        session,
        report,
        kind=f"case_review_{review.status}",
        actor="system",
        at=now,
        body=("ASB Case Review threshold met: " if review.status == "eligible" else "Case Review explained: ")
        + "; ".join(review.reasons),
        data={"reasons": list(review.reasons), "qualifying_reports": review.qualifying_reports},
    )
    if review.status == "eligible":
        report.case_review_eligible = True
        notify_case_review(session, report, now=now, partnership=partnership)
    return review


def entry_as_dict(entry: DiaryEntry, *, reference: str) -> dict[str, Any]:
    """A diary entry as the APIs show it."""
    return {
        "id": entry.id,
        "reference": reference,
        "reported_at": entry.created_at.isoformat(),
        "occurred_at": entry.occurred_at.isoformat() if entry.occurred_at else None,
        "occurred_text": entry.occurred_text,
        "text": entry.text,
        "channel": entry.channel,
    }


def diary_entries(session: Session, report_id: int) -> list[DiaryEntry]:
    """A report's diary entries, oldest first (query: staff page, staff API, subject access)."""
    return list(
        session.scalars(
            select(DiaryEntry)
            .where(DiaryEntry.report_id == report_id)
            .order_by(DiaryEntry.created_at, DiaryEntry.id)
        ).all()
    )
