"""Tables for the casework that follows a report: ASB Case Review applications and interventions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.models import Base, Report


class CaseReviewApplication(Base):
    """An application for an ASB Case Review (ASB, Crime and Policing Act 2014 s.104) and its progress.

    It is attached to the applicant's report (the latest one about the problem), whose access rules it
    follows: an agency sees an application when it leads or is copied into that report.
    """

    __tablename__ = "case_reviews"
    __table_args__ = (Index("ix_case_reviews_state_applied", "state", "applied_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # CR-XXXXXX
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(12))  # sms | web | phone | email | letter | in_person
    applicant: Mapped[str] = mapped_column(String(20), default="victim")  # victim | on_behalf
    # applied -> threshold_met | threshold_not_met -> ... -> closed: casework.case_review.CaseReviewState
    state: Mapped[str] = mapped_column(String(20), default="applied")
    # What the reports showed when the application was made (a guide for the decision, not the decision).
    threshold_indicated: Mapped[bool] = mapped_column(Boolean, default=False)
    threshold_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    qualifying_reports: Mapped[int] = mapped_column(Integer, default=0)
    threshold_met: Mapped[bool | None] = mapped_column(Boolean)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appeal_upheld: Mapped[bool | None] = mapped_column(Boolean)
    appeal_decision: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(index=True)
    decision_due_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    meeting_due_at: Mapped[datetime | None]
    meeting_at: Mapped[datetime | None]
    recommendations_due_at: Mapped[datetime | None]
    recommendations_at: Mapped[datetime | None]
    appeal_by: Mapped[datetime | None]  # the last moment an appeal can be asked for
    appeal_requested_at: Mapped[datetime | None]
    appeal_due_at: Mapped[datetime | None]
    appeal_decided_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(120))  # "resident" or "staff:<id>"
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    report: Mapped[Report] = relationship()


class Intervention(Base):
    """Something an agency did about a report (advice, a warning letter, a Community Protection Notice...)."""

    __tablename__ = "interventions"
    __table_args__ = (Index("ix_interventions_done", "done_on", "intervention_class"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # the partnership's intervention code
    intervention_class: Mapped[str] = mapped_column(String(20))  # preventative | enforcement | advisory
    agency_id: Mapped[str] = mapped_column(String(40))
    done_on: Mapped[date]
    outcome: Mapped[str] = mapped_column(Text, default="")
    # Mediation referrals: agreed | declined | resolved | partly_resolved | not_resolved | pending
    mediation_outcome: Mapped[str | None] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
