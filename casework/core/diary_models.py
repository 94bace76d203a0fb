"""The diary_entries table: incidents a resident adds to their report ("it's happening again")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.models import Base


class DiaryEntry(Base):
    """A resident's further incident added to their report ("it's happening again"): their diary."""

    __tablename__ = "diary_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(12))  # sms | web
    text: Mapped[str] = mapped_column(Text)  # the resident's words, verbatim
    occurred_text: Mapped[str] = mapped_column(Text, default="")  # when, in their words
    occurred_at: Mapped[datetime | None]  # parsed in UK time; None when not said or not understood
    created_at: Mapped[datetime] = mapped_column(index=True)  # when it was reported
    anonymised_at: Mapped[datetime | None]
