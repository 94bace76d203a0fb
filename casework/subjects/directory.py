"""Finding subjects and repeat locations, and one subject's page, within what the viewer may see (rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casework.core.audit import audit
from casework.core.models import Report, ReportSubject, Subject
from casework.staff import Actor, report_scope, require
from casework.subjects.records import SubjectPage, SubjectSummary, _total, get_subject_for, visible_links

MAX_QUERY = 100
PAGE_SIZE = 100


@dataclass
class RepeatLocation:
    """A place named on several of the viewer's reports."""

    place_key: str
    ward: str | None
    reports: int
    references: list[str]
    last_at: datetime


def find_subjects(session: Session, *, actor: Actor, query: str, now: datetime) -> list[SubjectSummary]:
    """Subjects matching the words (name, description or address), most reports first; audited."""
    require(actor, "subjects")
    query = " ".join(query.split())[:MAX_QUERY]
    seen = visible_links(actor).subquery()
    counts = select(seen.c.subject_id, func.count().label("n")).group_by(seen.c.subject_id).subquery()
    stmt = select(Subject, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.subject_id == Subject.id)
    if actor.role != "triage":
        stmt = stmt.where(counts.c.n > 0)
    for word in query.lower().split():
        pattern = f"%{word}%"
        stmt = stmt.where(
            or_(
                func.lower(Subject.name).like(pattern),
                func.lower(Subject.description).like(pattern),
                func.lower(Subject.address).like(pattern),
            )
        )
    rows = session.execute(
        stmt.order_by(func.coalesce(counts.c.n, 0).desc(), Subject.updated_at.desc()).limit(PAGE_SIZE)
    ).all()
    # The words searched for are not kept: they are often a name, and the audit trail is kept for good.
    detail = {"words": len(query.split()), "found": len(rows)}
    audit(session, actor=actor.label, action="subject.search", at=now, ip=actor.ip, detail=detail)
    return [
        SubjectSummary(
            subject=s, reports=int(n), total=_total(session, s.id) if actor.role == "triage" else None
        )
        for s, n in rows
    ]


def repeat_locations(session: Session, *, actor: Actor, minimum: int = 2) -> list[RepeatLocation]:
    """Places on at least ``minimum`` of the viewer's reports (still personal: anonymised ones excluded)."""
    require(actor, "subjects")
    rows = session.execute(
        select(Report.place_key, func.count(), func.max(Report.created_at))
        .where(report_scope(actor), Report.place_key.is_not(None), Report.anonymised_at.is_(None))
        .group_by(Report.place_key)
        .having(func.count() >= minimum)
        .order_by(func.count().desc(), func.max(Report.created_at).desc())
        .limit(50)
    ).all()
    out = []
    for key, count, last in rows:
        recent = session.execute(
            select(Report.reference, Report.ward)
            .where(report_scope(actor), Report.place_key == key, Report.anonymised_at.is_(None))
            .order_by(Report.created_at.desc())
            .limit(5)
        ).all()
        out.append(
            RepeatLocation(
                place_key=str(key),
                ward=recent[0][1] if recent else None,
                reports=int(count),
                references=[r for r, _w in recent],
                last_at=last,
            )
        )
    return out


def open_subject(session: Session, *, actor: Actor, subject_id: int | str, now: datetime) -> SubjectPage:
    """A subject and the viewer's reports about it, oldest first (NotFound if none visible); audited."""
    subject = get_subject_for(session, actor, subject_id)
    rows = session.execute(
        select(Report, ReportSubject.created_at)
        .join(ReportSubject, ReportSubject.report_id == Report.id)
        .where(ReportSubject.subject_id == subject.id, report_scope(actor))
        .order_by(Report.created_at, Report.id)
    ).all()
    audit(
        session,
        actor=actor.label,
        action="subject.view",
        at=now,
        target_type="subject",
        target_id=str(subject.id),
        ip=actor.ip,
    )
    return SubjectPage(
        subject=subject,
        reports=[r for r, _at in rows],
        total=_total(session, subject.id) if actor.role == "triage" else None,
        linked_at={r.id: at for r, at in rows},
    )
