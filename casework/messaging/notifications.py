"""What victims are told by SMS and when: neutral wording and safe-contact rules, applied when queued.

Safe contact (docs/domain.md): a text can be read by someone else, so every SMS says as little as
possible: the reference, a neutral line, how to get the detail. Never the type of problem, names,
places or outcomes. The notifier re-checks opt-out, safety and quiet hours at SEND time
(`casework.messaging.sending.claim_due`), so a STOP or a "not safe to text" recorded after queueing still
wins.

Scheduled messages (called by the notifier's clock, idempotent through outbox dedupe keys):
- `queue_cadence_updates`: "still open, still being worked on" after the partnership's cadence
  (default 10 working days) without a public update;
- `queue_surveys`: the satisfaction question one month and six months after closure.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import String, and_, cast, literal, or_, select
from sqlalchemy.orm import Session

from casework.core.models import Contact, OutboxMessage, Report, SurveyResponse
from casework.core.safe_contact import NOT_SAFE, cancel_unsent_texts, record_text_safe, text_block_reason
from casework.core.sms_text import encoding, segments, smart_encode
from casework.core.states import OutboxStatus, ReportStatus
from casework.core.workdays import working_days_between
from casework.messaging.outbox import enqueue
from casework.messaging.referrals import queue_referral

if TYPE_CHECKING:
    from casework.partnership import Partnership


# Neutral wording only. {handler} is the agency's public name ("Lichfield District Council"),
# {respond_by} a date ("Tuesday 24 November"), {detail} how to get the detail by phone.
TEMPLATES: dict[str, str] = {
    "ack": "Ref {reference}: thank you, we have your report. "
    "{handler} will be in touch by {respond_by}. {detail}",
    "status_update": "Ref {reference}: there is an update on your report. Reply UPDATE to read it. {detail}",
    "cadence": "Ref {reference}: your report is still open and being worked on. {detail}",
    "closure": "Ref {reference}: your report has now been closed. {detail}",
    "case_review": "Ref {reference}: you may be able to ask for an ASB Case Review. {detail}",
    "linked": "Ref {reference}: this is already being dealt with and you will get its updates. {detail}",
    # The resident's ASB Case Review application ({reference} is the application's own, CR-...).
    "cr_received": "Ref {reference}: we have your Case Review application. "
    "We will tell you our decision by {respond_by}. {detail}",
    "cr_decision": "Ref {reference}: we have made a decision on your Case Review application. {detail}",
    "cr_meeting": "Ref {reference}: the Case Review meeting is set for {respond_by}. {detail}",
    "cr_recommendations": "Ref {reference}: the Case Review has met and its recommendations are ready. "
    "{detail}",
    "cr_closed": "Ref {reference}: your Case Review is now closed. {detail}",
    "cr_appeal": "Ref {reference}: we have your appeal. We will reply by {respond_by}. {detail}",
    "cr_appeal_decided": "Ref {reference}: we have made a decision on your appeal. {detail}",
    "diary_reminder": "Ref {reference}: if it happens again, text AGAIN and what happened, and we will "
    "add it to your report. {detail}",
    "survey_1m": "Ref {reference}: how satisfied are you with how your report was handled? "
    "Reply 1 (poor) to 5 (very good).",
    "survey_6m": "Ref {reference}: six months on, how satisfied are you with the outcome? "
    "Reply 1 (poor) to 5 (very good).",
}
# Used when no respond-by date is known, so the acknowledgement never reads "in touch by ."
ACK_NO_DATE = "Ref {reference}: thank you, we have your report. {handler} will be in touch. {detail}"

SURVEYS = {"survey_1m": ("1m", 1), "survey_6m": ("6m", 6)}
# How long after the due date a survey may still go (a notifier down for a week still asks; a
# deployment that starts today does not ask about cases closed years ago).
SURVEY_WINDOW = timedelta(days=30)
MAX_SEGMENTS = 2
UNCONFIRMED_REASON = "number not confirmed (given through a public site; it has not texted us)"


def sms_block_reason(report: Report, contact: Contact | None) -> str | None:
    """Why no update SMS may go for this report now, or None when texting is allowed.

    The safe-contact rule (`casework.core.safe_contact.text_block_reason`: the resident's latest answer,
    opt-out, anonymity) plus whether the reporter asked for updates.
    """
    if contact is None or not contact.phone:
        return "no phone number"
    if report.anonymous:
        return "anonymous report"
    if not report.wants_updates:
        return "reporter did not ask for updates"
    reason = text_block_reason(report, contact)
    if reason is None and contact.phone_confirmed_at is None:
        return UNCONFIRMED_REASON
    return reason


def record_text_safe_answer(
    session: Session, contact: Contact, safe: bool, *, now: datetime, partnership: Partnership
) -> int:
    """Record the resident's latest "is it safe to text you?" answer for all their reports.

    A "no" cancels every text about their reports not yet sent, and the agencies working their open
    reports, told until now that texting was safe, are sent the referral again saying it is not.
    Returns the number of agencies told.
    """
    open_reports = session.scalars(
        select(Report).where(
            Report.contact_id == contact.id,
            Report.anonymous.is_(False),
            Report.anonymised_at.is_(None),
            Report.closed_at.is_(None),
            Report.status != ReportStatus.CLOSED,
        )
    ).all()
    told_safe = [r for r in open_reports if text_block_reason(r, contact) is None]
    if not record_text_safe(contact, safe, now=now):
        return 0
    cancel_unsent_texts(session, contact, reason=f"not sent: {NOT_SAFE}", now=now, about_reports_only=True)
    told = 0
    for report in told_safe:
        for agency_id in (report.lead_agency, *(report.copied_agencies or [])):
            queue_referral(session, report, agency_id, now, "safe_contact", partnership=partnership)
            told += 1
    return told


def detail_line(partnership: Partnership | None) -> str:
    """How to get the detail, without putting it in the text."""
    if partnership is None:
        return "Call 101 for details."
    council = partnership.agencies.get(partnership.council_agency)
    phone = council.public.phone if council else None
    return f"For details call {phone}." if phone else "Call 101 for details."


def render(
    purpose: str,
    *,
    reference: str,
    partnership: Partnership | None = None,
    fields: dict[str, str] | None = None,
) -> str:
    """The SMS text for a purpose: one line, GSM-7 where possible; KeyError for an unknown purpose."""
    values = {"reference": reference, "detail": detail_line(partnership), "handler": "We", "respond_by": ""}
    values.update({k: v for k, v in (fields or {}).items() if v})
    template = TEMPLATES[purpose]
    if purpose == "ack" and not values["respond_by"]:
        template = ACK_NO_DATE
    return smart_encode(" ".join(template.format(**values).split()))


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
    """Queue a neutral SMS to the report's contact, or a cancelled row saying why it may not go.

    Returns None when there is no number at all (web-only or anonymous reports): nothing to record.
    """
    contact = report.contact if report.contact_id else None
    if contact is None and report.contact_id is not None:
        contact = session.get(Contact, report.contact_id)
    if contact is None or not contact.phone:
        return None
    body = render(purpose, reference=report.reference, partnership=partnership, fields=fields)
    reason = sms_block_reason(report, contact)
    row = enqueue(
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
        status=OutboxStatus.CANCELLED if reason else OutboxStatus.PENDING,
        error_message=f"not sent: {reason}" if reason else None,
    )
    row.segments = segments(body)
    row.encoding = encoding(body)
    return row


def notify_filed(
    session: Session,
    report: Report,
    *,
    now: datetime,
    partnership: Partnership,
    respond_by: str,
    case_review: bool,
) -> None:
    """The texts a filed report starts with, each at most once: "linked to an earlier report" or the
    acknowledgement with its respond-by date, then, when the victim may ask for one, the case review."""
    if report.linked_to_id:
        notify_victim(
            session,
            report,
            purpose="linked",
            now=now,
            partnership=partnership,
            dedupe_key=f"linked:{report.id}",
        )
    else:
        notify_victim(
            session,
            report,
            purpose="ack",
            now=now,
            partnership=partnership,
            fields={"respond_by": respond_by},
            dedupe_key=f"ack:{report.id}",
        )
    if case_review:
        notify_case_review(session, report, now=now, partnership=partnership)


def notify_case_review(session: Session, report: Report, *, now: datetime, partnership: Partnership) -> None:
    """Tell the victim they may ask for an ASB Case Review (at most once per report)."""
    notify_victim(
        session,
        report,
        purpose="case_review",
        now=now,
        partnership=partnership,
        dedupe_key=f"case_review:{report.id}",
    )


# ------------------------------------------------------------------------------------------- scheduled


def _updatable_reports():  # type: ignore[no-untyped-def]
    return and_(
        Report.contact_id.is_not(None),
        Report.anonymous.is_(False),
        Report.wants_updates.is_(True),
        Report.anonymised_at.is_(None),
    )


def queue_cadence_updates(
    session: Session, *, now: datetime, partnership: Partnership, limit: int = 500
) -> int:
    """Queue "still being worked on" for open reports with no public update for the cadence; returns count.

    The message is itself a public update, so ``last_public_update_at`` moves to now and the next one is
    due a cadence later. Dedupe keys make a re-run (or two notifiers) queue nothing twice.
    """
    cadence = partnership.update_cadence_working_days
    tz = partnership.timezone
    # Working days are never fewer than calendar days minus weekends: a calendar cut-off pre-filters.
    cutoff = now - timedelta(days=cadence)
    last = Report.last_public_update_at
    stmt = (
        select(Report)
        .where(
            _updatable_reports(),
            Report.closed_at.is_(None),
            Report.status != ReportStatus.CLOSED,
            or_(last < cutoff, and_(last.is_(None), Report.created_at < cutoff)),
        )
        .order_by(Report.id)
        .limit(limit)
    )
    queued = 0
    for report in session.scalars(stmt):
        since = report.last_public_update_at or report.created_at
        if working_days_between(since, now, tz) < cadence:
            continue
        row = notify_victim(
            session,
            report,
            purpose="cadence",
            now=now,
            partnership=partnership,
            dedupe_key=f"cadence:{report.id}:{since:%Y%m%dT%H%M%S}",
        )
        report.last_public_update_at = now
        report.updated_at = now
        if row is not None and row.status == OutboxStatus.PENDING:
            queued += 1
    return queued


def add_months(when: datetime, months: int) -> datetime:
    """The same day-of-month ``months`` later (clamped to the month's last day)."""
    month_index = when.month - 1 + months
    year, month = when.year + month_index // 12, month_index % 12 + 1
    for day in (when.day, 30, 29, 28):
        try:
            return when.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {when}")


def queue_surveys(session: Session, *, now: datetime, partnership: Partnership, limit: int = 500) -> int:
    """Queue the satisfaction question one and six months after closure (once each); returns count."""
    queued = 0
    for purpose, (survey, months) in SURVEYS.items():
        # closed_at + months <= now < closed_at + months + window, rewritten over closed_at.
        latest_close = add_months(now, -months)
        earliest_close = add_months(now - SURVEY_WINDOW, -months)
        stmt = (
            select(Report)
            .where(
                _updatable_reports(),
                Report.closed_at.is_not(None),
                Report.closed_at <= latest_close,
                Report.closed_at > earliest_close,
                Report.linked_to_id.is_(None),
                ~select(SurveyResponse.id)
                .where(SurveyResponse.report_id == Report.id, SurveyResponse.survey == survey)
                .exists(),
                ~select(OutboxMessage.id)
                .where(OutboxMessage.dedupe_key == literal(f"{purpose}:") + cast(Report.id, String))
                .exists(),
            )
            .order_by(Report.id)
            .limit(limit)
        )
        for report in session.scalars(stmt):
            row = notify_victim(
                session,
                report,
                purpose=purpose,
                now=now,
                partnership=partnership,
                dedupe_key=f"{purpose}:{report.id}",
            )
            if row is not None and row.status == OutboxStatus.PENDING:
                queued += 1
    return queued
