"""Codes that confirm a web chat reporter's mobile number, and what a confirmed number changes.

Rule functions (the web chat use case owns the transaction). A code is 6 random digits, stored only as
HMAC-SHA256(SENDER_ID_KEY, salt:code), good for 15 minutes and 5 tries, and texted at once through the
outbox with minimal words (no mention of ASB or the report). Codes are limited per chat and per number in
any 24 hours and across the site an hour (settings WEB_CHAT_CODES_*). None goes to a number that said
STOP, is invalid or whose owner said texting is not safe, nor from a chat that ever said it is not safe.

When the code comes back, the number's own SMS contact (created if new, marked confirmed) becomes the
contact of the chat's open reports that asked for updates: from then on they are texted exactly as an SMS
reporter's are (the safe-contact rule, quiet hours, STOP, the daily cap), each report's timeline says so,
and a report not yet acknowledged by text gets its acknowledgement.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from casework.conversation.contacts import (
    InvalidPhoneNumber,
    confirm_phone,
    get_or_create_sms_contact,
    uk_mobile,
)
from casework.core.audit import add_event, audit
from casework.core.bootstrap import Services
from casework.core.confirmed_numbers import (
    CODE_LIFETIME,
    CODE_PURPOSE,
    CONFIRMED,
    PENDING,
    hide_code,
    said_not_safe,
)
from casework.core.models import Contact, OutboxMessage, PhoneConfirmation, Report
from casework.core.safe_contact import number_block_reason
from casework.core.sms_text import encoding, segments, smart_encode
from casework.core.workdays import format_date_for_resident
from casework.messaging import enqueue, notify_case_review, notify_filed

CODE_ATTEMPTS = 5
# The same number given again within this time (a retry, a double press) does not send a second code.
REPEAT_WINDOW = timedelta(minutes=1)
DAY = timedelta(days=1)
REPLACED, EXPIRED, LOCKED = "replaced", "expired", "locked"
CODE_TEXT = "{code} is your code for {service}. If you did not ask for it, ignore this text."


def _hash(key: str, salt: str, code: str) -> str:
    return hmac.new(key.encode("utf-8"), f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def _latest(session: Session, contact: Contact) -> PhoneConfirmation | None:
    return session.scalar(
        select(PhoneConfirmation)
        .where(PhoneConfirmation.contact_id == contact.id)
        .order_by(PhoneConfirmation.id.desc())
        .limit(1)
    )


def _count(session: Session, since: datetime, *where: ColumnElement[bool]) -> int:
    stmt = select(func.count(PhoneConfirmation.id)).where(PhoneConfirmation.created_at > since, *where)
    return int(session.scalar(stmt) or 0)


def over_limit(session: Session, services: Services, contact: Contact, phone: str, now: datetime) -> bool:
    """True when another code now would pass a limit: this chat's, this number's, or the site's."""
    s = services.settings
    return (
        _count(session, now - DAY, PhoneConfirmation.contact_id == contact.id)
        >= s.WEB_CHAT_CODES_PER_CHAT_PER_DAY
        or _count(session, now - DAY, PhoneConfirmation.phone == phone) >= s.WEB_CHAT_CODES_PER_NUMBER_PER_DAY
        or _count(session, now - timedelta(hours=1)) >= s.WEB_CHAT_CODES_PER_HOUR
    )


def _refusal(session: Session, contact: Contact, phone: str) -> str | None:
    """Why no code may be texted to this number for this chat (the status to relay), or None."""
    if said_not_safe(session, contact):
        return "not_safe"
    return "refused" if number_block_reason(session, phone) else None


def issue_code(session: Session, services: Services, contact: Contact, phone: str, now: datetime) -> None:
    """Replace any outstanding code of this chat with a new one and queue its text (to go at once)."""
    for older in session.scalars(
        select(PhoneConfirmation).where(
            PhoneConfirmation.contact_id == contact.id, PhoneConfirmation.status == PENDING
        )
    ):
        older.status = REPLACED
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    row = PhoneConfirmation(
        contact_id=contact.id,
        phone=phone,
        code_salt=salt,
        code_hash=_hash(services.settings.SENDER_ID_KEY, salt, code),
        status=PENDING,
        attempts=0,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    session.add(row)
    session.flush()
    body = smart_encode(
        CODE_TEXT.format(code=code, service=services.partnership.short_name or services.partnership.name)
    )
    text = enqueue(
        session,
        kind="sms",
        transport="sms",
        purpose=CODE_PURPOSE,
        now=now,
        recipient=phone,
        body=body,
        payload={"confirmation_id": row.id},
        contact_id=contact.id,
    )
    text.segments, text.encoding = segments(body), encoding(body)


def offer_number(
    session: Session, services: Services, contact: Contact, raw: str, now: datetime
) -> tuple[str, str]:
    """(status, last three digits) for a number typed at the number question; texts a code when it may.

    status: code_sent, not_mobile, not_safe, refused or limited.
    """
    try:
        phone = uk_mobile(raw)
    except InvalidPhoneNumber:
        return "not_mobile", ""
    ending = phone[-3:]
    refusal = _refusal(session, contact, phone)
    if refusal:
        return refusal, ending
    latest = _latest(session, contact)
    if (
        latest
        and latest.status == PENDING
        and latest.phone == phone
        and now - latest.created_at < REPEAT_WINDOW
    ):
        return "code_sent", ending
    if over_limit(session, services, contact, phone, now):
        return "limited", ending
    issue_code(session, services, contact, phone, now)
    return "code_sent", ending


def resend_code(session: Session, services: Services, contact: Contact, now: datetime) -> str:
    """A new code to the number this chat gave: resent, none (no number waiting), refused or limited."""
    latest = _latest(session, contact)
    if latest is None or latest.status == CONFIRMED:
        return "none"
    refusal = _refusal(session, contact, latest.phone)
    if refusal:
        return refusal
    if over_limit(session, services, contact, latest.phone, now):
        return "limited"
    issue_code(session, services, contact, latest.phone, now)
    return "resent"


def check_code(session: Session, services: Services, contact: Contact, code: str, now: datetime) -> str:
    """The chat's latest code against what the resident typed: confirmed, wrong, expired, locked or none."""
    row = _latest(session, contact)
    if row is None or row.status == REPLACED:
        return "none"
    matches = hmac.compare_digest(row.code_hash, _hash(services.settings.SENDER_ID_KEY, row.code_salt, code))
    if row.status == CONFIRMED:
        return "confirmed" if matches else "none"  # typed again after a lost answer: still confirmed
    if row.status == LOCKED:
        return "locked"
    if row.status == EXPIRED or now >= row.expires_at:
        row.status = EXPIRED
        return "expired"
    if matches:
        attach_number(session, services, contact, row, now)
        return "confirmed"
    row.attempts += 1
    if row.attempts >= CODE_ATTEMPTS:
        row.status = LOCKED
        return "locked"
    return "wrong"


def _reports_wanting_texts(session: Session, contact: Contact) -> list[Report]:
    """The chat's open, non-anonymous reports that asked for updates and were not said unsafe to text."""
    return list(
        session.scalars(
            select(Report)
            .where(
                or_(Report.conversation_id == contact.sender_id, Report.contact_id == contact.id),
                Report.anonymous.is_(False),
                Report.anonymised_at.is_(None),
                Report.closed_at.is_(None),
                Report.status != "closed",
                Report.wants_updates.is_(True),
                or_(Report.text_safe.is_(None), Report.text_safe.is_(True)),
            )
            .order_by(Report.id)
        )
    )


def attach_number(
    session: Session, services: Services, contact: Contact, row: PhoneConfirmation, now: datetime
) -> list[Report]:
    """The code matched: the number's SMS contact becomes the contact of the chat's reports wanting texts."""
    row.status, row.confirmed_at = CONFIRMED, now
    for older in session.scalars(
        select(PhoneConfirmation).where(
            PhoneConfirmation.contact_id == contact.id,
            PhoneConfirmation.status == CONFIRMED,
            PhoneConfirmation.id != row.id,
        )
    ):
        older.status = REPLACED
    number = get_or_create_sms_contact(session, phone=row.phone, key=services.settings.SENDER_ID_KEY, now=now)
    confirm_phone(number, now=now)  # shown to be the resident's: they typed the code texted to it
    row.sms_contact_id = number.id
    for text in session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.contact_id == contact.id, OutboxMessage.purpose == CODE_PURPOSE
        )
    ):
        text.body = hide_code(text.body)
    reports = _reports_wanting_texts(session, contact)
    for report in reports:
        report.contact = number
        report.updated_at = now
        add_event(
            session,
            report,
            kind="text_updates_confirmed",
            actor="resident",
            at=now,
            body="Updates by text: in web chat the reporter confirmed a mobile number ending "
            f"{row.phone[-3:]} with a texted code.",
        )
        _first_texts(session, services, report, now)
    audit(
        session,
        actor="resident",
        action="contact.number_confirmed",
        at=now,
        target_type="contact",
        target_id=contact.sender_id,
        detail={"reports": [r.reference for r in reports], "number_contact": number.sender_id},
    )
    return reports


def _first_texts(session: Session, services: Services, report: Report, now: datetime) -> None:
    """The texts filing would have queued had the number been known then (each at most once)."""
    p = services.partnership
    if report.last_public_update_at is not None:  # staff have already written: the update says more
        if report.case_review_eligible:
            notify_case_review(session, report, now=now, partnership=p)
        return
    respond_by = format_date_for_resident(report.due_at, p.timezone) if report.due_at else ""
    notify_filed(
        session,
        report,
        now=now,
        partnership=p,
        respond_by=respond_by,
        case_review=report.case_review_eligible,
    )
