"""Referrals to agencies: what each agency is sent, queued in the outbox in the caller's transaction.

How a referral travels is the agency's choice in the partnership file (`referral.method`):
- ``email``: a plain-text email to ``referral.address`` over SMTP;
- ``webhook``: this JSON body POSTed to ``referral.url``, signed with HMAC-SHA256 (docs/agency-webhooks.md);
- ``open311``: a GeoReport v2 ``POST requests.json`` to the agency's endpoint with these form fields;
- ``inbox``: the agency works in this product's inbox; nothing is sent, the row is delivered at once.

Agencies act on referrals, so (unlike SMS to residents) they carry the detail: type, place, the
resident's words and, unless the report is anonymous, how to reach the reporter. Secrets (webhook keys,
Open311 api_keys) are never stored in the outbox; the notifier reads them when it sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.asb_types import ASB_TYPES
from casework.core.models import Contact, EvidenceFile, OutboxMessage, Report
from casework.core.safe_contact import text_block_reason
from casework.core.states import EvidenceStatus, OutboxStatus
from casework.messaging.outbox import enqueue

if TYPE_CHECKING:
    from casework.partnership import Agency, Partnership

REASONS = ("new", "copied", "reassigned", "escalated", "resent", "safe_contact", "evidence")
# How a reason reads in an email (the reason code itself for the others).
REASON_TEXT = {"safe_contact": "sent again: the reporter now says texting them is NOT safe"}
KIND_WORDS = {"image": "photo", "audio": "sound recording", "video": "video"}


def _label(asb_type: str) -> str:
    known = ASB_TYPES.get(asb_type)
    return known.label if known else asb_type


def _reporter(session: Session, report: Report) -> dict[str, Any]:
    contact = report.contact or (session.get(Contact, report.contact_id) if report.contact_id else None)
    reporter: dict[str, Any] = {
        "role": report.reporter_role,
        "anonymous": report.anonymous,
        "channel": report.channel,
    }
    if not report.anonymous and contact is not None and contact.phone:
        reporter["phone"] = contact.phone
        # Whether the agency may text them: the same rule the product follows for its own texts, from
        # the resident's latest answer (given in any of their reports), re-checked when the referral goes.
        reporter["text_safe"] = text_block_reason(report, contact) is None
    return reporter


def refresh_safe_contact(session: Session, row: OutboxMessage, partnership: Partnership) -> bool:
    """Bring a queued referral's reporter block (safe to text?) up to date; True when it changed.

    Called as the referral is claimed for sending, so a "not safe to text" given after it was queued (or
    a resend of an old referral) never tells the agency texting is safe.
    """
    payload = dict(row.payload or {})
    doc = payload.get("document")
    report = session.get(Report, row.report_id) if row.report_id else None
    if not isinstance(doc, dict) or "reporter" not in doc or report is None or report.anonymised_at:
        return False
    reporter = _reporter(session, report)
    if reporter == doc["reporter"]:
        return False
    doc = {**doc, "reporter": reporter}
    payload["document"] = doc
    agency = partnership.agencies.get(row.agency_id or "")
    if agency is not None and row.transport == "email":
        row.body = email_text(doc, agency)
    elif agency is not None and row.transport == "open311":
        payload["fields"] = open311_fields(doc, agency)
    row.payload = payload
    return True


def _evidence(session: Session, report: Report, base_url: str) -> list[dict[str, Any]]:
    """The report's stored files: links that open only with the agency's sign-in (page) or API token."""
    rows = session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.report_id == report.id, EvidenceFile.status == EvidenceStatus.STORED)
        .order_by(EvidenceFile.id)
    ).all()
    base = base_url.rstrip("/")
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "media_type": row.media_type,
            "size": row.size,
            "received_at": row.created_at.isoformat(),
            "page_url": f"{base}/staff/reports/{report.reference}/files/{row.id}",
            "api_url": f"{base}/api/v1/reports/{report.reference}/files/{row.id}",
        }
        for row in rows
    ]


def referral_document(
    session: Session, report: Report, agency_id: str, reason: str, *, base_url: str = ""
) -> dict[str, Any]:
    """The referral as JSON (the webhook body; also the source of the email and Open311 forms)."""
    return {
        "event": "referral",
        "reason": reason,
        "agency": agency_id,
        "role": "lead" if agency_id == report.lead_agency else "copied",
        "reference": report.reference,
        "asb_type": report.asb_type,
        "asb_type_label": _label(report.asb_type),
        "nsir_class": report.nsir_class,
        "status": report.status,
        "description": report.description,
        "location": {
            "text": report.location_text,
            "ward": report.ward,
            "postcode": report.postcode,
            "lat": report.latitude,
            "long": report.longitude,
        },
        "occurred": report.occurred_text,
        "occurred_at": report.occurred_at.isoformat() if report.occurred_at else None,
        "ongoing": report.ongoing,
        "risk_level": report.risk_level,
        "risk_reasons": list(report.risk_reasons or []),
        "hate": report.hate,
        "hate_motivation": report.hate_motivation,
        "domestic_abuse": report.domestic_abuse,
        "tenure": report.tenure,
        "lead_agency": report.lead_agency,
        "copied_agencies": list(report.copied_agencies or []),
        "routing_reasons": list(report.routing_reasons or []),
        "linked_to": report.linked_to.reference if report.linked_to_id and report.linked_to else None,
        "repeat_victim_count": report.repeat_victim_count,
        "repeat_location_count": report.repeat_location_count,
        "due_at": report.due_at.isoformat() if report.due_at else None,
        "created_at": report.created_at.isoformat(),
        "reporter": _reporter(session, report),
        "evidence": _evidence(session, report, base_url),
    }


def _why_again(doc: dict[str, Any]) -> str:
    """ " (why it is sent again)" for a referral that is not the first, or ""."""
    if doc["reason"] in ("new", "copied"):
        return ""
    return f" ({REASON_TEXT.get(doc['reason'], doc['reason'])})"


def email_subject(doc: dict[str, Any]) -> str:
    """Subject line agencies can filter on: reference, type, risk and why it was sent."""
    flags = "".join(
        f" [{f}]" for f, on in (("HATE", doc["hate"]), ("DOMESTIC ABUSE", doc["domestic_abuse"])) if on
    )
    again = _why_again(doc)
    return f"ASB referral {doc['reference']}: {doc['asb_type_label']}, {doc['risk_level']} risk{flags}{again}"


def email_text(doc: dict[str, Any], agency: Agency) -> str:
    """The plain-text email body for an agency."""
    loc = doc["location"]
    reporter = doc["reporter"]
    where = ", ".join(
        str(p) for p in (loc["text"], loc["ward"] and f"ward: {loc['ward']}", loc["postcode"]) if p
    )
    hate = "no"
    if doc["hate"]:
        hate = f"yes ({doc['hate_motivation']})" if doc["hate_motivation"] else "yes"
    domestic = "yes - do not text the reporter unless marked safe below" if doc["domestic_abuse"] else "no"
    lines = [
        f"To: {agency.name}",
        f"Reference: {doc['reference']}",
        f"You are the {'lead agency' if doc['role'] == 'lead' else 'copied for information'}"
        + _why_again(doc)
        + ".",
        f"Type: {doc['asb_type_label']} ({doc['asb_type']}, {doc['nsir_class']})",
        f"Risk: {doc['risk_level']}"
        + (f" - {'; '.join(map(str, doc['risk_reasons']))}" if doc["risk_reasons"] else ""),
        f"Hate incident: {hate}",
        f"Domestic abuse: {domestic}",
        f"Where: {where or 'not given'}",
        f"When: {doc['occurred'] or 'not given'}" + (" (ongoing)" if doc["ongoing"] else ""),
        f"Respond by: {doc['due_at'] or 'see your service standard'}",
        "",
        "What the resident said:",
        doc["description"],
        "",
    ]
    if reporter["anonymous"]:
        lines.append("Reporter: anonymous (no contact details).")
    elif reporter.get("phone"):
        safe = "yes" if reporter.get("text_safe") else "NO - call, do not text"
        lines.append(f"Reporter ({reporter['role']}): {reporter['phone']} - safe to text: {safe}")
    else:
        lines.append(
            f"Reporter ({reporter['role']}): no phone number given; reply through the partnership inbox."
        )
    if doc["copied_agencies"]:
        lines.append(f"Also sent to: {', '.join(doc['copied_agencies'])}; lead: {doc['lead_agency']}.")
    if doc["linked_to"]:
        lines.append(f"Linked to earlier report {doc['linked_to']}.")
    if doc.get("evidence"):
        lines += ["", "Photos and files from the resident (each link asks for your sign-in):"]
        lines += [
            f"- {KIND_WORDS.get(str(e['kind']), 'file')}, {max(1, int(e['size']) // 1024)} KB, "
            f"received {str(e['received_at'])[:16].replace('T', ' ')} UTC: {e['page_url']}"
            for e in doc["evidence"]
        ]
    lines += [
        "",
        "This referral is confidential: it contains personal data. Do not forward outside your agency.",
    ]
    return "\n".join(lines) + "\n"


def open311_fields(doc: dict[str, Any], agency: Agency) -> dict[str, str]:
    """GeoReport v2 POST requests.json form fields (api_key is added by the sender, never stored)."""
    loc = doc["location"]
    fields = {
        "service_code": agency.referral.service_code_for(doc["asb_type"]),
        "description": f"[{doc['reference']}] {doc['description']}"[:4000],
        "address_string": ", ".join(str(p) for p in (loc["text"], loc["postcode"]) if p) or "not given",
        "attribute[asb_reference]": doc["reference"],
        "attribute[asb_type]": doc["asb_type"],
        "attribute[risk_level]": doc["risk_level"],
        "attribute[reason]": doc["reason"],
    }
    if loc["lat"] is not None and loc["long"] is not None:
        fields["lat"] = str(loc["lat"])
        fields["long"] = str(loc["long"])
    if agency.referral.jurisdiction_id:
        fields["jurisdiction_id"] = agency.referral.jurisdiction_id
    if doc["reporter"].get("phone"):
        fields["phone"] = doc["reporter"]["phone"]
    return fields


def queue_referral(
    session: Session,
    report: Report,
    agency_id: str,
    now: datetime,
    reason: str = "new",
    *,
    partnership: Partnership,
    base_url: str | None = None,
) -> OutboxMessage:
    """Queue a referral of ``report`` to ``agency_id`` by the agency's method (re-sent on every call).

    ``reason`` says why (new, copied, reassigned, escalated, resent); the agency sees it. KeyError naming
    the known agencies when ``agency_id`` is not in the partnership.
    """
    agency = partnership.agency(agency_id)
    method = agency.referral.method
    if base_url is None:
        from casework.core.settings import get_settings

        base_url = get_settings().PUBLIC_BASE_URL
    doc = referral_document(session, report, agency_id, reason, base_url=base_url)
    payload: dict[str, Any] = {"document": doc}
    recipient = ""
    body = ""
    if method == "email":
        recipient = agency.referral.address or ""
        payload["subject"] = email_subject(doc)
        body = email_text(doc, agency)
    elif method == "webhook":
        recipient = agency.referral.url or ""
    elif method == "open311":
        recipient = (agency.referral.url or "").rstrip("/") + "/requests.json"
        payload["fields"] = open311_fields(doc, agency)
    row = enqueue(
        session,
        kind="referral",
        transport=method,
        purpose=f"referral_{reason}" if reason in REASONS else "referral",
        now=now,
        recipient=recipient,
        body=body,
        payload=payload,
        report_id=report.id,
        agency_id=agency_id,
        dedupe_key=f"referral:{report.id}:{agency_id}:{reason}:{now:%Y%m%dT%H%M%S%f}",
    )
    if method == "inbox":
        # The agency works in the product's own inbox: the report is already there.
        row.status = OutboxStatus.DELIVERED
        row.delivery_status = "inbox"
        row.sent_at = now
        row.error_message = None
    return row
