"""Duplicate reports: one problem reported several times is handled once, and every reporter is kept informed.

A new report matches an open report when both are the same type of problem, at the same place (same
``place_key``) or a nearby street (same ward and same postcode sector), within the partnership's window
(``duplicates.window_hours``, default 72). The new report is linked to the open one (its primary): it
inherits the primary's lead agency, is not referred again, and its reporter gets the primary's updates.

Reports about a person rather than a place are never linked automatically (domestic abuse, hate incidents
and high-risk reports): each victim needs their own assessment and contact, even when the place matches.
Staff can still link them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from casework.core.audit import add_event
from casework.core.models import Contact, Report
from casework.core.states import UNSENT, OutboxStatus, ReportStatus

if TYPE_CHECKING:
    from casework.partnership import Partnership


class LinkError(Exception):
    """A link or unlink that cannot be done as asked (the message says why; nothing was changed)."""


@dataclass(frozen=True)
class Follower:
    """A report whose reporter follows a primary report's updates, with its contact (None if none)."""

    report: Report
    contact: Contact | None


def postcode_sector(postcode: str | None) -> str | None:
    """The postcode sector ("WS13 6") of a full postcode ("WS13 6LJ"), or None."""
    if not postcode:
        return None
    parts = postcode.strip().upper().split()
    if len(parts) != 2 or not parts[1]:
        return None
    return f"{parts[0]} {parts[1][0]}"


def auto_link_allowed(*, hate: bool, domestic_abuse: bool, risk_level: str) -> bool:
    """True when a new report may be linked automatically (it is about a place, not a person at risk)."""
    return not (hate or domestic_abuse or risk_level == "high")


def root_of(session: Session, report: Report) -> Report:
    """The primary a report belongs to (itself when it is not linked)."""
    seen = {report.id}
    current = report
    while current.linked_to_id is not None:
        parent = session.get(Report, current.linked_to_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        current = parent
    return current


def find_duplicate(
    session: Session,
    *,
    asb_type: str,
    place_key: str | None,
    ward: str | None,
    postcode: str | None,
    now: datetime,
    partnership: Partnership,
) -> Report | None:
    """The open primary report a new report duplicates, or None."""
    sector = postcode_sector(postcode)
    same_place = []
    if place_key:
        same_place.append(Report.place_key == place_key)
    if ward and sector:
        # Nearby street: the same ward and the same postcode sector (a few hundred homes).
        same_place.append(and_(Report.ward == ward, Report.postcode.like(f"{sector}%")))
    if not same_place:
        return None
    since = now - timedelta(hours=partnership.duplicates.window_hours)
    candidates = session.scalars(
        select(Report)
        .where(
            Report.asb_type == asb_type,
            Report.created_at >= since,
            Report.created_at <= now,
            Report.status != ReportStatus.CLOSED,
            Report.domestic_abuse.is_(False),
            or_(*same_place),
        )
        .order_by(Report.created_at, Report.id)
    ).all()
    for candidate in candidates:
        primary = root_of(session, candidate)
        if primary.status != ReportStatus.CLOSED and not primary.domestic_abuse:
            return primary
    return None


def mark_linked(
    session: Session, *, duplicate: Report, primary: Report, now: datetime, actor: str, reason: str
) -> None:
    """Record on both timelines that `duplicate` now follows `primary` (fields already set by the caller)."""
    add_event(
        session,
        duplicate,
        kind="linked",
        actor=actor,
        at=now,
        public=True,
        body=f"Linked to {primary.reference}, which is already being dealt with.",
        data={"primary": primary.reference, "reason": reason},
    )
    add_event(
        session,
        primary,
        kind="duplicate_linked",
        actor=actor,
        at=now,
        body=f"{duplicate.reference} linked as a duplicate" + (f": {reason}" if reason else "."),
        data={"duplicate": duplicate.reference, "reason": reason, "risk_level": duplicate.risk_level},
    )


def link_reports(
    session: Session,
    *,
    duplicate: Report,
    primary: Report,
    now: datetime,
    actor: str,
    reason: str = "",
    partnership: Partnership | None = None,
) -> Report:
    """Link `duplicate` to `primary` (or its own primary): it takes that lead and gets its updates.

    Pending referrals of the duplicate are cancelled so two agencies do not act on the same problem; the
    caller commits and writes the audit row.
    """
    from casework.core.models import OutboxMessage

    if duplicate.id == primary.id:
        raise LinkError("A report cannot be linked to itself.")
    target = root_of(session, primary)
    if target.id == duplicate.id:
        raise LinkError(f"{primary.reference} is already linked to {duplicate.reference}; unlink it first.")
    if target.status == ReportStatus.CLOSED:
        raise LinkError(f"{target.reference} is closed; reopen it or pick an open report.")
    if duplicate.linked_to_id == target.id:
        raise LinkError(f"{duplicate.reference} is already linked to {target.reference}.")
    # Reports already following the duplicate move with it, so no chain of links is left behind.
    followers = session.scalars(select(Report).where(Report.linked_to_id == duplicate.id)).all()
    for follower in followers:
        follower.linked_to_id = target.id
        follower.lead_agency = target.lead_agency
        follower.updated_at = now
    duplicate.linked_to_id = target.id
    duplicate.lead_agency = target.lead_agency
    duplicate.status = ReportStatus.LINKED
    duplicate.updated_at = now
    pending = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.report_id == duplicate.id,
            OutboxMessage.kind == "referral",
            OutboxMessage.status.in_(UNSENT),
        )
    ).all()
    for row in pending:
        row.status = OutboxStatus.CANCELLED
        row.error_message = f"not sent: linked to {target.reference}"
        row.updated_at = now
    mark_linked(session, duplicate=duplicate, primary=target, now=now, actor=actor, reason=reason)
    session.flush()
    return target


def unlink_report(
    session: Session,
    *,
    report: Report,
    now: datetime,
    actor: str,
    reason: str = "",
    partnership: Partnership | None = None,
) -> Report:
    """Undo a duplicate link: the report stands on its own again (open, with the lead it inherited)."""
    if report.linked_to_id is None:
        raise LinkError(f"{report.reference} is not linked to another report.")
    former = session.get(Report, report.linked_to_id)
    report.linked_to_id = None
    if report.status == ReportStatus.LINKED:
        report.status = ReportStatus.OPEN
    report.updated_at = now
    former_ref = former.reference if former else None
    add_event(
        session,
        report,
        kind="unlinked",
        actor=actor,
        at=now,
        body=f"No longer linked to {former_ref}" + (f": {reason}" if reason else "."),
        data={"former_primary": former_ref, "reason": reason},
    )
    if former is not None:
        add_event(
            session,
            former,
            kind="duplicate_unlinked",
            actor=actor,
            at=now,
            body=f"{report.reference} is no longer linked to this report.",
            data={"duplicate": report.reference, "reason": reason},
        )
    session.flush()
    return report


def contacts_following(session: Session, report: Report) -> list[Follower]:
    """Who gets this report's updates: its own reporter and the reporters of its linked duplicates.

    Each follower keeps their own reference, so texts go out per follower report (use notify_victim on
    ``follower.report``); followers without a contact are included so callers can count them.
    """
    primary = root_of(session, report)
    reports = [
        primary,
        *session.scalars(select(Report).where(Report.linked_to_id == primary.id).order_by(Report.id)).all(),
    ]
    followers = []
    for r in reports:
        contact = r.contact if r.contact_id is not None else None
        followers.append(Follower(report=r, contact=contact))
    return followers
