"""One report's page for staff: facts, transcript, routing, referrals, SMS, linked reports and timeline.

Linked reports the viewer may not open are never named on the page (links, timeline, routing reasons,
messages): each such reference is replaced by a neutral phrase, and they are only counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.conversation import report_transcript
from casework.core.audit import audit
from casework.core.models import Contact, DiaryEntry, OutboxMessage, PhoneConfirmation, Report, ReportEvent
from casework.core.safe_contact import current_text_safe
from casework.diary import diary_entries
from casework.staff.access import Actor, get_report_for, hidden_references, redact_references, report_scope
from casework.staff.badges import Badge, badges_for, has_new_diary, is_overdue
from casework.staff.evidence_files import EvidenceItem, files_on_report

T = TypeVar("T")


@dataclass
class TranscriptLine:
    """One turn of the conversation that made the report."""

    speaker: str
    text: str
    at: datetime | None


@dataclass
class ReportPage:
    """Everything the report page shows."""

    report: Report
    contact: Contact | None
    # The resident's answer to "is it safe to text you?" that holds for this report now (latest wins).
    text_safe: bool | None
    badges: list[Badge]
    overdue: bool
    transcript: list[TranscriptLine]
    referrals: list[OutboxMessage]
    sms: list[OutboxMessage]
    # Linked reports the viewer may open; the others are only counted, never named.
    linked_to: Report | None
    duplicates: list[Report]
    timeline: list[ReportEvent]
    routing_reasons: list[str] = field(default_factory=list)
    linked_elsewhere: bool = False
    other_duplicates: int = 0
    subjects: Any = None  # casework.subjects.ReportSubjects, filled by the desk
    files: list[EvidenceItem] = field(default_factory=list)
    diary: list[DiaryEntry] = field(default_factory=list)
    # A web chat report whose texts go to a number the chat confirmed with a code: when it was confirmed.
    number_confirmed_at: datetime | None = None


@dataclass
class _Linked:
    """The report's links as this viewer may see them."""

    linked_to: Report | None
    duplicates: list[Report]
    all_duplicates: int


def _transcript(session: Session, report: Report) -> list[TranscriptLine]:
    if report.transcript:
        lines = []
        for turn in report.transcript:
            if isinstance(turn, dict):
                at = turn.get("at") or turn.get("created_at")
                lines.append(
                    TranscriptLine(
                        speaker=str(turn.get("speaker") or turn.get("role") or "?"),
                        text=str(turn.get("text") or ""),
                        at=datetime.fromisoformat(at) if isinstance(at, str) else None,
                    )
                )
        return lines
    # Only the conversation that filed this report: never the same resident's other conversations.
    return [
        TranscriptLine(speaker=t.speaker, text=t.text, at=t.created_at)
        for t in report_transcript(session, report.id)
    ]


def _reason_text(reason: Any) -> str:
    if isinstance(reason, dict):
        return str(reason.get("text") or reason.get("reason") or reason)
    return str(reason)


def _for_display(session: Session, rows: list[T]) -> list[T]:
    """Detach rows so their text can be redacted for this page without the change being saved."""
    for row in rows:
        session.expunge(row)
    return rows


def _linked(session: Session, actor: Actor, report: Report) -> _Linked:
    all_duplicates = session.scalars(select(Report.id).where(Report.linked_to_id == report.id)).all()
    duplicates = session.scalars(
        select(Report)
        .where(Report.linked_to_id == report.id, report_scope(actor))
        .order_by(Report.created_at)
    ).all()
    linked_to = (
        session.scalar(select(Report).where(Report.id == report.linked_to_id, report_scope(actor)))
        if report.linked_to_id
        else None
    )
    return _Linked(linked_to=linked_to, duplicates=list(duplicates), all_duplicates=len(all_duplicates))


def _redacted(
    session: Session,
    actor: Actor,
    reasons: list[str],
    timeline: Sequence[ReportEvent],
    outbox: Sequence[OutboxMessage],
) -> tuple[list[str], list[ReportEvent], list[OutboxMessage]]:
    """Routing reasons, timeline and messages with references the actor may not open replaced."""
    texts = [*reasons, *(e.body for e in timeline), *(t for m in outbox for t in (m.error_message, m.body))]
    hidden = hidden_references(session, actor, texts)
    if not hidden:
        return reasons, list(timeline), list(outbox)
    events = _for_display(session, list(timeline))
    messages = _for_display(session, list(outbox))
    for event in events:
        event.body = redact_references(event.body, hidden)
    for message in messages:
        message.body = redact_references(message.body, hidden)
        message.error_message = redact_references(message.error_message or "", hidden) or None
    return [redact_references(r, hidden) for r in reasons], events, messages


def _badges(report: Report, *, linked_count: int, overdue: bool) -> list[Badge]:
    return badges_for(
        risk_level=report.risk_level,
        repeat_victim_count=report.repeat_victim_count or 0,
        repeat_location_count=report.repeat_location_count or 0,
        case_review_eligible=report.case_review_eligible,
        linked_count=linked_count,
        overdue=overdue,
        hate=report.hate,
        domestic_abuse=report.domestic_abuse,
        hotspot=report.hotspot,
        diary_count=report.diary_count or 0,
        new_diary=has_new_diary(report.status, report.last_diary_at, report.last_public_update_at),
    )


def _number_confirmed_at(session: Session, report: Report, contact: Contact | None) -> datetime | None:
    """When the chat that made this web report confirmed the number its texts now go to, if it did."""
    if report.channel != "web" or contact is None or not contact.phone or not report.conversation_id:
        return None
    return session.scalar(
        select(PhoneConfirmation.confirmed_at)
        .join(Contact, Contact.id == PhoneConfirmation.contact_id)
        .where(
            Contact.sender_id == report.conversation_id,
            PhoneConfirmation.sms_contact_id == contact.id,
            PhoneConfirmation.confirmed_at.is_not(None),
        )
        .order_by(PhoneConfirmation.confirmed_at.desc())
        .limit(1)
    )


def open_report(session: Session, *, actor: Actor, reference: str, now: datetime) -> ReportPage:
    """Load the report page for an actor who may see it, auditing the view (caller commits)."""
    report = get_report_for(session, actor, reference)
    contact = session.get(Contact, report.contact_id) if report.contact_id else None
    outbox = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.report_id == report.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    timeline = session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id == report.id)
        .order_by(ReportEvent.created_at, ReportEvent.id)
    ).all()
    linked = _linked(session, actor, report)
    reasons, events, messages = _redacted(
        session, actor, [_reason_text(r) for r in (report.routing_reasons or [])], timeline, outbox
    )
    overdue = is_overdue(
        status=report.status, due_at=report.due_at, first_response_at=report.first_response_at, now=now
    )
    audit(
        session,
        actor=actor.label,
        action="report.view",
        at=now,
        target_type="report",
        target_id=report.reference,
        ip=actor.ip,
    )
    return ReportPage(
        report=report,
        contact=contact,
        text_safe=current_text_safe(report, contact),
        badges=_badges(report, linked_count=linked.all_duplicates, overdue=overdue),
        overdue=overdue,
        transcript=_transcript(session, report),
        referrals=[m for m in messages if m.kind == "referral"],
        sms=[m for m in messages if m.kind == "sms"],
        linked_to=linked.linked_to,
        duplicates=linked.duplicates,
        timeline=events,
        routing_reasons=reasons,
        linked_elsewhere=report.linked_to_id is not None and linked.linked_to is None,
        other_duplicates=linked.all_duplicates - len(linked.duplicates),
        files=files_on_report(session, report.id),
        diary=diary_entries(session, report.id),
        number_confirmed_at=_number_confirmed_at(session, report, contact),
    )
