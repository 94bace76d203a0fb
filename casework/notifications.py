"""What victims are told by SMS and when: safe-contact rules applied as messages are queued.

The notifier re-checks opt-out and quiet hours at send time, so a STOP received after queueing wins.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from casework.models import Contact, OutboxMessage, Report
from casework.outbox import enqueue

if TYPE_CHECKING:
    from casework.partnership import Partnership

# Neutral wording only: the reference, a neutral line, how to get the detail. Never the type of problem,
# names, places or outcomes (texts can be read by someone else).
TEMPLATES: dict[str, str] = {
    "ack": "Ref {reference}: thank you, we have your report. {handler} will be in touch by {respond_by}. {detail}",
    "status_update": "Ref {reference}: there is an update on your report. {detail}",
    "cadence": "Ref {reference}: your report is still open and being worked on. {detail}",
    "closure": "Ref {reference}: your report has now been closed. {detail}",
    "case_review": "Ref {reference}: you may be able to ask for an ASB Case Review. {detail}",
    "linked": "Ref {reference}: this is already being dealt with and you will get its updates. {detail}",
    "survey_1m": "Ref {reference}: how satisfied are you with how your report was handled? Reply 1 (poor) to 5 (very good).",
    "survey_6m": "Ref {reference}: six months on, how satisfied are you with the outcome? Reply 1 (poor) to 5 (very good).",
}


def sms_block_reason(report: Report, contact: Contact | None) -> str | None:
    """Why no SMS may go for this report, or None when texting is allowed."""
    if contact is None or not contact.phone:
        return "no phone number"
    if report.anonymous:
        return "anonymous report"
    if not report.wants_updates:
        return "reporter did not ask for updates"
    if contact.sms_opted_out:
        return "number opted out (STOP)"
    if contact.number_invalid:
        return "number flagged invalid"
    if report.domestic_abuse and report.text_safe is not True:
        return "domestic abuse: texting not confirmed safe"
    if report.text_safe is False:
        return "reporter said texting is not safe"
    return None


def detail_line(partnership: Partnership | None) -> str:
    """How to get the detail, without putting it in the text."""
    if partnership is None:
        return "Call 101 for details."
    phone = partnership.agencies[partnership.council_agency].public.phone if partnership.council_agency else None
    return f"For details call {phone}." if phone else "Call 101 for details."


def notify_victim(
    session: Session,
    report: Report,
    *,
    purpose: str,
    now: datetime,
    partnership: Partnership | None = None,
    fields: dict[str, str] | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue a neutral SMS to the report's contact, or a cancelled row saying why it may not go."""
    contact = report.contact if report.contact_id else None
    if contact is None and report.contact_id is not None:
        contact = session.get(Contact, report.contact_id)
    if contact is None or not contact.phone:
        return None  # web-only or anonymous: nothing to send, nothing to record
    values = {"reference": report.reference, "detail": detail_line(partnership), "handler": "We", "respond_by": ""}
    values.update(fields or {})
    body = " ".join(TEMPLATES[purpose].format(**values).split())
    reason = sms_block_reason(report, contact)
    return enqueue(
        session,
        kind="sms",
        transport="sms",
        purpose=purpose,
        now=now,
        recipient=contact.phone,
        body=body,
        report_id=report.id,
        contact_id=contact.id,
        dedupe_key=dedupe_key,
        status="cancelled" if reason else "pending",
        error_message=f"not sent: {reason}" if reason else None,
    )
