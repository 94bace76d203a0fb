"""The ASB Case Review (formerly the Community Trigger), checked each time a report is filed.

Anti-social Behaviour, Crime and Policing Act 2014 s.104. With the partnership's ``case_review`` settings:

- A reporter's second report about the same problem within ``window_days`` (six months): explain the Case
  Review (``explain_text``).
- ``threshold_reports`` qualifying reports (default three; the law allows no higher) about the same
  problem within the window: the reporter is eligible; say how to apply and flag the report for staff.
  A qualifying report is made within ``qualifying_within_days`` of the behaviour (one month); when we do
  not know when the behaviour happened, or it is ongoing, the report qualifies (staff can check).
- ``single_hate_incident``: one hate incident is enough.
- ``different_people_reports``: that many reports from different people about the same problem.

"The same problem" is the same type of ASB, or anything at the same place. One incident reported several
times counts once: reports linked as duplicates of the same primary are one incident. Each diary entry
the reporter adds to one of those reports ("it's happening again") is a further complaint, qualifying
when it is made within ``qualifying_within_days`` of when it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from casework.core.models import DiaryEntry, Report

if TYPE_CHECKING:
    from casework.partnership import Partnership

CaseReviewStatus = Literal["none", "explain", "eligible"]


@dataclass(frozen=True)
class CaseReviewOutcome:
    """What to tell the reporter about the Case Review, and why (reasons are for staff)."""

    status: CaseReviewStatus
    message: str | None = None
    reasons: tuple[str, ...] = ()
    qualifying_reports: int = 0


@dataclass(frozen=True)
class NewReportFacts:
    """The facts of the report being filed that the Case Review needs."""

    contact_id: int | None
    asb_type: str
    place_key: str | None
    hate: bool
    primary_id: int | None  # the primary it is linked to, if it is a duplicate
    occurred_at: datetime | None
    ongoing: bool | None


def _qualifies(created_at: datetime, occurred_at: datetime | None, ongoing: bool | None, days: int) -> bool:
    if ongoing or occurred_at is None:
        return True
    return created_at - occurred_at <= timedelta(days=days)


def _same_problem(asb_type: str, place_key: str | None):  # type: ignore[no-untyped-def]
    clauses = [Report.asb_type == asb_type]
    if place_key:
        clauses.append(Report.place_key == place_key)
    return or_(*clauses)


def assess_case_review(
    session: Session, *, new: NewReportFacts, now: datetime, partnership: Partnership
) -> CaseReviewOutcome:
    """Explain, make eligible or say nothing, for a report about to be filed (not yet in the database)."""
    cfg = partnership.case_review
    since = now - timedelta(days=cfg.window_days)
    eligible_message = f"{cfg.eligible_text} {cfg.how_to_apply}".strip()
    reasons: list[str] = []

    incidents: set[str] = set()
    if new.contact_id is not None:
        earlier = session.scalars(
            select(Report).where(
                Report.contact_id == new.contact_id,
                Report.created_at >= since,
                Report.created_at <= now,
                _same_problem(new.asb_type, new.place_key),
            )
        ).all()
        for r in earlier:
            if _qualifies(r.created_at, r.occurred_at, r.ongoing, cfg.qualifying_within_days):
                incidents.add(f"r{r.linked_to_id or r.id}")
        incidents |= diary_incidents(
            session, [r.id for r in earlier], since=since, now=now, days=cfg.qualifying_within_days
        )
    if _qualifies(now, new.occurred_at, new.ongoing, cfg.qualifying_within_days):
        incidents.add(f"r{new.primary_id}" if new.primary_id else "new")
    count = len(incidents)

    if count >= cfg.threshold_reports:
        reasons.append(f"{count} qualifying reports about the same problem in {cfg.window_days} days")
    if new.hate and cfg.single_hate_incident:
        reasons.append("a hate incident (a single hate incident is enough here)")
    if cfg.different_people_reports and new.place_key:
        people = _different_people(session, new=new, since=since, now=now)
        if people >= cfg.different_people_reports:
            reasons.append(
                f"{people} different people have reported the same problem in {cfg.window_days} days"
            )
    if reasons:
        return CaseReviewOutcome("eligible", eligible_message, tuple(reasons), count)
    if count >= 2 or (new.contact_id is not None and _has_earlier(session, new=new, since=since, now=now)):
        return CaseReviewOutcome(
            "explain", cfg.explain_text, (f"report {max(count, 2)} about this problem",), count
        )
    return CaseReviewOutcome("none", None, (), count)


def _has_earlier(session: Session, *, new: NewReportFacts, since: datetime, now: datetime) -> bool:
    """True when the contact reported the same problem before in the window (qualifying or not)."""
    found = session.scalar(
        select(Report.id)
        .where(
            Report.contact_id == new.contact_id,
            Report.created_at >= since,
            Report.created_at <= now,
            _same_problem(new.asb_type, new.place_key),
        )
        .limit(1)
    )
    return found is not None


def _different_people(session: Session, *, new: NewReportFacts, since: datetime, now: datetime) -> int:
    """How many different contacts (this one included) reported this type of problem at this place."""
    clauses = [and_(Report.asb_type == new.asb_type, Report.place_key == new.place_key)]
    if new.primary_id:
        clauses += [Report.id == new.primary_id, Report.linked_to_id == new.primary_id]
    contacts = set(
        session.scalars(
            select(Report.contact_id).where(
                Report.contact_id.is_not(None),
                Report.created_at >= since,
                Report.created_at <= now,
                or_(*clauses),
            )
        ).all()
    )
    if new.contact_id is not None:
        contacts.add(new.contact_id)
    return len(contacts)


def diary_incidents(
    session: Session, report_ids: list[int], *, since: datetime, now: datetime, days: int
) -> set[str]:
    """Qualifying diary entries on these reports in the window, as incident keys ("d<id>")."""
    if not report_ids:
        return set()
    entries = session.execute(
        select(DiaryEntry.id, DiaryEntry.created_at, DiaryEntry.occurred_at).where(
            DiaryEntry.report_id.in_(report_ids),
            DiaryEntry.created_at >= since,
            DiaryEntry.created_at <= now,
        )
    ).all()
    return {f"d{e.id}" for e in entries if _qualifies(e.created_at, e.occurred_at, None, days)}


def assess_after_diary(
    session: Session, report: Report, *, now: datetime, partnership: Partnership
) -> CaseReviewOutcome:
    """The Case Review once a diary entry is added to ``report`` (the entry is already flushed).

    Counts the reporter's qualifying reports about the same problem in the window and the qualifying
    diary entries on them. Says "eligible" only when the threshold is newly reached, "explain" only when
    it was never explained; otherwise "none" (the flags on the report already say so).
    """
    cfg = partnership.case_review
    since = now - timedelta(days=cfg.window_days)
    reports = [report]
    if report.contact_id is not None:
        reports = list(
            session.scalars(
                select(Report).where(
                    Report.contact_id == report.contact_id,
                    Report.created_at >= since,
                    Report.created_at <= now,
                    _same_problem(report.asb_type, report.place_key),
                )
            ).all()
        ) or [report]
    incidents = {
        f"r{r.linked_to_id or r.id}"
        for r in reports
        if _qualifies(r.created_at, r.occurred_at, r.ongoing, cfg.qualifying_within_days)
    }
    incidents |= diary_incidents(
        session, [r.id for r in reports], since=since, now=now, days=cfg.qualifying_within_days
    )
    count = len(incidents)
    if count >= cfg.threshold_reports and not report.case_review_eligible:
        message = f"{cfg.eligible_text} {cfg.how_to_apply}".strip()
        reason = f"{count} qualifying reports and diary entries about this problem in {cfg.window_days} days"
        return CaseReviewOutcome("eligible", message, (reason,), count)
    if count >= 2 and not report.case_review_explained and not report.case_review_eligible:
        why = (f"complaint {count} about this problem",)
        return CaseReviewOutcome("explain", cfg.explain_text, why, count)
    return CaseReviewOutcome("none", None, (), count)
