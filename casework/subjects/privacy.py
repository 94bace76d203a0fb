"""Subjects under data protection: their own retention period, subject access and erasure (rules)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from casework.core.models import Report, ReportSubject, Subject
from casework.core.values import isoformat


def purge_subjects(session: Session, *, now: datetime, unlinked_days: int) -> int:
    """Delete subjects whose every linked report is anonymised, and those unlinked for ``unlinked_days``."""
    live_link = (
        select(ReportSubject.id)
        .join(Report, Report.id == ReportSubject.report_id)
        .where(ReportSubject.subject_id == Subject.id, Report.anonymised_at.is_(None))
    )
    any_link = select(ReportSubject.id).where(ReportSubject.subject_id == Subject.id)
    cutoff = now - timedelta(days=unlinked_days)
    ids = list(
        session.scalars(
            select(Subject.id).where(
                or_(
                    exists(any_link) & ~exists(live_link),
                    ~exists(any_link) & (func.coalesce(Subject.unlinked_since, Subject.created_at) < cutoff),
                )
            )
        )
    )
    return erase_subjects(session, ids)


def erase_subjects(session: Session, ids: list[int]) -> int:
    """Delete these subjects and their links (the reports stay)."""
    if not ids:
        return 0
    session.execute(delete(ReportSubject).where(ReportSubject.subject_id.in_(ids)))
    result = session.execute(delete(Subject).where(Subject.id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def subjects_named(session: Session, words: str) -> list[Subject]:
    """Subjects whose name, description or address contains every word (for a subject access request)."""
    stmt = select(Subject)
    for word in words.lower().split():
        pattern = f"%{word}%"
        stmt = stmt.where(
            or_(
                func.lower(Subject.name).like(pattern),
                func.lower(Subject.description).like(pattern),
                func.lower(Subject.address).like(pattern),
            )
        )
    return list(session.scalars(stmt.order_by(Subject.id)))


def subject_record(session: Session, subject: Subject) -> dict[str, Any]:
    """Everything held about one subject: the record and the reports it is linked to (for the DPO)."""
    rows = session.execute(
        select(Report, ReportSubject.created_at, ReportSubject.linked_by)
        .join(ReportSubject, ReportSubject.report_id == Report.id)
        .where(ReportSubject.subject_id == subject.id)
        .order_by(Report.created_at)
    ).all()
    return {
        "subject": f"S-{subject.id}",
        "kind": subject.kind,
        "name": subject.name,
        "description": subject.description,
        "address": subject.address,
        "ward": subject.ward,
        "recorded_by": subject.created_by,
        "recorded_at": isoformat(subject.created_at),
        "updated_at": isoformat(subject.updated_at),
        "reports": [
            {
                "reference": r.reference,
                "type": r.asb_type,
                "received": isoformat(r.created_at),
                "status": r.status,
                "lead_agency": r.lead_agency,
                "description": r.description,
                "location": r.location_text,
                "outcome": r.outcome,
                "linked_at": isoformat(at),
                "linked_by": by,
            }
            for r, at, by in rows
        ],
    }
