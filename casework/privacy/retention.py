"""Retention: anonymise closed reports after a set period; delete old conversations, SMS and trackers.

What is kept, where and for how long (README "Data protection"):
- A closed report keeps its reference and the fields used for statistics (type, NSIR class, ward, place
  key, postcode sector, risk level, hate/domestic-abuse flags, agencies, status, dates, counts, survey
  scores) for RETENTION_CLOSED_REPORT_DAYS (default 730) after closure; then the resident's words
  (description, place, time, transcript, outcome, risk answers and reasons), the link to the contact and
  the text of its timeline and messages are removed, and the postcode is cut to its sector.
- Stored inbound SMS, web chat turns, finished SMS not tied to a report, contacts with nothing left, and
  Rasa conversation trackers are deleted RETENTION_CONVERSATION_DAYS (default 90) after their last use.
The notifier runs `run_retention` daily; every run is written to the audit trail.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, create_engine, delete, exists, inspect, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from casework.core.audit import audit
from casework.core.bootstrap import Services
from casework.core.db import normalise_url, transaction
from casework.core.models import (
    ChatTurn,
    Contact,
    DiaryEntry,
    EvidenceFile,
    InboundSms,
    OutboxMessage,
    PhoneConfirmation,
    Report,
    ReportEvent,
    WebChatRequest,
)
from casework.core.states import FINISHED, UNSENT, OutboxStatus, ReportStatus
from casework.evidence import mark_files_for_purge, purge_files
from casework.privacy.report_text import (
    STATISTICAL_EVENT_KEYS,
    anonymise_casework,
    remove_free_text_elsewhere,
)
from casework.subjects import purge_subjects

log = logging.getLogger(__name__)

REMOVED = "[removed under the retention policy]"
ERASED = "[erased at the resident's request]"
BATCH = 200
DAY = timedelta(days=1)
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d)[A-Z]{2}$")
_SECTOR = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d)$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


@dataclass
class RetentionResult:
    """What one retention run changed (counts only; no personal data)."""

    reports_anonymised: int = 0
    outbox_rows_cleared: int = 0
    inbound_sms_deleted: int = 0
    chat_turns_deleted: int = 0
    sms_outbox_deleted: int = 0
    contacts_deleted: int = 0
    number_confirmations_deleted: int = 0
    subjects_deleted: int = 0
    evidence_files_deleted: int = 0
    # None when no SQL tracker store is configured (RASA_TRACKER_DB_URL unset).
    tracker_conversations_deleted: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The counts as a plain dict (for the audit trail and logs)."""
        return asdict(self)


def rowcount(result: Any) -> int:
    """Rows changed by an UPDATE or DELETE (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


def postcode_sector(postcode: str | None) -> str | None:
    """The postcode's sector ("WS13 6YY" → "WS13 6"); the district alone or None when it is not a postcode."""
    if not postcode:
        return None
    compact = re.sub(r"\s+", "", postcode.upper())
    match = _POSTCODE.match(compact) or _SECTOR.match(compact)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return compact if _OUTWARD.match(compact) else None


def anonymise_report(session: Session, report: Report, *, now: datetime, marker: str = REMOVED) -> int:
    """Remove the personal content of one report, its timeline text and its messages; returns rows cleared.

    Kept: reference, type, class, ward, place key, postcode sector, risk level, flags, agencies, status,
    dates and counts, so the partnership's statistics do not change.
    """
    report.description = marker
    report.location_text = ""
    report.occurred_text = ""
    report.outcome = marker if report.outcome else None
    report.landlord = None  # an agency id or the resident's words (a private landlord's name)
    report.transcript = []
    # The conversation that filed it goes with it (the retention of conversations usually got there first).
    session.execute(
        delete(ChatTurn).where(ChatTurn.report_id == report.id).execution_options(synchronize_session=False)
    )
    report.risk_answers = {}
    report.risk_reasons = []
    report.postcode = postcode_sector(report.postcode)
    # About 1 km: enough for a ward map, not enough to point at a house.
    report.latitude = round(report.latitude, 2) if report.latitude is not None else None
    report.longitude = round(report.longitude, 2) if report.longitude is not None else None
    report.contact_id = None
    report.conversation_id = None
    report.intake_key = None
    report.anonymised_at = now
    report.updated_at = now
    # Photos and recordings are personal data: their stored objects are deleted (purge_files) after commit.
    mark_files_for_purge(session, EvidenceFile.report_id == report.id, now=now)
    anonymise_casework(session, report, now=now)
    for event in session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)):
        event.body = ""
        event.data = {k: v for k, v in (event.data or {}).items() if k in STATISTICAL_EVENT_KEYS}
    remove_free_text_elsewhere(session, report, marker=marker)
    anonymise_diary(session, DiaryEntry.report_id == report.id, now=now, marker=marker)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.report_id == report.id, OutboxMessage.status.in_(UNSENT))
        .values(status=OutboxStatus.CANCELLED, error_message=f"not sent: {marker}", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    # SMS recipients are residents' numbers; referral recipients are agency addresses and stay.
    cleared = rowcount(
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.report_id == report.id, OutboxMessage.kind == "sms")
            .values(recipient="", body="", payload={}, contact_id=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    return cleared + rowcount(
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.report_id == report.id, OutboxMessage.kind != "sms")
            .values(body="", payload={}, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    )


def anonymise_diary(session: Session, where: Any, *, now: datetime, marker: str = REMOVED) -> int:
    """Clear the words of diary entries and their link to the contact; when they happened is kept."""
    return rowcount(
        session.execute(
            update(DiaryEntry)
            .where(where, DiaryEntry.anonymised_at.is_(None))
            .values(text=marker, occurred_text="", contact_id=None, anonymised_at=now)
            .execution_options(synchronize_session=False)
        )
    )


def _reports_due(session: Session, cutoff: datetime) -> list[int]:
    primary = select(Report.id).where(
        Report.status == ReportStatus.CLOSED,
        Report.closed_at.is_not(None),
        Report.closed_at <= cutoff,
        Report.anonymised_at.is_(None),
    )
    ids = list(session.scalars(primary.order_by(Report.id).limit(BATCH)))
    if ids:
        return ids
    # Duplicates linked to a report that is already anonymised go once they too are old.
    parent = Report.__table__.alias("parent")
    linked = (
        select(Report.id)
        .join(parent, parent.c.id == Report.linked_to_id)
        .where(
            Report.anonymised_at.is_(None), Report.updated_at <= cutoff, parent.c.anonymised_at.is_not(None)
        )
        .order_by(Report.id)
        .limit(BATCH)
    )
    return list(session.scalars(linked))


def anonymise_closed_reports(services: Services, *, now: datetime, result: RetentionResult) -> None:
    """Anonymise every report closed longer than the retention period, in short transactions."""
    cutoff = now - timedelta(days=services.settings.RETENTION_CLOSED_REPORT_DAYS)
    while True:
        with transaction(services.sessions) as session:
            ids = _reports_due(session, cutoff)
            if not ids:
                return
            for report in session.scalars(select(Report).where(Report.id.in_(ids)).with_for_update()):
                if report.anonymised_at is not None:  # another notifier got there first
                    continue
                result.outbox_rows_cleared += anonymise_report(session, report, now=now)
                result.reports_anonymised += 1


def delete_old_conversations(session: Session, *, now: datetime, days: int, result: RetentionResult) -> None:
    """Delete stored SMS, chat turns, finished stand-alone SMS and contacts left with nothing."""
    cutoff = now - timedelta(days=days)
    result.inbound_sms_deleted += rowcount(
        session.execute(delete(InboundSms).where(InboundSms.created_at < cutoff))
    )
    result.chat_turns_deleted += rowcount(
        session.execute(delete(ChatTurn).where(ChatTurn.created_at < cutoff))
    )
    # Web chat request counts are only for the rate limits (a minute); a day is plenty for diagnosis.
    session.execute(delete(WebChatRequest).where(WebChatRequest.created_at < now - DAY))
    # A number typed for updates by text: a day if never confirmed (enough for the per-number code limit),
    # with the conversation once confirmed.
    result.number_confirmations_deleted += rowcount(
        session.execute(
            delete(PhoneConfirmation).where(
                or_(
                    and_(PhoneConfirmation.confirmed_at.is_(None), PhoneConfirmation.created_at < now - DAY),
                    PhoneConfirmation.confirmed_at < cutoff,
                )
            )
        )
    )
    finished_stand_alone_sms = delete(OutboxMessage).where(
        OutboxMessage.kind == "sms",
        OutboxMessage.report_id.is_(None),
        OutboxMessage.status.in_(FINISHED),
        OutboxMessage.created_at < cutoff,
    )
    result.sms_outbox_deleted += rowcount(session.execute(finished_stand_alone_sms))
    idle = select(Contact.id).where(
        Contact.updated_at < cutoff,
        ~exists().where(Report.contact_id == Contact.id),
        ~exists().where(DiaryEntry.contact_id == Contact.id),
        ~exists().where(InboundSms.contact_id == Contact.id),
        ~exists().where(ChatTurn.sender_id == Contact.sender_id),
        ~exists().where(EvidenceFile.contact_id == Contact.id),
        ~exists().where(
            or_(PhoneConfirmation.contact_id == Contact.id, PhoneConfirmation.sms_contact_id == Contact.id)
        ),
        ~exists().where(OutboxMessage.contact_id == Contact.id, OutboxMessage.status.not_in(FINISHED)),
    )
    ids = list(session.scalars(idle))
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.contact_id.in_(ids))
            .values(contact_id=None, recipient="", body="", updated_at=now)
        )
        result.contacts_deleted += rowcount(session.execute(delete(Contact).where(Contact.id.in_(ids))))


def tracker_engine(url: str) -> Engine | None:
    """An engine on Rasa's SQL tracker store, or None when it is not configured."""
    return create_engine(normalise_url(url), pool_pre_ping=True) if url else None


def _events_table_exists(engine: Engine) -> bool:
    return inspect(engine).has_table("events")


def delete_idle_trackers(url: str, *, now: datetime, days: int) -> int | None:
    """Delete Rasa conversations (table `events`) whose last event is older than the period.

    A conversation is removed whole, never in part, so a resident who is still talking keeps their state.
    Returns the number of conversations removed, or None when no SQL tracker store is configured.
    """
    engine = tracker_engine(url)
    if engine is None:
        log.info("retention: RASA_TRACKER_DB_URL is not set; Rasa trackers are not pruned by this job")
        return None
    try:
        if not _events_table_exists(engine):
            log.info("retention: the tracker store has no events table yet; nothing to prune")
            return 0
        cutoff = (now - timedelta(days=days)).timestamp()
        # Rasa's own table: one row per event, with sender_id and timestamp (epoch seconds).
        with engine.begin() as conn:
            idle = [
                row[0]
                for row in conn.execute(
                    text("SELECT sender_id FROM events GROUP BY sender_id HAVING max(timestamp) < :cutoff"),
                    {"cutoff": cutoff},
                )
            ]
            for start in range(0, len(idle), 500):
                chunk = idle[start : start + 500]
                params = {f"s{i}": s for i, s in enumerate(chunk)}
                marks = ", ".join(f":s{i}" for i in range(len(chunk)))
                conn.execute(text(f"DELETE FROM events WHERE sender_id IN ({marks})"), params)
        return len(idle)
    finally:
        engine.dispose()


def delete_trackers_for(url: str, sender_ids: list[str]) -> int | None:
    """Delete every Rasa tracker event of the given conversations; None when no tracker store is set."""
    engine = tracker_engine(url)
    if engine is None:
        return None
    try:
        if not sender_ids or not _events_table_exists(engine):
            return 0
        params = {f"s{i}": s for i, s in enumerate(sender_ids)}
        marks = ", ".join(f":s{i}" for i in range(len(sender_ids)))
        with engine.begin() as conn:
            return int(
                conn.execute(text(f"DELETE FROM events WHERE sender_id IN ({marks})"), params).rowcount or 0
            )
    finally:
        engine.dispose()


def run_retention(services: Services) -> RetentionResult:
    """The daily retention job: anonymise old closed reports, delete old conversations and trackers."""
    now = services.clock.now()
    settings = services.settings
    result = RetentionResult()
    anonymise_closed_reports(services, now=now, result=result)
    with transaction(services.sessions) as session:
        # Files never attached to a report go with the conversation they came in.
        cutoff = now - timedelta(days=settings.RETENTION_CONVERSATION_DAYS)
        mark_files_for_purge(
            session, (EvidenceFile.report_id.is_(None)) & (EvidenceFile.created_at < cutoff), now=now
        )
        delete_old_conversations(session, now=now, days=settings.RETENTION_CONVERSATION_DAYS, result=result)
        result.subjects_deleted = purge_subjects(
            session, now=now, unlinked_days=settings.RETENTION_SUBJECT_UNLINKED_DAYS
        )
    result.evidence_files_deleted = purge_files(services)
    try:
        result.tracker_conversations_deleted = delete_idle_trackers(
            settings.RASA_TRACKER_DB_URL, now=now, days=settings.RETENTION_CONVERSATION_DAYS
        )
    except SQLAlchemyError as exc:
        # The casework part is done and committed; the trackers are tried again tomorrow.
        log.error("retention: could not prune Rasa trackers: %s", type(exc).__name__)
    with transaction(services.sessions) as session:
        audit(
            session,
            actor="system:retention",
            action="retention.run",
            at=now,
            detail={
                **result.as_dict(),
                "closed_report_days": settings.RETENTION_CLOSED_REPORT_DAYS,
                "conversation_days": settings.RETENTION_CONVERSATION_DAYS,
                "subject_unlinked_days": settings.RETENTION_SUBJECT_UNLINKED_DAYS,
            },
        )
    log.info("retention: %s", ", ".join(f"{k}={v}" for k, v in result.as_dict().items()))
    return result


__all__ = [
    "ERASED",
    "REMOVED",
    "RetentionResult",
    "anonymise_report",
    "delete_idle_trackers",
    "delete_trackers_for",
    "postcode_sector",
    "run_retention",
]
