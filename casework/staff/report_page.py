"""One report's page for staff: facts, transcript, routing, referrals, SMS, linked reports and timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.audit import audit
from casework.core.models import ChatTurn, Contact, DiaryEntry, OutboxMessage, Report, ReportEvent
from casework.diary import diary_entries
from casework.staff.access import Actor, get_report_for
from casework.staff.badges import has_new_diary
from casework.staff.inbox import TRANSCRIPT_AFTER, TRANSCRIPT_BEFORE, Badge, badges_for, is_overdue


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
    badges: list[Badge]
    overdue: bool
    transcript: list[TranscriptLine]
    referrals: list[OutboxMessage]
    sms: list[OutboxMessage]
    linked_to: Report | None
    duplicates: list[Report]
    timeline: list[ReportEvent]
    diary: list[DiaryEntry]


def _transcript(session: Session, report: Report, contact: Contact | None) -> list[TranscriptLine]:
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
    sender = report.conversation_id or (contact.sender_id if contact else None)
    if not sender:
        return []
    turns = session.scalars(
        select(ChatTurn)
        .where(
            ChatTurn.sender_id == sender,
            ChatTurn.created_at >= report.created_at - TRANSCRIPT_BEFORE,
            ChatTurn.created_at <= report.created_at + TRANSCRIPT_AFTER,
        )
        .order_by(ChatTurn.created_at, ChatTurn.id)
        .limit(300)
    ).all()
    return [TranscriptLine(speaker=t.speaker, text=t.text, at=t.created_at) for t in turns]


def open_report(session: Session, *, actor: Actor, reference: str, now: datetime) -> ReportPage:
    """Load the report page for an actor who may see it, auditing the view (caller commits)."""
    report = get_report_for(session, actor, reference)
    contact = session.get(Contact, report.contact_id) if report.contact_id else None
    outbox = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.report_id == report.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    duplicates = session.scalars(
        select(Report).where(Report.linked_to_id == report.id).order_by(Report.created_at)
    ).all()
    linked_to = session.get(Report, report.linked_to_id) if report.linked_to_id else None
    timeline = session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id == report.id)
        .order_by(ReportEvent.created_at, ReportEvent.id)
    ).all()
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
        badges=badges_for(
            risk_level=report.risk_level,
            repeat_victim_count=report.repeat_victim_count or 0,
            repeat_location_count=report.repeat_location_count or 0,
            case_review_eligible=report.case_review_eligible,
            linked_count=len(duplicates),
            overdue=overdue,
            hate=report.hate,
            domestic_abuse=report.domestic_abuse,
            hotspot=report.hotspot,
            diary_count=report.diary_count or 0,
            new_diary=has_new_diary(report.status, report.last_diary_at, report.last_public_update_at),
        ),
        overdue=overdue,
        transcript=_transcript(session, report, contact),
        referrals=[m for m in outbox if m.kind == "referral"],
        sms=[m for m in outbox if m.kind == "sms"],
        linked_to=linked_to,
        duplicates=list(duplicates),
        timeline=list(timeline),
        diary=diary_entries(session, report.id),
    )
