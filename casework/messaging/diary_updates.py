"""A resident's diary entry passed to the lead agency, by the agency's referral method.

- ``email``: a plain-text email ("ASB diary entry ASB-...: ...") to ``referral.address``;
- ``webhook``: a signed JSON event ``{"event": "diary_entry", ...}`` to ``referral.url``
  (docs/agency-webhooks.md);
- ``open311``: a GeoReport v2 service request update (mySociety's ``servicerequestupdates.json``
  extension) to the agency's endpoint, naming the agency's own ``service_request_id`` when its answer to
  the referral gave one, and the partnership's reference always;
- ``inbox``: the agency works in this product's inbox, where the entry is already on the report.

Like referrals, these carry the detail (the resident's words): agencies act on them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.asb_types import ASB_TYPES
from casework.core.models import DiaryEntry, OutboxMessage, Report
from casework.core.states import OutboxStatus
from casework.messaging.outbox import enqueue

if TYPE_CHECKING:
    from casework.partnership import Agency, Partnership


def diary_document(report: Report, entry: DiaryEntry, agency_id: str, *, via: str | None) -> dict[str, Any]:
    """The diary entry as JSON (the webhook body; also the source of the email and the Open311 update)."""
    known = ASB_TYPES.get(report.asb_type)
    return {
        "event": "diary_entry",
        "agency": agency_id,
        "reference": report.reference,
        "added_to": via or report.reference,
        "asb_type": report.asb_type,
        "asb_type_label": known.label if known else report.asb_type,
        "status": report.status,
        "entry": {
            "id": entry.id,
            "reported_at": entry.created_at.isoformat(),
            "occurred_at": entry.occurred_at.isoformat() if entry.occurred_at else None,
            "occurred": entry.occurred_text,
            "text": entry.text,
            "channel": entry.channel,
        },
        "diary_entries": report.diary_count,
        "case_review_eligible": report.case_review_eligible,
        "repeat_victim_count": report.repeat_victim_count,
    }


def diary_email(doc: dict[str, Any], agency: Agency) -> tuple[str, str]:
    """Subject and plain-text body of the email to an agency."""
    entry = doc["entry"]
    when = entry["occurred"] or "not said"
    if entry["occurred_at"]:
        when += f" (read as {entry['occurred_at']})"
    subject = f"ASB diary entry {doc['reference']}: {doc['asb_type_label']}"
    lines = [
        f"To: {agency.name}",
        f"Reference: {doc['reference']}"
        + (f" (added to linked report {doc['added_to']})" if doc["added_to"] != doc["reference"] else ""),
        "The resident has added to their report: it has happened again.",
        f"Reported: {entry['reported_at']} by {entry['channel']}",
        f"When it happened: {when}",
        "",
        "What the resident said:",
        entry["text"],
        "",
        f"Diary entries on this report: {doc['diary_entries']}.",
    ]
    if doc["case_review_eligible"]:
        lines.append("The resident can now ask for an ASB Case Review.")
    lines += ["", "Confidential: it contains personal data. Do not forward outside your agency."]
    return subject, "\n".join(lines) + "\n"


def _agency_request_id(session: Session, report: Report, agency_id: str) -> str | None:
    """The agency's own id for the report, from its answer to our Open311 referral (if it gave one)."""
    return session.scalar(
        select(OutboxMessage.provider_id)
        .where(
            OutboxMessage.report_id == report.id,
            OutboxMessage.agency_id == agency_id,
            OutboxMessage.kind == "referral",
            OutboxMessage.purpose.like("referral%"),
            OutboxMessage.provider_id.is_not(None),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def open311_update_fields(doc: dict[str, Any], request_id: str | None) -> dict[str, str]:
    """GeoReport v2 servicerequestupdates.json form fields (api_key is added by the sender)."""
    entry = doc["entry"]
    when = entry["occurred"] or "time not said"
    return {
        "service_request_id": request_id or doc["reference"],
        "update_id": f"diary-{entry['id']}",
        "status": "OPEN",
        "updated_datetime": entry["reported_at"],
        "description": f"[{doc['reference']}] Diary entry ({when}): {entry['text']}"[:4000],
        "attribute[asb_reference]": doc["reference"],
        "attribute[event]": "diary_entry",
        "attribute[occurred_at]": entry["occurred_at"] or "",
    }


def queue_diary_update(
    session: Session,
    report: Report,
    entry: DiaryEntry,
    *,
    now: datetime,
    partnership: Partnership,
    via: str | None = None,
) -> OutboxMessage:
    """Queue the entry to ``report``'s lead agency (``report`` is the primary when the entry was added
    to a linked duplicate, named by ``via``)."""
    agency_id = report.lead_agency
    agency = partnership.agency(agency_id)
    method = agency.referral.method
    doc = diary_document(report, entry, agency_id, via=via)
    payload: dict[str, Any] = {"document": doc}
    recipient = ""
    body = ""
    if method == "email":
        recipient = agency.referral.address or ""
        payload["subject"], body = diary_email(doc, agency)
    elif method == "webhook":
        recipient = agency.referral.url or ""
    elif method == "open311":
        recipient = (agency.referral.url or "").rstrip("/") + "/servicerequestupdates.json"
        payload["fields"] = open311_update_fields(doc, _agency_request_id(session, report, agency_id))
    row = enqueue(
        session,
        kind="referral",
        transport=method,
        purpose="diary_entry",
        now=now,
        recipient=recipient,
        body=body,
        payload=payload,
        report_id=report.id,
        agency_id=agency_id,
        dedupe_key=f"diary:{entry.id}:{agency_id}",
    )
    if method == "inbox":
        row.status = OutboxStatus.DELIVERED
        row.delivery_status = "inbox"
        row.sent_at = now
    return row
