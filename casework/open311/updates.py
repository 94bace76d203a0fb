"""mySociety's servicerequestupdates: agencies' systems push status updates (each applied once)
and read the public ones."""

from __future__ import annotations

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
from casework.intake import contacts_following
from casework.messaging import notify_victim
from casework.open311.keys import Client, Open311Error
from casework.open311.requests import MAX_LIST, NO, NOT_THEIRS, UPDATE_STATUSES, _iso, parse_w3c
from casework.staff import agency_involved

if TYPE_CHECKING:
    from casework.partnership import Partnership


# ------------------------------------------------------------------- mySociety servicerequestupdates

UPDATE_KINDS = ("status_changed", "public_update", "closed", "accepted", "open311_update")


def _update_json(event: ReportEvent, report: Report) -> dict[str, Any]:
    data = event.data or {}
    status = data.get("open311_status") or (
        "closed" if (data.get("to") or report.status) == "closed" else "open"
    )
    return {
        "update_id": event.external_id if event.source == "open311" and event.external_id else f"u{event.id}",
        "service_request_id": report.reference,
        "status": status,
        "description": event.body,
        "updated_datetime": _iso(event.created_at),
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
    return [_update_json(event, report) for event, report in rows]


@dataclass(frozen=True)
class UpdateOutcome:
    """The stored update's id, and whether this call applied it (False: a repeat of an applied update)."""

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
    """POST servicerequestupdates: apply an agency's status update once per update_id."""
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

    existing = session.scalar(
        select(ReportEvent).where(ReportEvent.source == "open311", ReportEvent.external_id == update_id)
    )
    if existing is not None:
        return UpdateOutcome(update_id=update_id, applied=False)
    report = session.scalar(select(Report).where(Report.reference == canonical))
    if report is None or not client.may_see(report):  # another agency's report: as if it did not exist
        raise Open311Error(404, f"No service request {canonical!r}.")
    try:
        with session.begin_nested():
            return _apply_update(
                session,
                report=report,
                update_id=update_id,
                raw_status=raw_status,
                description=description,
                public=public,
                when=when,
                client=client,
                partnership=partnership,
                now=now,
            )
    except IntegrityError:
        # The same update_id arrived twice at once; the other request applied it.
        return UpdateOutcome(update_id=update_id, applied=False)


def _apply_update(
    session: Session,
    *,
    report: Report,
    update_id: str,
    raw_status: str,
    description: str,
    public: bool,
    when: datetime,
    client: Client,
    partnership: Partnership,
    now: datetime,
) -> UpdateOutcome:
    new_status = UPDATE_STATUSES[raw_status]
    old = report.status
    changed = new_status is not None and new_status != old
    if raw_status == NOT_THEIRS:
        body = f"{client.actor} says this is not theirs to deal with; re-route it." + (
            f" {description}" if description else ""
        )
        report.lead_agency = partnership.triage_agency
    else:
        body = description or (f"Status: {raw_status.replace('_', ' ')}.")
    data = {
        "open311_status": "closed" if new_status == "closed" else "open",
        "agency_status": raw_status,
        "updated_datetime": _iso(when),
    }
    if changed:
        data.update({"from": old, "to": new_status})
        report.status = new_status  # type: ignore[assignment]
    report.updated_at = now
    if report.first_response_at is None:
        report.first_response_at = now
    # The agency updates the problem: its reporter and the reporters of linked duplicates hear about it.
    group = (
        [f.report for f in contacts_following(session, report)] if report.linked_to_id is None else [report]
    )
    if new_status == "closed":
        for target in group:
            if (target is report and changed) or (target is not report and target.status != "closed"):
                target.status = "closed"
                target.outcome = description or "Closed by the agency dealing with it."
                target.closed_at = now
                target.updated_at = now
    kind = (
        "closed"
        if changed and new_status == "closed"
        else ("status_changed" if changed else "open311_update")
    )
    add_event(
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
    session.flush()
    audit(
        session,
        actor=client.actor,
        action="open311.update",
        at=now,
        target_type="report",
        target_id=report.reference,
        detail={"update_id": update_id, "status": raw_status, "public": public},
    )
    texts = 0
    if public:
        report.last_public_update_at = now
        purpose = "closure" if new_status == "closed" and changed else "status_update"
        for target in group:
            row = notify_victim(
                session,
                target,
                purpose=purpose,
                now=now,
                partnership=partnership,
                dedupe_key=f"open311:{update_id}:{target.id}",
            )
            if row is not None and row.status != "cancelled":
                texts += 1
    return UpdateOutcome(update_id=update_id, applied=True, texts_queued=texts)
