"""Who filed a report: the contact behind the opaque sender id, their safe-to-text answer, and for web chat
whether updates can go by text (a number confirmed with a code, or one to ask for)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.confirmed_numbers import confirmed_number, said_not_safe
from casework.core.models import Contact
from casework.intake.contract import Intake
from casework.messaging import record_text_safe_answer

if TYPE_CHECKING:
    from casework.partnership import Partnership


@dataclass(frozen=True)
class Reporter:
    """The report's contact, the intake as it holds (the safest answer wins) and the text-updates offer."""

    contact: Contact | None
    intake: Intake
    # For web chat reports that asked for updates: {"status": "ask" | "confirmed" | "not_safe", ...}.
    text_updates: dict[str, str] | None = None


def _contact(session: Session, sender_id: str, intake: Intake, now: datetime) -> Contact:
    """The contact behind the opaque sender id; a web chat sender gets a contact with no phone."""
    contact = session.scalar(select(Contact).where(Contact.sender_id == sender_id))
    if contact is None:
        contact = Contact(
            sender_id=sender_id,
            channel=intake.channel,
            phone=None,
            sms_opted_out=False,
            number_invalid=False,
            created_at=now,
            updated_at=now,
        )
        session.add(contact)
        session.flush()
    return contact


def _no_texts(intake: Intake) -> Intake:
    """The intake with texting marked not safe and no text updates (an earlier "not safe" holds)."""
    contact = intake.contact.model_copy(update={"text_safe": False, "wants_updates": False})
    return intake.model_copy(update={"contact": contact})


def _web_reporter(session: Session, chat: Contact, intake: Intake) -> Reporter:
    """A web chat report: the chat's confirmed number is its contact; otherwise ask for one if wanted."""
    if intake.contact.anonymous:
        return Reporter(chat, intake)
    wanted = intake.contact.wants_updates
    if said_not_safe(session, chat):
        # The safest answer this chat ever gave wins: no texts, whatever this report said.
        return Reporter(chat, _no_texts(intake), {"status": "not_safe"} if wanted else None)
    confirmed = confirmed_number(session, chat)
    number = (
        session.get(Contact, confirmed.sms_contact_id) if confirmed and confirmed.sms_contact_id else None
    )
    if number is None:
        return Reporter(chat, intake, {"status": "ask"} if wanted else None)
    if number.text_safe is False:
        return Reporter(number, _no_texts(intake), {"status": "not_safe"} if wanted else None)
    usable = number.phone and not number.sms_opted_out and not number.number_invalid
    offer = {"status": "confirmed", "phone_ending": number.phone[-3:]} if usable and number.phone else None
    return Reporter(number, intake, (offer or {"status": "ask"}) if wanted else None)


def resolve_reporter(
    session: Session, *, sender_id: str | None, intake: Intake, now: datetime, partnership: Partnership
) -> Reporter:
    """The report's contact and what it said about texting, recorded as the resident's latest answer."""
    if not sender_id:
        return Reporter(None, intake)
    contact = _contact(session, sender_id, intake, now)
    reporter = (
        _web_reporter(session, contact, intake) if intake.channel == "web" else Reporter(contact, intake)
    )
    answer = reporter.intake.contact.text_safe
    if answer is not None and reporter.contact is not None:
        # The resident's latest answer holds for all their reports (and is what agencies are told).
        record_text_safe_answer(session, reporter.contact, answer, now=now, partnership=partnership)
    return reporter
