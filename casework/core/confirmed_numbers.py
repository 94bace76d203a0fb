"""Numbers web chat residents confirmed with a texted code, as filing and sending need them.

The conversation capability issues and checks the codes (casework.conversation.text_updates); filing a
report asks here whether its chat already has a confirmed number and whether the resident ever said
texting is not safe, and the notifier asks whether a code text may still go. Shared kernel, because
intake, conversation and messaging all need it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.models import Contact, OutboxMessage, PhoneConfirmation, Report
from casework.core.safe_contact import number_block_reason

# The outbox purpose of the code text; the code lives in its body only until it is handed over.
CODE_PURPOSE = "phone_code"
CODE_LIFETIME = timedelta(minutes=15)


class ConfirmationStatus(StrEnum):
    """A web chat number: pending (a code texted, not typed back yet) -> confirmed."""

    PENDING = "pending"
    CONFIRMED = "confirmed"


PENDING = ConfirmationStatus.PENDING
CONFIRMED = ConfirmationStatus.CONFIRMED
_CODE = re.compile(r"\b\d{6}\b")


def hide_code(body: str) -> str:
    """The code text without its code (what is kept once the text has gone or can no longer go)."""
    return _CODE.sub("######", body)


def confirmed_number(session: Session, contact: Contact) -> PhoneConfirmation | None:
    """The number this web chat confirmed most recently (still held), or None."""
    return session.scalar(
        select(PhoneConfirmation)
        .where(PhoneConfirmation.contact_id == contact.id, PhoneConfirmation.status == CONFIRMED)
        .order_by(PhoneConfirmation.confirmed_at.desc(), PhoneConfirmation.id.desc())
        .limit(1)
    )


def said_not_safe(session: Session, contact: Contact) -> bool:
    """True when this chat ever said texting is not safe: its latest answer, or any report it filed.

    The safest answer the resident ever gave wins: a later "text me" in the same chat does not undo it.
    """
    if contact.text_safe is False:
        return True
    earlier = session.scalar(
        select(Report.id)
        .where(Report.conversation_id == contact.sender_id, Report.text_safe.is_(False))
        .limit(1)
    )
    return earlier is not None


def code_text_block_reason(session: Session, row: OutboxMessage, now: datetime) -> str | None:
    """May this code text go now? None when yes, else why not (checked again when the notifier sends it).

    A code goes only while it can still be used, and never to a number that said STOP, is invalid, or
    whose owner said texting is not safe. Quiet hours do not hold it: the resident asked for it just now.
    """
    confirmation_id = (row.payload or {}).get("confirmation_id")
    confirmation = session.get(PhoneConfirmation, confirmation_id) if confirmation_id else None
    if confirmation is None or confirmation.status != PENDING:
        return "the code is no longer needed"
    if now >= confirmation.expires_at:
        return "the code expired before it could be sent"
    return number_block_reason(session, row.recipient)
