"""The evidence files table: photos and recordings residents send (casework/evidence uses it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.models import Base


class EvidenceFile(Base):
    """A photo, recording or video a resident sent (by MMS or web chat), stored under a random key."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL until the sender files a report (then attached to it) or when sent with no report yet.
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    sender_id: Mapped[str] = mapped_column(String(80), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # sms | web
    message_sid: Mapped[str | None] = mapped_column(String(64))  # the MMS it came with
    status: Mapped[str] = mapped_column(String(10), index=True)  # core.states.EvidenceStatus
    kind: Mapped[str | None] = mapped_column(String(8))  # image | audio | video
    media_type: Mapped[str | None] = mapped_column(String(60))  # identified from the bytes
    size: Mapped[int] = mapped_column(Integer, default=0)
    storage_key: Mapped[str | None] = mapped_column(String(80))
    thumb_key: Mapped[str | None] = mapped_column(String(80))
    source_url: Mapped[str | None] = mapped_column(Text)  # Twilio's media URL until fetched and deleted
    refusal: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    stored_at: Mapped[datetime | None]
