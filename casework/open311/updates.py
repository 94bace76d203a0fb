"""mySociety's servicerequestupdates: agencies' systems push status updates (each applied once)
and read the public ones."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.core.audit import add_event, audit
from casework.core.models import Report, ReportEvent
from casework.core.references import parse_reference
from casework.core.states import OutboxStatus, ReportStatus
from casework.core.values import NO
from casework.intake import contacts_following
from casework.messaging import notify_victim
from casework.open311.keys import Client, Open311Error
from casework.open311.requests import MAX_LIST, NOT_THEIRS, UPDATE_STATUSES, parse_w3c, w3c_time
from casework.staff import agency_involved

if TYPE_CHECKING:
    from casework.partnership import Partnership


# ------------------------------------------------------------------- mySociety servicerequestupdates

UPDATE_KINDS = ("status_changed", "public_update", "closed", "accepted", "open311_update")


def _update_json(event: ReportEvent, report: Report, client: Client) -> dict[str, Any]:
    data = event.data or {}
    # update_ids are unique per sender: a sender sees its own; every other update gets our own unique id.
    own = event.source == "open311" and event.external_id and event.sender == client.sender
    status = data.get("open311_status") or (
        "closed" if (data.get("to") or report.status) == ReportStatus.CLOSED else "open"
    )
    return {
        "update_id": event.external_id if own else f"u{event.id}",
        "service_request_id": report.reference,
        "status": status,
        "description": event.body,
        "updated_datetime": w3c_time(event.created_at),
        "media_url": None,
    }


def list_updates(
    session: Session, *, args: Mapping[str, str], client: Client, now: datetime
) -> list[dict[str, Any]]:
    """GET servicerequestupdates: public updates between start_date and end_date (default: last 24 hours)."""
    start = parse_w3c(args["start_date"], "start_date") if args.get("start_date") else now - timedelta(days=1)
    end = parse_w3c(args["end_date"], "end_date") if args.get("end_date") else now
    stmt = (
        select(ReportEvent, Report)
        .join(Report, Report.id == ReportEvent.report_id)
        .where(
            ReportEvent.public.is_(True),
            ReportEvent.kind.in_(UPDATE_KINDS),
            ReportEvent.created_at >= start,
            ReportEvent.created_at <= end,
        )
    )
    if client.agency_id is not None:
        stmt = stmt.where(agency_involved(client.agency_id))
    rows = session.execute(stmt.order_by(ReportEvent.created_at, ReportEvent.id).limit(MAX_LIST)).all()
    audit(session, actor=client.actor, action="open311.updates.read", at=now, detail={"count": len(rows)})
    return [_update_json(event, report, client) for event, report in rows]


@dataclass(frozen=True)
class UpdateOutcome:
    """The stored update's id, and whether this call applied it (False: a true repeat, applied before)."""

    update_id: str
    applied: bool
    texts_queued: int = 0


def post_update(
    session: Session,
    *,
    form: Mapping[str, str],
    client: Client,
    partnership: Partnership,
    now: datetime,
) -> UpdateOutcome:
    """POST servicerequestupdates: apply an agency's status update once per (sender, update_id)."""
    update_id = (form.get("update_id") or "").strip()
    if not update_id:
        raise Open311Error(
            400, "update_id is required (your system's id for this update, so it is applied once)"
        )
    if len(update_id) > 120:
        raise Open311Error(400, "update_id is too long (120 characters at most)")
    canonical = parse_reference(form.get("service_request_id"))
    if not canonical:
        raise Open311Error(400, "service_request_id is required (the ASB-XXXXXX reference)")
    raw_status = (form.get("status") or "").strip().lower()
    if raw_status not in UPDATE_STATUSES:
        raise Open311Error(400, f"status must be one of {', '.join(UPDATE_STATUSES)}")
    description = (form.get("description") or "").strip()[:4000]
    public_flag = (form.get("public") or "true").strip().lower()
    public = public_flag not in NO and raw_status != NOT_THEIRS
    when = parse_w3c(form["updated_datetime"], "updated_datetime") if form.get("updated_datetime") else now

    fingerprint = _fingerprint(canonical, raw_status, description, public, form.get("updated_datetime"))

    repeat = _repeat_of(session, client=client, update_id=update_id, fingerprint=fingerprint)
    if repeat is not None:
        return repeat
    report = session.scalar(select(Report).where(Report.reference == canonical))
    if report is None or not client.may_see(report):  # another agency's report: as if it did not exist
        raise Open311Error(404, f"No service request {canonical!r}.")
    _refuse_status_decision(report, client=client, raw_status=raw_status)
    try:
        with session.begin_nested():
            return _apply_update(
                session,
                report=report,
                update_id=update_id,
                fingerprint=fingerprint,
                raw_status=raw_status,
                description=description,
                public=public,
                when=when,
                client=client,
                partnership=partnership,
                now=now,
            )
    except IntegrityError:
        # The same sender's update_id arrived twice at once; the other request stored it first.
        repeat = _repeat_of(session, client=client, update_id=update_id, fingerprint=fingerprint)
        if repeat is None:
            raise
        return repeat


def _fingerprint(reference: str, status: str, description: str, public: bool, when: str | None) -> str:
    """What makes two POSTs the same update (a retry), as a short hash kept with the stored update."""
    parts = [reference, status, description, public, (when or "").strip()]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()[:32]


def _repeat_of(session: Session, *, client: Client, update_id: str, fingerprint: str) -> UpdateOutcome | None:
    """None for a new update_id; the first answer for a true repeat; Open311Error 409 for a reused id."""
    existing = session.scalar(
        select(ReportEvent).where(
            ReportEvent.source == "open311",
            ReportEvent.sender == client.sender,
            ReportEvent.external_id == update_id,
        )
    )
    if existing is None:
        return None
    if (existing.data or {}).get("fingerprint") != fingerprint:
        raise Open311Error(
            409,
            f"update_id {update_id!r} was already used for a different update; "
            "give each update its own update_id.",
        )
    return UpdateOutcome(update_id=update_id, applied=False)


def _refuse_status_decision(report: Report, *, client: Client, raw_status: str) -> None:
    """Open311Error 403 when an agency that is only copied in would change the lead's status decision."""
    if client.may_decide(report):
        return
    new_status = UPDATE_STATUSES[raw_status]
    if raw_status == NOT_THEIRS or (new_status is not None and new_status != report.status):
        raise Open311Error(
            403,
            f"Your agency is copied in to {report.reference}; only the lead agency ({report.lead_agency}) "
            "or triage can change its status or hand it back. To add a note, send status=open.",
        )


def _close_group(
    group: list[Report], report: Report, *, changed: bool, description: str, now: datetime
) -> None:
    """Close the report (when this update closed it) and its linked duplicates still open."""
    for target in group:
        if (target is report and changed) or (target is not report and target.status != ReportStatus.CLOSED):
            target.status = ReportStatus.CLOSED
            target.outcome = description or "Closed by the agency dealing with it."
            target.closed_at = now
            target.updated_at = now


def _apply_update(
    session: Session,
    *,
    report: Report,
    update_id: str,
    fingerprint: str,
    raw_status: str,
    description: str,
    public: bool,
    when: datetime,
    client: Client,
    partnership: Partnership,
    now: datetime,
) -> UpdateOutcome:
    """Apply a new update: the status (when this sender decides it), the timeline and audit, and for a
    public update a text to everyone following the problem."""
    # A copied-in agency's update is a note (_refuse_status_decision refused anything that would change it).
    new_status = UPDATE_STATUSES[raw_status] if client.may_decide(report) else None
    body = _update_body(
        report, raw_status=raw_status, description=description, client=client, partnership=partnership
    )
    data = {"agency_status": raw_status, "updated_datetime": w3c_time(when), "fingerprint": fingerprint}
    changed = _set_status(report, new_status, data=data, now=now)
    # The agency updates the problem: its reporter and the reporters of linked duplicates hear about it.
    group = (
        [f.report for f in contacts_following(session, report)] if report.linked_to_id is None else [report]
    )
    closed = changed and new_status == ReportStatus.CLOSED
    if new_status == ReportStatus.CLOSED:
        _close_group(group, report, changed=changed, description=description, now=now)
    kind = "closed" if closed else ("status_changed" if changed else "open311_update")
    _record_update(
        session,
        report,
        kind=kind,
        body=body,
        data=data,
        public=public,
        client=client,
        update_id=update_id,
        now=now,
    )
    texts = 0
    if public:
        report.last_public_update_at = now
        texts = _text_followers(
            session, group, closed=closed, update_id=update_id, partnership=partnership, now=now
        )
    return UpdateOutcome(update_id=update_id, applied=True, texts_queued=texts)


def _set_status(
    report: Report, new_status: ReportStatus | None, *, data: dict[str, Any], now: datetime
) -> bool:
    """Move the report to the new status (None: unchanged), noting it in the event's data; whether it
    changed. Any update counts as the agency's response."""
    old = report.status
    changed = new_status is not None and new_status != old
    data["open311_status"] = "closed" if (new_status or old) == ReportStatus.CLOSED else "open"
    if changed and new_status is not None:
        data.update({"from": old, "to": new_status})
        report.status = new_status
    report.updated_at = now
    if report.first_response_at is None:
        report.first_response_at = now
    return changed


def _record_update(
    session: Session,
    report: Report,
    *,
    kind: str,
    body: str,
    data: dict[str, Any],
    public: bool,
    client: Client,
    update_id: str,
    now: datetime,
) -> None:
    """The update on the report's timeline (kept with its sender and update_id, so it applies once) and
    in the audit."""
    event = add_event(
        session,
        report,
        kind=kind,
        actor=client.actor,
        at=now,
        body=body,
        public=public,
        data=data,
        source="open311",
        external_id=update_id,
    )
    event.sender = client.sender
    session.flush()
    audit(
        session,
        actor=client.actor,
        action="open311.update",
        at=now,
        target_type="report",
        target_id=report.reference,
        detail={"update_id": update_id, "status": data["agency_status"], "public": public},
    )


def _update_body(
    report: Report, *, raw_status: str, description: str, client: Client, partnership: Partnership
) -> str:
    """The timeline's words for an update; "not ours" also hands the report back to triage."""
    if raw_status != NOT_THEIRS:
        return description or f"Status: {raw_status.replace('_', ' ')}."
    report.lead_agency = partnership.triage_agency
    return f"{client.actor} says this is not theirs to deal with; re-route it." + (
        f" {description}" if description else ""
    )


def _text_followers(
    session: Session,
    group: list[Report],
    *,
    closed: bool,
    update_id: str,
    partnership: Partnership,
    now: datetime,
) -> int:
    """Queue the neutral update (or closing) text to each report's reporter; how many will go."""
    texts = 0
    for target in group:
        row = notify_victim(
            session,
            target,
            purpose="closure" if closed else "status_update",
            now=now,
            partnership=partnership,
            dedupe_key=f"open311:{update_id}:{target.id}",
        )
        if row is not None and row.status != OutboxStatus.CANCELLED:
            texts += 1
    return texts
