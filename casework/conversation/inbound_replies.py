"""Inbound SMS answered at the door, without the assistant: a fixed reply, and photos or files sent by MMS."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from casework.conversation.inbound_limits import _finish
from casework.conversation.inbound_terms import (
    EMPTY_REPLY,
    MEDIA_ONLY_ENDING,
    InboundStatus,
    IncomingSms,
    SmsReply,
)
from casework.conversation.transcript import RESIDENT, record_assistant_messages, record_turn
from casework.core.bootstrap import Services
from casework.core.models import Contact, InboundSms
from casework.evidence import take_sms_media


def _say(
    session: Session,
    row: InboundSms,
    contact: Contact,
    text: str,
    *,
    status: InboundStatus,
    now: datetime,
    heard: str | None = None,
) -> SmsReply:
    """Answer without the assistant; keep both sides in the transcript."""
    record_turn(session, sender_id=contact.sender_id, speaker=RESIDENT, text=heard or row.body, now=now)
    messages = [{"text": text}]
    record_assistant_messages(session, sender_id=contact.sender_id, messages=messages, now=now)
    return _finish(row, status=status, messages=messages, now=now)


def _no_words(
    session: Session, row: InboundSms, contact: Contact, media: list[str], num_media: int, now: datetime
) -> SmsReply:
    """A message with no words: photos are acknowledged (and words asked for); an empty text is refused."""
    if not num_media:
        return _say(
            session,
            row,
            contact,
            EMPTY_REPLY,
            status=InboundStatus.REJECTED,
            now=now,
            heard="[empty message]",
        )
    text = " ".join([*media, MEDIA_ONLY_ENDING])
    heard = f"[{num_media} photo/file(s), no text]"
    return _say(session, row, contact, text, status=InboundStatus.ANSWERED, now=now, heard=heard)


def _take_media(
    session: Session, services: Services, contact: Contact, incoming: IncomingSms, now: datetime
) -> list[str]:
    """Write down the MMS items (fetched after we answer) and say what the resident is told about them."""
    if not incoming.media:
        return []
    return take_sms_media(
        session,
        settings=services.settings,
        contact=contact,
        message_sid=incoming.message_sid,
        account_sid=incoming.account_sid,
        items=incoming.media,
        now=now,
    )
