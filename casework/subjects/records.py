"""Rules for subjects (people, households and addresses across reports): they take a session, never commit.

Access follows the reports: a member of staff sees a subject only through reports they may open (an agency
officer: reports their agency leads or is copied into), and a subject's page lists only those reports.
Only triage officers (who see every report) are shown how many reports a subject has in all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casework.core.audit import add_event, audit
from casework.core.models import Report, ReportSubject, Subject
from casework.staff import Actor, NotFound, report_scope, require

KINDS = {"person": "Person", "household": "Household", "address": "Address"}
MAX_NAME, MAX_TEXT, MAX_ADDRESS = 120, 1000, 200


class SubjectError(Exception):
    """The subject cannot be recorded or linked as asked; the message says why."""


@dataclass
class SubjectSummary:
    """A subject as a list shows it: who or where, and how many of the viewer's reports it is on."""

    subject: Subject
    reports: int
    total: int | None = None  # every linked report; only for triage officers

    @property
    def repeat(self) -> bool:
        """On two or more reports the viewer can see."""
        return self.reports >= 2


@dataclass
class SubjectPage:
    """One subject with the viewer's reports about it, oldest first."""

    subject: Subject
    reports: list[Report]
    total: int | None = None
    linked_at: dict[int, datetime] = field(default_factory=dict)


def label(subject: Subject) -> str:
    """Staff-facing label: the subject number and what identifies it."""
    what = subject.name or subject.description[:60] or subject.address
    return f"S-{subject.id} {KINDS.get(subject.kind, subject.kind)}: {what}".strip()


def normalise_address(text: str) -> str | None:
    """The address in a comparable form (lower case, single spaces, no punctuation)."""
    key = re.sub(r"[^a-z0-9 ]+", " ", text.lower())
    key = re.sub(r"\s+", " ", key).strip()
    return key[:120] or None


def visible_links(actor: Actor):  # type: ignore[no-untyped-def]
    """SELECT of (subject_id, report_id) pairs the actor may see."""
    return (
        select(ReportSubject.subject_id, ReportSubject.report_id)
        .join(Report, Report.id == ReportSubject.report_id)
        .where(report_scope(actor))
    )


def get_subject_for(session: Session, actor: Actor, subject_id: int | str) -> Subject:
    """The subject if the actor may see it (through one of their reports; triage sees all); else NotFound."""
    require(actor, "subjects")
    try:
        number = int(str(subject_id).strip().upper().removeprefix("S-"))
    except ValueError:
        raise NotFound(f"no subject {subject_id}") from None
    subject = session.get(Subject, number)
    if subject is None:
        raise NotFound(f"no subject {subject_id}")
    if actor.role != "triage":
        seen = visible_links(actor).where(ReportSubject.subject_id == subject.id).limit(1)
        if session.execute(seen).first() is None:
            raise NotFound(f"no subject {subject_id}")
    return subject


def _clean(value: str, limit: int, what: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise SubjectError(f"{what} is too long (at most {limit} characters)")
    return value


def create_subject(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    name: str,
    description: str,
    address: str,
    ward: str | None,
    now: datetime,
) -> Subject:
    """Record a new subject (audited); a person or household needs a name or description, an address one."""
    if kind not in KINDS:
        raise SubjectError("choose person, household or address")
    name = _clean(name, MAX_NAME, "The name")
    description = _clean(description, MAX_TEXT, "The description")
    address = _clean(address, MAX_ADDRESS, "The address")
    if kind == "address" and not address:
        raise SubjectError("an address subject needs the address")
    if not (name or description or address):
        raise SubjectError("give a name, a description or an address")
    subject = Subject(
        kind=kind,
        name=name,
        description=description,
        address=address,
        place_key=normalise_address(address) if address else None,
        ward=ward,
        created_by=actor.label,
        created_at=now,
        updated_at=now,
    )
    session.add(subject)
    session.flush()
    audit(
        session,
        actor=actor.label,
        action="subject.create",
        at=now,
        target_type="subject",
        target_id=str(subject.id),
        ip=actor.ip,
        detail={"kind": kind},
    )
    return subject


def link(session: Session, *, actor: Actor, report: Report, subject: Subject, now: datetime) -> bool:
    """Link the subject to the report (audited, private timeline entry); False if it already was."""
    exists = session.scalar(
        select(ReportSubject.id).where(
            ReportSubject.report_id == report.id, ReportSubject.subject_id == subject.id
        )
    )
    if exists is not None:
        return False
    session.add(
        ReportSubject(report_id=report.id, subject_id=subject.id, linked_by=actor.label, created_at=now)
    )
    subject.unlinked_since = None
    subject.updated_at = now
    # The timeline names the subject by number only: report timelines go into a resident's own SAR.
    add_event(
        session,
        report,
        kind="subject_linked",
        actor=actor.label,
        at=now,
        body=f"Subject S-{subject.id} linked.",
    )
    audit(
        session,
        actor=actor.label,
        action="subject.link",
        at=now,
        target_type="report",
        target_id=report.reference,
        ip=actor.ip,
        detail={"subject": subject.id},
    )
    session.flush()
    return True


def unlink(session: Session, *, actor: Actor, report: Report, subject: Subject, now: datetime) -> None:
    """Remove the link (audited); a subject left with no report starts its unlinked retention period."""
    row = session.scalar(
        select(ReportSubject).where(
            ReportSubject.report_id == report.id, ReportSubject.subject_id == subject.id
        )
    )
    if row is None:
        raise SubjectError(f"S-{subject.id} is not linked to {report.reference}")
    session.delete(row)
    session.flush()
    left = session.scalar(
        select(func.count()).select_from(ReportSubject).where(ReportSubject.subject_id == subject.id)
    )
    if not left:
        subject.unlinked_since = now
    subject.updated_at = now
    add_event(
        session,
        report,
        kind="subject_unlinked",
        actor=actor.label,
        at=now,
        body=f"Subject S-{subject.id} unlinked.",
    )
    audit(
        session,
        actor=actor.label,
        action="subject.unlink",
        at=now,
        target_type="report",
        target_id=report.reference,
        ip=actor.ip,
        detail={"subject": subject.id},
    )


def _total(session: Session, subject_id: int) -> int:
    stmt = select(func.count()).select_from(ReportSubject).where(ReportSubject.subject_id == subject_id)
    return int(session.scalar(stmt) or 0)


def subjects_of_report(session: Session, actor: Actor, report: Report) -> list[SubjectSummary]:
    """The subjects linked to a report the actor has opened, with how many of their reports each is on."""
    subjects = session.scalars(
        select(Subject)
        .join(ReportSubject, ReportSubject.subject_id == Subject.id)
        .where(ReportSubject.report_id == report.id)
        .order_by(ReportSubject.created_at, Subject.id)
    ).all()
    return [_summary(session, actor, s) for s in subjects]


def _summary(session: Session, actor: Actor, subject: Subject) -> SubjectSummary:
    seen = visible_links(actor).where(ReportSubject.subject_id == subject.id).subquery()
    count = int(session.scalar(select(func.count()).select_from(seen)) or 0)
    total = _total(session, subject.id) if actor.role == "triage" else None
    return SubjectSummary(subject=subject, reports=count, total=total)


def suggestions(session: Session, actor: Actor, report: Report, *, limit: int = 10) -> list[SubjectSummary]:
    """Subjects the actor can see that may be the same as this report's: same place or same ward."""
    linked = select(ReportSubject.subject_id).where(ReportSubject.report_id == report.id)
    conditions = [Subject.place_key == report.place_key] if report.place_key else []
    if report.ward:
        conditions.append(Subject.ward == report.ward)
    if not conditions:
        return []
    stmt = select(Subject).where(or_(*conditions), Subject.id.not_in(linked))
    if actor.role != "triage":
        stmt = stmt.where(Subject.id.in_(visible_links(actor).with_only_columns(ReportSubject.subject_id)))
    found = session.scalars(stmt.order_by(Subject.updated_at.desc()).limit(limit)).all()
    return [_summary(session, actor, s) for s in found]
