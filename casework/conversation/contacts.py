"""Contacts: who can be reached, the opaque sender ids the assistant sees, opt-out and safe-texting state.

A phone number lives only in `contacts.phone`. The assistant sees "sms-" + a keyed hash of the number
(HMAC-SHA256 with SENDER_ID_KEY), or "web-" + a random id for the web chat, never the number itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.core.models import Contact, OutboxMessage

SMS_PREFIX = "sms-"
WEB_PREFIX = "web-"
# 128 bits of the HMAC: far beyond collision risk for any partnership's residents, short enough to log.
SENDER_HASH_HEX = 32
OPTED_OUT_REASON = "not sent: number opted out (STOP)"
# Outbox states that have not yet reached Twilio; a STOP cancels them.
UNSENT_STATES = ("pending", "held")


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number we can send to (the message says why)."""


_WEB_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def normalise_phone(raw: str) -> str:
    """E.164 form of a phone number; UK national numbers (07…, 01…) become +44…."""
    text = re.sub(r"[\s().-]", "", raw or "")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("0"):
        text = "+44" + text[1:]
    elif text.startswith("44") and len(text) >= 12:
        text = "+" + text
    if not re.fullmatch(r"\+[1-9]\d{7,14}", text):
        raise InvalidPhoneNumber(
            f"{raw!r} is not a phone number (expected e.g. 07700 900123 or +447700900123)"
        )
    return text


def sms_sender_id(phone_e164: str, key: str) -> str:
    """The opaque sender id for a phone number: "sms-" + truncated HMAC-SHA256(key, number)."""
    if not key:
        raise ValueError("SENDER_ID_KEY is empty; the sender id would not be secret")
    digest = hmac.new(key.encode("utf-8"), phone_e164.encode("utf-8"), hashlib.sha256).hexdigest()
    return SMS_PREFIX + digest[:SENDER_HASH_HEX]


def new_web_id() -> str:
    """A fresh random id for a web chat visitor (the cookie value)."""
    return secrets.token_urlsafe(24)


def web_sender_id(web_id: str) -> str:
    """The sender id the assistant sees for a web chat cookie value."""
    if not _WEB_ID.match(web_id or ""):
        raise ValueError("web chat id is malformed")
    return WEB_PREFIX + web_id


def is_valid_web_id(web_id: str | None) -> bool:
    """True when a cookie value looks like one we issued (random, url-safe)."""
    return bool(web_id and _WEB_ID.match(web_id))


def _get_or_create(
    session: Session, *, sender_id: str, channel: str, phone: str | None, now: datetime
) -> Contact:
    contact = session.scalar(select(Contact).where(Contact.sender_id == sender_id))
    if contact is not None:
        return contact
    contact = Contact(
        sender_id=sender_id,
        channel=channel,
        phone=phone,
        sms_opted_out=False,
        number_invalid=False,
        created_at=now,
        updated_at=now,
    )
    # A concurrent first message from the same number may insert the row first; use theirs.
    try:
        with session.begin_nested():
            session.add(contact)
            session.flush()
    except IntegrityError:
        contact = session.scalars(select(Contact).where(Contact.sender_id == sender_id)).one()
    return contact


def get_or_create_sms_contact(session: Session, *, phone: str, key: str, now: datetime) -> Contact:
    """The contact for a texting number (created on first message)."""
    e164 = normalise_phone(phone)
    return _get_or_create(session, sender_id=sms_sender_id(e164, key), channel="sms", phone=e164, now=now)


def get_or_create_web_contact(session: Session, *, sender_id: str, now: datetime) -> Contact:
    """The contact for a web chat sender id (no personal data until they give a number)."""
    if not sender_id.startswith(WEB_PREFIX):
        raise ValueError("web contacts have sender ids starting with 'web-'")
    return _get_or_create(session, sender_id=sender_id, channel="web", phone=None, now=now)


def find_by_sender_id(session: Session, sender_id: str) -> Contact | None:
    """The contact behind an opaque sender id, if any."""
    return session.scalar(select(Contact).where(Contact.sender_id == sender_id))


def set_phone(session: Session, contact: Contact, phone: str, *, now: datetime) -> Contact:
    """Record a (new) number for a contact; a changed number means we must ask again if texting is safe."""
    e164 = normalise_phone(phone)
    if contact.phone != e164:
        contact.phone = e164
        contact.text_safe = None
        contact.text_safe_asked_at = None
        contact.number_invalid = False
        contact.updated_at = now
    return contact


def record_text_safe(contact: Contact, safe: bool, *, now: datetime) -> Contact:
    """Record the resident's answer to "is it safe for us to text you?"."""
    contact.text_safe = safe
    contact.text_safe_asked_at = now
    contact.updated_at = now
    return contact


def needs_text_safe_question(contact: Contact) -> bool:
    """True when we have a number but have not asked (since it last changed) whether texting is safe."""
    return bool(contact.phone) and contact.text_safe is None


def record_opt_out(session: Session, contact: Contact, *, now: datetime) -> int:
    """STOP: no SMS of any kind to this contact from now on; cancel what is queued. Returns rows cancelled."""
    contact.sms_opted_out = True
    contact.opted_out_at = now
    contact.updated_at = now
    match_contact = [OutboxMessage.contact_id == contact.id]
    if contact.phone:
        match_contact.append(OutboxMessage.recipient == contact.phone)
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == "sms",
            OutboxMessage.status.in_(UNSENT_STATES),
            or_(*match_contact),
        )
        .values(status="cancelled", error_message=OPTED_OUT_REASON, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def record_opt_in(contact: Contact, *, now: datetime) -> bool:
    """START: texts may go again. Returns True when the contact had opted out."""
    was_out = bool(contact.sms_opted_out)
    contact.sms_opted_out = False
    contact.opted_out_at = None
    contact.updated_at = now
    return was_out
