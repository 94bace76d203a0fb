"""Tables for the people and places reports are about (casework/subjects): staff-only, never shown to
residents or put in a text. Imported by casework.core.models so one metadata describes every table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.models import Base


class Subject(Base):
    """What a report is about: a described person, a household or an address, recorded once by staff."""

    __tablename__ = "subjects"
    __table_args__ = (Index("ix_subjects_place_key", "place_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # person | household | address
    name: Mapped[str] = mapped_column(String(120), default="")  # a name if known, else empty
    description: Mapped[str] = mapped_column(Text, default="")  # how staff recognise them
    address: Mapped[str] = mapped_column(String(200), default="")
    place_key: Mapped[str | None] = mapped_column(String(120))  # the address normalised, for matching
    ward: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # When its last report link was removed (retention counts from here); None while linked.
    unlinked_since: Mapped[datetime | None]


class ReportSubject(Base):
    """A link between a report and a subject, made by a member of staff."""

    __tablename__ = "report_subjects"
    __table_args__ = (UniqueConstraint("report_id", "subject_id", name="uq_report_subjects_report_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"), index=True)
    linked_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
