"""The phone_confirmations table: a web chat reporter's mobile number, confirmed with a texted code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.models import Base


class PhoneConfirmation(Base):
    """One code texted to a number a web chat resident gave for updates (casework.conversation.text_updates).

    Until the code comes back the number is only here: no contact has it and nothing but the code is
    texted to it. Once confirmed, the row links the chat to the number's SMS contact, which becomes the
    contact of the chat's reports. Unconfirmed rows are deleted after a day, confirmed ones with the
    conversation (RETENTION_CONVERSATION_DAYS).
    """

    __tablename__ = "phone_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The web chat contact that asked (its opaque sender id is the conversation).
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164, a UK mobile
    # HMAC-SHA256(SENDER_ID_KEY, salt:code): the code itself is never stored here.
    code_salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    # pending -> confirmed | replaced (a newer code) | expired | locked (too many wrong tries)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    # The number's own (SMS) contact, once confirmed: the chat's reports are attached to it.
    sms_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
