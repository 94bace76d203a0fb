"""Use cases for subjects: each owns its transaction (casework/core/db.py) and is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from casework.core.audit import audit
from casework.core.db import transaction
from casework.core.models import Report, Subject
from casework.staff import Actor, NotFound, get_report_for, require
from casework.subjects import directory, privacy, records
from casework.subjects.records import SubjectError, SubjectPage, SubjectSummary

if TYPE_CHECKING:
    from casework.partnership import Partnership


@dataclass
class ReportSubjects:
    """The report page's subjects section: linked subjects and ones that may be the same."""

    linked: list[SubjectSummary] = field(default_factory=list)
    suggested: list[SubjectSummary] = field(default_factory=list)


def report_section(session: Session, *, actor: Actor, report: Report) -> ReportSubjects:
    """Rule for the report page (the report is already opened and its view audited)."""
    if not actor.can("subjects"):
        return ReportSubjects()
    return ReportSubjects(
        linked=records.subjects_of_report(session, actor, report),
        suggested=records.suggestions(session, actor, report) if actor.can("report.act") else [],
    )


def api_subjects(session: Session, *, actor: Actor, report: Report) -> list[dict[str, Any]]:
    """The report's subjects for the staff API (counts of the caller's own reports only)."""
    if not actor.can("subjects"):
        return []
    out = []
    for s in records.subjects_of_report(session, actor, report):
        item = {
            "id": f"S-{s.subject.id}",
            "kind": s.subject.kind,
            "name": s.subject.name,
            "description": s.subject.description,
            "address": s.subject.address,
            "ward": s.subject.ward,
            "reports": s.reports,
        }
        if s.total is not None:
            item["reports_total"] = s.total
        out.append(item)
    return out


def record_subject(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    reference: str,
    kind: str,
    name: str,
    description: str,
    address: str,
    now: datetime,
    partnership: Partnership | None = None,
) -> Subject:
    """Record a new subject and link it to the report (both audited)."""
    with transaction(sessions) as session:
        require(actor, "report.act")
        report = get_report_for(session, actor, reference, for_update=True)
        ward = partnership.resolve_place(address).ward if (partnership and address.strip()) else None
        subject = records.create_subject(
            session,
            actor=actor,
            kind=kind,
            name=name,
            description=description,
            address=address,
            ward=ward or (report.ward if kind == "address" else None),
            now=now,
        )
        records.link(session, actor=actor, report=report, subject=subject, now=now)
        return subject


def link_subject(
    sessions: sessionmaker[Session], *, actor: Actor, reference: str, subject_id: str, now: datetime
) -> tuple[Subject, bool]:
    """Link a subject the officer can see to the report; (subject, False) when it was linked already."""
    with transaction(sessions) as session:
        require(actor, "report.act")
        report = get_report_for(session, actor, reference, for_update=True)
        try:
            subject = records.get_subject_for(session, actor, subject_id)
        except NotFound:
            raise SubjectError(
                f"no subject {subject_id.strip() or '(none given)'} that you can see"
            ) from None
        return subject, records.link(session, actor=actor, report=report, subject=subject, now=now)


def unlink_subject(
    sessions: sessionmaker[Session], *, actor: Actor, reference: str, subject_id: str, now: datetime
) -> Subject:
    """Remove a subject from the report."""
    with transaction(sessions) as session:
        require(actor, "report.act")
        report = get_report_for(session, actor, reference, for_update=True)
        subject = records.get_subject_for(session, actor, subject_id)
        records.unlink(session, actor=actor, report=report, subject=subject, now=now)
        return subject


def subjects_index(
    sessions: sessionmaker[Session], *, actor: Actor, query: str, now: datetime
) -> tuple[list[SubjectSummary], list[directory.RepeatLocation]]:
    """The Subjects page: matching subjects (repeat ones first) and repeat locations."""
    with transaction(sessions) as session:
        found = directory.find_subjects(session, actor=actor, query=query, now=now)
        return found, directory.repeat_locations(session, actor=actor)


def subject_page(
    sessions: sessionmaker[Session], *, actor: Actor, subject_id: str, now: datetime
) -> SubjectPage:
    """One subject with the viewer's reports about it."""
    with transaction(sessions) as session:
        return directory.open_subject(session, actor=actor, subject_id=subject_id, now=now)


def subject_access(
    sessions: sessionmaker[Session], *, words: str, actor: str, now: datetime
) -> dict[str, Any]:
    """Everything held about subjects matching the words (a named person's own request), audited."""
    with transaction(sessions) as session:
        found = privacy.subjects_named(session, words)
        body = {
            "generated_at": now.isoformat(),
            "query": words,
            "subjects": [privacy.subject_record(session, s) for s in found],
        }
        audit(
            session,
            actor=actor,
            action="privacy.subject_record_access",
            at=now,
            target_type="subject",
            detail={"subjects": [s.id for s in found]},
        )
        return body


def erase_subject(sessions: sessionmaker[Session], *, subject_id: str, actor: str, now: datetime) -> int:
    """Erase one subject and its links (the reports stay), audited; 0 when there is no such subject."""
    with transaction(sessions) as session:
        try:
            number = int(subject_id.strip().upper().removeprefix("S-"))
        except ValueError:
            return 0
        erased = privacy.erase_subjects(session, [number])
        audit(
            session,
            actor=actor,
            action="privacy.subject_record_erasure",
            at=now,
            target_type="subject",
            target_id=str(number),
            detail={"erased": erased},
        )
        return erased
