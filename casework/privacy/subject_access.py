"""A resident's data rights by phone number: subject access (everything held, as data) and erasure.

Both are run by the data protection officer from the command line (`python -m casework.cli.privacy`) and
written to the audit trail. The audit trail names the contact by its opaque sender id, never the number.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from casework.conversation import normalise_phone, sms_sender_id
from casework.core.audit import audit
from casework.core.models import (
    AuditEvent,
    CaseReviewApplication,
    ChatTurn,
    Contact,
    DiaryEntry,
    EvidenceFile,
    InboundSms,
    Intervention,
    OutboxMessage,
    PhoneConfirmation,
    Report,
    ReportEvent,
    SurveyResponse,
)
from casework.core.states import UNSENT, EvidenceStatus, OutboxStatus, ReportStatus
from casework.core.values import isoformat as _iso
from casework.evidence import mark_files_for_purge
from casework.privacy.retention import ERASED, anonymise_diary, anonymise_report, rowcount


class OpenReportsNeedConfirmation(Exception):
    """Erasure would anonymise reports that are still open; the officer must confirm that explicitly."""

    def __init__(self, references: list[str]) -> None:
        super().__init__(
            "these reports are still open and would become unworkable: "
            + ", ".join(references)
            + ". Close them first, or confirm with --include-open."
        )
        self.references = references


@dataclass
class ErasureResult:
    """What an erasure removed (counts and references; no personal data)."""

    contacts_deleted: int = 0
    reports_anonymised: list[str] = field(default_factory=list)
    inbound_sms_deleted: int = 0
    chat_turns_deleted: int = 0
    outbox_cancelled: int = 0
    outbox_cleared: int = 0
    number_confirmations_deleted: int = 0
    evidence_files_marked: int = 0
    diary_entries_erased: int = 0
    sender_ids: list[str] = field(default_factory=list)
    tracker_events_deleted: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as a plain dict (for the audit trail and the command's output)."""
        return asdict(self)


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a row, datetimes as ISO 8601 text."""
    out: dict[str, Any] = {}
    for column in obj.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


def contacts_for_phone(session: Session, phone: str, *, sender_key: str) -> list[Contact]:
    """Every contact for a number: the SMS contact and any web chat that confirmed the number with a code.

    A chat that only typed the number (the code never came back) may be someone else: not included.
    """
    e164 = normalise_phone(phone)
    confirmed_chats = select(PhoneConfirmation.contact_id).where(
        PhoneConfirmation.phone == e164, PhoneConfirmation.confirmed_at.is_not(None)
    )
    return list(
        session.scalars(
            select(Contact)
            .where(
                or_(
                    Contact.phone == e164,
                    Contact.sender_id == sms_sender_id(e164, sender_key),
                    Contact.id.in_(confirmed_chats),
                )
            )
            .order_by(Contact.id)
        )
    )


def _confirmations_of(contact_ids: list[int], phone: str) -> Any:
    """The codes texted to the number, and the confirmations of its contacts."""
    return or_(
        PhoneConfirmation.phone == phone,
        PhoneConfirmation.contact_id.in_(contact_ids),
        PhoneConfirmation.sms_contact_id.in_(contact_ids),
    )


def _reports_for(session: Session, contact_ids: list[int], sender_ids: list[str]) -> list[Report]:
    # A report keeps the conversation's sender id too, so one filed before the contact row existed counts.
    where = or_(Report.contact_id.in_(contact_ids), Report.conversation_id.in_(sender_ids))
    return list(session.scalars(select(Report).where(where).order_by(Report.id)))


def _outbox_for(contacts: list[Contact], phone: str) -> Any:
    ids = [c.id for c in contacts]
    return or_(OutboxMessage.contact_id.in_(ids), OutboxMessage.recipient == phone)


SAR_NOTE = (
    "Everything this service holds about the number. Review before release: reports and staff "
    "notes may name other people or hold information exempt from disclosure."
)


def subject_access(session: Session, *, phone: str, sender_key: str, now: datetime) -> dict[str, Any]:
    """Everything held about a phone number, as a JSON-ready dict (contacts, reports, messages, surveys)."""
    e164 = normalise_phone(phone)
    contacts = contacts_for_phone(session, e164, sender_key=sender_key)
    ids = [c.id for c in contacts]
    sender_ids = [c.sender_id for c in contacts]
    reports = _reports_for(session, ids, sender_ids)
    report_ids = [r.id for r in reports]
    events = session.scalars(
        select(ReportEvent).where(ReportEvent.report_id.in_(report_ids)).order_by(ReportEvent.id)
    )
    diary = _diary_of(session, report_ids, ids)
    surveys = session.scalars(
        select(SurveyResponse).where(SurveyResponse.report_id.in_(report_ids)).order_by(SurveyResponse.id)
    )
    inbound = session.scalars(
        select(InboundSms).where(InboundSms.contact_id.in_(ids)).order_by(InboundSms.id)
    )
    outbound = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "sms", _outbox_for(contacts, e164))
        .order_by(OutboxMessage.id)
    )
    turns = session.scalars(select(ChatTurn).where(ChatTurn.sender_id.in_(sender_ids)).order_by(ChatTurn.id))
    referrals = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind != "sms", OutboxMessage.report_id.in_(report_ids))
        .order_by(OutboxMessage.id)
    )
    files = session.scalars(select(EvidenceFile).where(_files_of(ids, sender_ids)).order_by(EvidenceFile.id))
    return {
        "subject": {"phone": e164},
        "generated_at": now.isoformat(),
        "note": SAR_NOTE,
        "contacts": [_row(c) for c in contacts],
        "reports": [
            {**_row(r), "reference": r.reference, "linked_to": r.linked_to.reference if r.linked_to else None}
            for r in reports
        ],
        "report_events": [{**_row(e), "report": _reference(reports, e.report_id)} for e in events],
        "diary_entries": [{**_row(d), "report": _reference(reports, d.report_id)} for d in diary],
        "survey_answers": [{**_row(s), "report": _reference(reports, s.report_id)} for s in surveys],
        "sms_received": [_row(m) for m in inbound],
        "sms_sent": [_row(m, skip=("payload", "claimed_by", "claimed_at")) for m in outbound],
        "chat_turns": [_row(t) for t in turns],
        # Codes texted to the number for updates by web chat (never the code itself).
        "number_confirmations": _number_confirmations(session, ids, e164),
        **_casework(session, reports, ids),
        # The files themselves are written beside the JSON by `casework.cli.privacy sar` (name = id).
        "evidence_files": [
            {
                **_row(f, skip=("storage_key", "thumb_key", "source_url")),
                "report": _reference(reports, f.report_id),
            }
            for f in files
            if f.status != EvidenceStatus.PURGE
        ],
        # Who the reports were disclosed to (the content sent is the report above).
        "referrals": [_referral(m, reports) for m in referrals],
    }


def _number_confirmations(session: Session, contact_ids: list[int], phone: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(PhoneConfirmation).where(_confirmations_of(contact_ids, phone)).order_by(PhoneConfirmation.id)
    )
    return [_row(c, skip=("code_salt", "code_hash", "contact_id", "sms_contact_id")) for c in rows]


def _diary_of(session: Session, report_ids: list[int], contact_ids: list[int]) -> Any:
    """The diary entries on the resident's reports, or left by them elsewhere."""
    return session.scalars(
        select(DiaryEntry)
        .where(or_(DiaryEntry.report_id.in_(report_ids), DiaryEntry.contact_id.in_(contact_ids)))
        .order_by(DiaryEntry.id)
    )


def _casework(session: Session, reports: list[Report], contact_ids: list[int]) -> dict[str, Any]:
    """The Case Reviews and interventions on the resident's reports (or applied for by them)."""
    report_ids = [r.id for r in reports]
    reviews = session.scalars(
        select(CaseReviewApplication)
        .where(
            or_(
                CaseReviewApplication.report_id.in_(report_ids),
                CaseReviewApplication.contact_id.in_(contact_ids),
            )
        )
        .order_by(CaseReviewApplication.id)
    )
    done = session.scalars(
        select(Intervention).where(Intervention.report_id.in_(report_ids)).order_by(Intervention.id)
    )
    return {
        "case_reviews": [{**_row(c), "report": _reference(reports, c.report_id)} for c in reviews],
        "interventions": [{**_row(i), "report": _reference(reports, i.report_id)} for i in done],
    }


def _referral(row: OutboxMessage, reports: list[Report]) -> dict[str, Any]:
    return {
        "report": _reference(reports, row.report_id) if row.report_id else None,
        "agency": row.agency_id,
        "transport": row.transport,
        "reason": row.purpose.removeprefix("referral_"),
        "status": row.status,
        "created_at": _iso(row.created_at),
        "sent_at": _iso(row.sent_at),
    }


def subject_files(session: Session, *, phone: str, sender_key: str) -> list[tuple[int, str, str]]:
    """(id, storage key, media type) of every stored file the number sent, for the subject access copy."""
    contacts = contacts_for_phone(session, normalise_phone(phone), sender_key=sender_key)
    where = _files_of([c.id for c in contacts], [c.sender_id for c in contacts])
    rows = session.execute(
        select(EvidenceFile.id, EvidenceFile.storage_key, EvidenceFile.media_type).where(
            where, EvidenceFile.status == EvidenceStatus.STORED, EvidenceFile.storage_key.is_not(None)
        )
    ).all()
    return [(i, str(k), str(t or "")) for i, k, t in rows]


def _files_of(contact_ids: list[int], sender_ids: list[str]) -> Any:
    return or_(EvidenceFile.contact_id.in_(contact_ids), EvidenceFile.sender_id.in_(sender_ids))


def _reference(reports: list[Report], report_id: int | None) -> str | None:
    return next((r.reference for r in reports if r.id == report_id), None)


def erase(
    session: Session, *, phone: str, sender_key: str, now: datetime, include_open: bool = False
) -> ErasureResult:
    """Erase everything about a number: reports anonymised, messages and chat deleted, contact removed.

    Raises OpenReportsNeedConfirmation (changing nothing) when a report is still open and include_open
    is False. Queued SMS to the number are cancelled so nothing goes after the erasure.
    """
    e164 = normalise_phone(phone)
    contacts = contacts_for_phone(session, e164, sender_key=sender_key)
    ids = [c.id for c in contacts]
    result = ErasureResult(sender_ids=[c.sender_id for c in contacts] or [sms_sender_id(e164, sender_key)])
    reports = _reports_for(session, ids, result.sender_ids)
    still_open = [r.reference for r in reports if r.status != ReportStatus.CLOSED and r.anonymised_at is None]
    if still_open and not include_open:
        raise OpenReportsNeedConfirmation(still_open)

    result.outbox_cancelled = rowcount(
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status.in_(UNSENT), _outbox_for(contacts, e164))
            .values(status=OutboxStatus.CANCELLED, error_message=f"not sent: {ERASED}", updated_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    # Before the reports and contacts change: every file this person sent is deleted (objects after commit).
    result.evidence_files_marked = mark_files_for_purge(session, _files_of(ids, result.sender_ids), now=now)
    # The number's diary entries (on its own reports, and any left by the contact elsewhere).
    mine = or_(DiaryEntry.report_id.in_([r.id for r in reports]), DiaryEntry.contact_id.in_(ids))
    result.diary_entries_erased = anonymise_diary(session, mine, now=now, marker=ERASED)
    for report in reports:
        result.outbox_cleared += anonymise_report(session, report, now=now, marker=ERASED)
        result.reports_anonymised.append(report.reference)
    result.outbox_cleared += rowcount(
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "sms", _outbox_for(contacts, e164))
            .values(recipient="", body="", payload={}, contact_id=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    session.execute(
        update(CaseReviewApplication)
        .where(CaseReviewApplication.contact_id.in_(ids))
        .values(contact_id=None, anonymised_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result.number_confirmations_deleted = rowcount(
        session.execute(
            delete(PhoneConfirmation)
            .where(_confirmations_of(ids, e164))
            .execution_options(synchronize_session=False)
        )
    )
    _delete_messages_and_contacts(session, contacts, result)
    return result


def _delete_messages_and_contacts(session: Session, contacts: list[Contact], result: ErasureResult) -> None:
    """The number's SMS received, chat turns and contacts themselves, counted in `result`."""
    ids = [c.id for c in contacts]
    inbound = list(session.scalars(select(InboundSms).where(InboundSms.contact_id.in_(ids))))
    for row in inbound:
        session.delete(row)
    result.inbound_sms_deleted = len(inbound)
    turns = list(session.scalars(select(ChatTurn).where(ChatTurn.sender_id.in_(result.sender_ids))))
    for turn in turns:
        session.delete(turn)
    result.chat_turns_deleted = len(turns)
    session.flush()
    for contact in contacts:
        session.delete(contact)
    result.contacts_deleted = len(contacts)
    session.flush()


def record_request(
    session: Session, *, actor: str, action: str, now: datetime, sender_id: str, detail: dict[str, Any]
) -> AuditEvent:
    """Audit a subject access or erasure request, naming the contact by its opaque sender id only."""
    return audit(
        session, actor=actor, action=action, at=now, target_type="contact", target_id=sender_id, detail=detail
    )
