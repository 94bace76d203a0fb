"""The one safe-contact rule: may we (or an agency) text this person about this report now?

The resident's latest "is it safe to text you?" answer lives on their contact and holds for all their
reports. Used when a text is queued (messaging), again at send time, in what referrals tell agencies,
and by the conversations that record the answer; it lives in the shared kernel because conversation and
messaging both need it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from casework.core.models import Contact, OutboxMessage, Report
from casework.core.states import UNSENT, OutboxStatus

NOT_SAFE = "reporter said texting is not safe"
DOMESTIC_ABUSE_NOT_CONFIRMED = "domestic abuse: texting not confirmed safe"


def record_text_safe(contact: Contact, safe: bool, *, now: datetime) -> bool:
    """Record the resident's answer to "is it safe for us to text you?"; True when it turned to "no".

    The answer is the person's, not one report's: it holds for every report of theirs from now on (see
    `current_text_safe`). A "no" does not itself cancel queued texts; see `cancel_unsent_texts`.
    """
    became_unsafe = safe is False and contact.text_safe is not False
    contact.text_safe = safe
    contact.text_safe_asked_at = now
    contact.updated_at = now
    return became_unsafe


def current_text_safe(report: Report, contact: Contact | None) -> bool | None:
    """The answer to "is it safe to text you?" that holds now for this report; None when none covers it.

    The contact keeps the resident's latest answer (any report, any channel) and when it was given. An
    answer given after the report was filed replaces the report's own; otherwise the most cautious of the
    two holds (a "no" on either), and a "yes" older than the report does not cover it.
    """
    answer = contact.text_safe if contact is not None else None
    answered_at = contact.text_safe_asked_at if contact is not None else None
    if answered_at is not None and answered_at > report.created_at:
        return answer  # a later answer (or a reset when the number changed) replaces the report's
    if answer is False or report.text_safe is False:
        return False
    return report.text_safe


def text_block_reason(report: Report, contact: Contact | None) -> str | None:
    """May we (or an agency) text this person about this report now? None when yes, else why not.

    The one safe-contact rule: used when a text is queued, again when the notifier sends it, and for
    what referrals tell agencies. It does not look at whether the resident wants updates (a consent to
    our update texts, not a safety answer); `casework.messaging.sms_block_reason` adds that.
    """
    if contact is None or not contact.phone:
        return "no phone number"
    if report.anonymous:
        return "anonymous report"
    if contact.sms_opted_out:
        return "number opted out (STOP)"
    if contact.number_invalid:
        return "number flagged invalid"
    answer = current_text_safe(report, contact)
    if answer is False:
        return NOT_SAFE
    if report.domestic_abuse and answer is not True:
        return DOMESTIC_ABUSE_NOT_CONFIRMED
    return None


def number_block_reason(session: Session, phone: str) -> str | None:
    """May anything be texted to this number at all? None when yes, else why not.

    For a number given in web chat and not yet linked to a report: whoever owns it may have replied STOP,
    it may be flagged invalid, or its owner may have said texting them is not safe (on any report).
    """
    contacts = session.scalars(select(Contact).where(Contact.phone == phone)).all()
    if any(c.sms_opted_out for c in contacts):
        return "number opted out (STOP)"
    if any(c.number_invalid for c in contacts):
        return "number flagged invalid"
    if any(c.text_safe is False for c in contacts):
        return NOT_SAFE
    return None


def cancel_unsent_texts(
    session: Session, contact: Contact, *, reason: str, now: datetime, about_reports_only: bool = False
) -> int:
    """Cancel texts to this contact not yet handed to the provider; returns rows cancelled.

    ``about_reports_only`` leaves replies to the resident's own texts (no report) alone.
    """
    match_contact = [OutboxMessage.contact_id == contact.id]
    if contact.phone:
        match_contact.append(OutboxMessage.recipient == contact.phone)
    where = [OutboxMessage.kind == "sms", OutboxMessage.status.in_(UNSENT), or_(*match_contact)]
    if about_reports_only:
        where.append(OutboxMessage.report_id.is_not(None))
    result = session.execute(
        update(OutboxMessage)
        .where(*where)
        .values(status=OutboxStatus.CANCELLED, error_message=reason, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
