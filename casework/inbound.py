"""Inbound SMS: store first, then decide (keywords, limits, surveys), then relay to the assistant.

Every message is written to `inbound_sms` before anything else happens, keyed by Twilio's MessageSid,
so a Twilio retry gets the stored reply instead of a second turn, and nothing a resident sends is lost:
when the assistant is down or slow the message is kept as `deferred`, the resident gets a short holding
reply, and `retry_deferred` relays it later and queues the assistant's answer as an outbound SMS.

Statuses of an inbound row: received (being relayed) -> answered | deferred -> relaying -> answered;
`limited` (rate limit), `rejected` (unusable input), `opted_out` (no reply may go).
Rate limits count rows in `inbound_sms`, so they hold across webhook workers and processes; under a
burst of simultaneous requests a limit can be overshot by the number of concurrent workers, which is
harmless for the purpose (stopping SMS pumping costs, not exact metering).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.bootstrap import Services
from casework.contacts import (
    InvalidPhoneNumber,
    confirm_phone,
    get_or_create_sms_contact,
    record_opt_in,
    record_opt_out,
)
from casework.conversation import (
    ASSISTANT,
    RESIDENT,
    Assistant,
    AssistantUnavailable,
    clean_text,
    last_assistant_turn,
    looks_unreadable,
    normalise_messages,
    offered_buttons,
    record_assistant_messages,
    record_turn,
)
from casework.db import unit_of_work
from casework.models import Contact, InboundSms, OutboxMessage, SurveyResponse
from casework.outbox import enqueue
from casework.sms_text import choose_button, render_for_sms

log = logging.getLogger(__name__)

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
SURVEY_PURPOSES = {"survey_1m": "1m", "survey_6m": "6m"}
SURVEY_ANSWER_WINDOW = timedelta(days=30)
# Twilio concatenates at most 1,600 characters; anything longer did not come from a handset.
MAX_BODY_CHARS = 1600
# Twilio waits 15 seconds for our answer; relaying (including catching up earlier messages) stops here.
REPLY_BUDGET_SECONDS = 10.0
# A row still "received" or "relaying" after this was abandoned by a crashed worker: relay it again.
STUCK_AFTER = timedelta(minutes=2)
# How long a Twilio retry waits for the first delivery of the same MessageSid to finish.
DUPLICATE_WAIT_SECONDS = 12.0

EMERGENCY = "In danger now? Call 999."
HOLDING = (
    "Thanks, we have your message. Our assistant is busy just now, so we will text you its reply "
    f"shortly. {EMERGENCY}"
)
EMPTY_REPLY = f"We could not see any words in your message. Please text us what is happening. {EMERGENCY}"
MEDIA_ONLY_REPLY = (
    "Sorry, we cannot receive photos or files by text yet. Please describe what is happening in words. "
    f"{EMERGENCY}"
)
MEDIA_NOTE = "Sorry, we cannot receive photos or files by text yet; we have your words."
UNREADABLE_REPLY = f"Sorry, we could not read that message. Please send it again in words. {EMERGENCY}"
TOO_LONG_REPLY = (
    f"Sorry, that message is too long for us to read. Please send it again in shorter texts. {EMERGENCY}"
)
RATE_LIMITED_REPLY = (
    "You have sent us a lot of texts in a short time, so we are pausing replies for a while. "
    f"Please try again later. {EMERGENCY} Otherwise call 101."
)
DEFERRED_PREFIX = "Sorry for the wait."
SURVEY_THANKS = "Thank you for your answer. It helps us improve."
# Key of the item in a deferred row's stored reply that holds the text still to relay.
RELAY_KEY = "relay"


def stop_reply() -> str:
    """What a resident is told after STOP."""
    return "You will get no more texts from us. Text START to turn texts back on. " + EMERGENCY


def start_reply() -> str:
    """What a resident is told after START (or YES when opted out)."""
    return "Texts from us are turned back on. Text STOP at any time to stop them. " + EMERGENCY


def help_reply(partnership_name: str) -> str:
    """HELP: what this number is, 999 and 101, how to stop."""
    return (
        f"This is the {partnership_name} number for reporting anti-social behaviour. "
        "In danger or a crime happening now? Call 999. Otherwise call 101. "
        "Text STOP to stop all texts from us."
    )


class BadInboundSms(ValueError):
    """The request lacks what every Twilio message has (From, MessageSid); nothing can be answered."""


@dataclass(frozen=True)
class IncomingSms:
    """The Twilio form fields the edge uses."""

    message_sid: str
    from_number: str
    body: str
    num_media: int = 0

    @classmethod
    def from_form(cls, form: Any) -> IncomingSms:
        """Read Twilio's form fields; BadInboundSms names what is missing."""
        sid = str(form.get("MessageSid") or form.get("SmsMessageSid") or "").strip()
        sender = str(form.get("From") or "").strip()
        missing = [name for name, value in (("MessageSid", sid), ("From", sender)) if not value]
        if missing:
            raise BadInboundSms(f"missing {', '.join(missing)}")
        if len(sid) > 64:
            raise BadInboundSms("MessageSid is too long")
        try:
            num_media = max(0, int(str(form.get("NumMedia") or "0").strip() or 0))
        except ValueError:
            num_media = 0
        return cls(message_sid=sid, from_number=sender, body=str(form.get("Body") or ""), num_media=num_media)


@dataclass
class SmsReply:
    """What to answer Twilio with: the SMS parts (possibly none) and what happened."""

    parts: list[str]
    outcome: str
    messages: list[dict[str, Any]] = field(default_factory=list)


def _keyword(text: str) -> str:
    return text.strip().strip(".!").strip().upper()


def _count_since(session: Session, since: datetime, contact_id: int | None = None) -> int:
    query = select(func.count(InboundSms.id)).where(InboundSms.created_at >= since)
    if contact_id is not None:
        query = query.where(InboundSms.contact_id == contact_id)
    return int(session.scalar(query) or 0)


def _rate_limit(session: Session, services: Services, contact: Contact, now: datetime) -> str | None:
    """'global', 'number' or 'number-again' (already told) when a limit is exceeded, else None."""
    settings = services.settings
    # The counts include the message being handled (it is stored before the check).
    if _count_since(session, now - timedelta(minutes=1)) > settings.SMS_RATE_GLOBAL_PER_MINUTE:
        return "global"
    hour_ago = now - timedelta(hours=1)
    if _count_since(session, hour_ago, contact.id) <= settings.SMS_RATE_PER_NUMBER_PER_HOUR:
        return None
    told = _limited_replies(session, contact.id, hour_ago)
    return "number-again" if told else "number"


def _limited_replies(session: Session, contact_id: int, since: datetime) -> int:
    rows = session.scalars(
        select(InboundSms).where(
            InboundSms.contact_id == contact_id,
            InboundSms.status == "limited",
            InboundSms.created_at >= since,
        )
    ).all()
    return sum(1 for r in rows if r.reply)


def _outstanding_survey(session: Session, contact: Contact, now: datetime) -> OutboxMessage | None:
    """An unanswered satisfaction question sent to this contact since the assistant last spoke to them."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.contact_id == contact.id,
            OutboxMessage.purpose.in_(tuple(SURVEY_PURPOSES)),
            OutboxMessage.sent_at.is_not(None),
            OutboxMessage.sent_at >= now - SURVEY_ANSWER_WINDOW,
            OutboxMessage.report_id.is_not(None),
        )
        .order_by(OutboxMessage.sent_at.desc())
    ).all()
    last_bot = last_assistant_turn(session, contact.sender_id)
    for row in rows:
        if last_bot is not None and row.sent_at is not None and last_bot.created_at > row.sent_at:
            return None  # the resident has been talking to the assistant since: digits answer it
        answered = session.scalar(
            select(SurveyResponse.id).where(
                SurveyResponse.report_id == row.report_id,
                SurveyResponse.survey == SURVEY_PURPOSES[row.purpose],
            )
        )
        if answered is None:
            return row
    return None


def _finish(row: InboundSms, *, status: str, messages: list[dict[str, Any]], now: datetime) -> SmsReply:
    row.status = status
    row.reply = messages
    row.answered_at = now
    return SmsReply(parts=render_for_sms(messages), outcome=status, messages=messages)


def _say(
    session: Session,
    row: InboundSms,
    contact: Contact,
    text: str,
    *,
    status: str,
    now: datetime,
    heard: str | None = None,
) -> SmsReply:
    """Answer without the assistant; keep both sides in the transcript."""
    record_turn(session, sender_id=contact.sender_id, speaker=RESIDENT, text=heard or row.body, now=now)
    messages = [{"text": text}]
    record_assistant_messages(session, sender_id=contact.sender_id, messages=messages, now=now)
    return _finish(row, status=status, messages=messages, now=now)


@dataclass
class _Plan:
    """The outcome of the first transaction: either a reply already, or text to relay."""

    reply: SmsReply | None = None
    row_id: int | None = None
    contact_id: int | None = None
    sender_id: str = ""
    relay_text: str = ""
    prefix: list[dict[str, Any]] = field(default_factory=list)
    duplicate_of: int | None = None
    # Earlier messages from this contact still waiting for the assistant (relayed first, in order).
    ahead: list[int] = field(default_factory=list)


def _triage(services: Services, incoming: IncomingSms) -> _Plan:
    """Store the message and decide what it is, in one short transaction."""
    now = services.clock.now()
    body = clean_text(incoming.body)
    with unit_of_work(services.sessions) as session:
        existing = session.scalar(select(InboundSms).where(InboundSms.message_sid == incoming.message_sid))
        if existing is not None:
            return _Plan(duplicate_of=existing.id)
        try:
            contact = get_or_create_sms_contact(
                session, phone=incoming.from_number, key=services.settings.SENDER_ID_KEY, now=now
            )
        except InvalidPhoneNumber as exc:
            raise BadInboundSms(str(exc)) from exc
        confirm_phone(contact, now=now)  # it texted us (Twilio-signed): the number is theirs
        row = InboundSms(
            message_sid=incoming.message_sid,
            contact_id=contact.id,
            body=body[: MAX_BODY_CHARS * 4],
            num_media=incoming.num_media,
            status="received",
            reply=[],
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            # The same MessageSid arrived on another worker a moment ago.
            session.rollback()
            dup = session.scalar(select(InboundSms).where(InboundSms.message_sid == incoming.message_sid))
            return _Plan(duplicate_of=dup.id if dup else None)
        plan = _decide(session, services, row, contact, body, incoming, now)
        session.commit()
        return plan


def _decide(
    session: Session,
    services: Services,
    row: InboundSms,
    contact: Contact,
    body: str,
    incoming: IncomingSms,
    now: datetime,
) -> _Plan:
    word = _keyword(body)
    # Opting out and back in always takes effect, whatever the rate limits say; the confirmation is a
    # reply like any other and counts against the limits (a flood of STOP/START is not a flood of texts).
    keyword_reply = None
    if word in STOP_WORDS:
        cancelled = record_opt_out(session, contact, now=now)
        log.info(
            "inbound sms %s: opt-out recorded for contact %s, %d queued SMS cancelled",
            row.message_sid,
            contact.id,
            cancelled,
        )
        keyword_reply = stop_reply()
    elif word in START_WORDS or (word == "YES" and contact.sms_opted_out):
        record_opt_in(contact, now=now)
        keyword_reply = start_reply()

    limit = _rate_limit(session, services, contact, now)
    if limit is not None:
        log.warning("inbound sms %s: rate limit (%s) for contact %s", row.message_sid, limit, contact.id)
        if limit == "number":
            # The one reply the limit allows: a keyword's confirmation says what happened, else the notice.
            text = keyword_reply or RATE_LIMITED_REPLY
            return _Plan(reply=_say(session, row, contact, text, status="limited", now=now))
        return _Plan(reply=_finish(row, status="limited", messages=[], now=now))
    if keyword_reply is not None:
        return _Plan(reply=_say(session, row, contact, keyword_reply, status="answered", now=now))

    if word in HELP_WORDS:
        p = services.partnership
        return _Plan(
            reply=_say(session, row, contact, help_reply(p.short_name or p.name), status="answered", now=now)
        )
    if contact.sms_opted_out:
        # They asked for no texts: keep the message for staff, send nothing back.
        record_turn(session, sender_id=contact.sender_id, speaker=RESIDENT, text=row.body, now=now)
        return _Plan(reply=_finish(row, status="opted_out", messages=[], now=now))

    if len(body) > MAX_BODY_CHARS:
        return _Plan(reply=_say(session, row, contact, TOO_LONG_REPLY, status="rejected", now=now))
    if looks_unreadable(body):
        return _Plan(reply=_say(session, row, contact, UNREADABLE_REPLY, status="rejected", now=now))
    if not body:
        text = MEDIA_ONLY_REPLY if incoming.num_media else EMPTY_REPLY
        heard = f"[{incoming.num_media} photo/file(s), no text]" if incoming.num_media else "[empty message]"
        return _Plan(reply=_say(session, row, contact, text, status="rejected", now=now, heard=heard))

    if word in {"1", "2", "3", "4", "5"}:
        survey = _outstanding_survey(session, contact, now)
        if survey is not None and survey.report_id is not None:
            session.add(
                SurveyResponse(
                    report_id=survey.report_id,
                    survey=SURVEY_PURPOSES[survey.purpose],
                    score=int(word),
                    created_at=now,
                )
            )
            return _Plan(
                reply=_say(
                    session,
                    row,
                    contact,
                    SURVEY_THANKS,
                    status="answered",
                    now=now,
                    heard=f"{word} (satisfaction survey {SURVEY_PURPOSES[survey.purpose]})",
                )
            )

    chosen = choose_button(body, offered_buttons(session, contact.sender_id))
    relay_text = chosen["payload"] if chosen else body
    record_turn(
        session,
        sender_id=contact.sender_id,
        speaker=RESIDENT,
        text=chosen["title"] if chosen else body,
        now=now,
    )
    prefix = [{"text": MEDIA_NOTE}] if incoming.num_media else []
    return _Plan(
        row_id=row.id,
        contact_id=contact.id,
        sender_id=contact.sender_id,
        relay_text=relay_text,
        prefix=prefix,
        ahead=_deferred_ahead(session, contact.id, row.id),
    )


def _await_original(services: Services, row_id: int) -> SmsReply:
    """A Twilio retry: answer with what the first delivery answered (waiting briefly if it is mid-relay)."""
    deadline = time.monotonic() + DUPLICATE_WAIT_SECONDS
    while True:
        with unit_of_work(services.sessions) as session:
            row = session.get(InboundSms, row_id)
            status = row.status if row else "missing"
            messages = _shown(row.reply or []) if row else []
        if status not in ("received", "relaying") or time.monotonic() >= deadline:
            parts = render_for_sms(messages) if status not in ("received", "relaying") else [HOLDING]
            return SmsReply(parts=parts, outcome="duplicate", messages=messages)
        time.sleep(0.2)


def _claim(session: Session, row_id: int, from_states: Sequence[str]) -> bool:
    """Atomically move a row to 'relaying' (only one worker or job wins)."""
    result = session.execute(
        update(InboundSms)
        .where(InboundSms.id == row_id, InboundSms.status.in_(tuple(from_states)))
        .values(status="relaying")
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _deferred_ahead(session: Session, contact_id: int, row_id: int) -> list[int]:
    """Earlier messages from the same contact still waiting for the assistant, oldest first."""
    return list(
        session.scalars(
            select(InboundSms.id)
            .where(
                InboundSms.contact_id == contact_id, InboundSms.id < row_id, InboundSms.status == "deferred"
            )
            .order_by(InboundSms.id)
        ).all()
    )


def receive_sms(services: Services, incoming: IncomingSms, *, assistant: Assistant) -> SmsReply:
    """Handle one inbound SMS end to end and say what to answer Twilio with."""
    started = time.monotonic()
    plan = _triage(services, incoming)
    if plan.duplicate_of is not None:
        log.info("inbound sms %s: duplicate delivery, answering with the stored reply", incoming.message_sid)
        return _await_original(services, plan.duplicate_of)
    if plan.reply is not None:
        return plan.reply
    assert plan.row_id is not None and plan.contact_id is not None
    budget = min(REPLY_BUDGET_SECONDS, services.settings.RASA_TIMEOUT_SECONDS)

    # Earlier deferred messages go first so the assistant hears the conversation in order.
    caught_up: list[dict[str, Any]] = []
    for earlier_id in plan.ahead:
        remaining = budget - (time.monotonic() - started)
        state, messages = _relay_row(services, earlier_id, assistant, timeout=remaining)
        if state == "down":
            return _defer(services, plan)
        caught_up.extend(messages)

    remaining = budget - (time.monotonic() - started)
    if remaining <= 0.5:
        return _defer(services, plan)
    try:
        raw = assistant.send(plan.sender_id, plan.relay_text, channel="sms", timeout=remaining)
    except AssistantUnavailable as exc:
        log.warning("inbound sms %s: assistant unavailable (%s); reply deferred", incoming.message_sid, exc)
        return _defer(services, plan)
    messages = normalise_messages(raw)
    now = services.clock.now()
    with unit_of_work(services.sessions) as session:
        row = session.get(InboundSms, plan.row_id)
        assert row is not None
        record_assistant_messages(session, sender_id=plan.sender_id, messages=messages, now=now)
        reply = _finish(row, status="answered", messages=plan.prefix + caught_up + messages, now=now)
        session.commit()
    return reply


def _defer(services: Services, plan: _Plan) -> SmsReply:
    """Keep the message for later relay and answer with the holding message."""
    now = services.clock.now()
    shown = plan.prefix + [{"text": HOLDING}]
    with unit_of_work(services.sessions) as session:
        row = session.get(InboundSms, plan.row_id)
        assert row is not None
        row.status = "deferred"
        # What must be relayed later (a numbered choice's payload, not the digit) is kept with the reply.
        row.reply = shown + [{RELAY_KEY: plan.relay_text}]
        row.answered_at = now
        session.commit()
    return SmsReply(parts=render_for_sms(shown), outcome="deferred", messages=shown)


def _pending_relay_text(row: InboundSms) -> str:
    """The text to relay for a deferred row (see `_defer`)."""
    for item in row.reply or []:
        if isinstance(item, dict) and RELAY_KEY in item:
            return str(item[RELAY_KEY])
    return row.body


def _shown(reply: Sequence[Any]) -> list[dict[str, Any]]:
    """The messages of a stored reply that were shown to the resident."""
    return [m for m in reply if isinstance(m, dict) and RELAY_KEY not in m]


def _relay_row(
    services: Services, row_id: int, assistant: Assistant, *, timeout: float
) -> tuple[str, list[dict[str, Any]]]:
    """Relay one kept message and store the answer: ("answered", messages), ("taken", []) or ("down", [])."""
    with unit_of_work(services.sessions) as session:
        if not _claim(session, row_id, ("deferred",)):
            return "taken", []  # another worker or job is relaying it
        session.commit()
        row = session.get(InboundSms, row_id)
        assert row is not None
        contact = session.get(Contact, row.contact_id) if row.contact_id else None
        text = _pending_relay_text(row)
        sender_id = contact.sender_id if contact else ""
    if not sender_id or timeout <= 0.5:
        _release(services, row_id)
        return "down", []
    try:
        raw = assistant.send(sender_id, text, channel="sms", timeout=timeout)
    except AssistantUnavailable as exc:
        log.info("deferred sms %s: assistant still unavailable (%s)", row_id, exc)
        _release(services, row_id)
        return "down", []
    messages = normalise_messages(raw)
    now = services.clock.now()
    with unit_of_work(services.sessions) as session:
        row = session.get(InboundSms, row_id)
        assert row is not None
        record_assistant_messages(session, sender_id=sender_id, messages=messages, now=now)
        _finish(row, status="answered", messages=messages, now=now)
        session.commit()
    return "answered", messages


def _release(services: Services, row_id: int) -> None:
    with unit_of_work(services.sessions) as session:
        session.execute(
            update(InboundSms)
            .where(InboundSms.id == row_id, InboundSms.status == "relaying")
            .values(status="deferred")
            .execution_options(synchronize_session=False)
        )
        session.commit()


def retry_deferred(services: Services, *, assistant: Assistant, limit: int = 100) -> int:
    """Relay kept messages once the assistant is back; queue each answer as an outbound SMS. Returns count."""
    now = services.clock.now()
    stuck_before = now - STUCK_AFTER
    with unit_of_work(services.sessions) as session:
        # Rows abandoned mid-relay by a crashed worker are picked up again.
        session.execute(
            update(InboundSms)
            .where(InboundSms.status.in_(("received", "relaying")), InboundSms.created_at < stuck_before)
            .values(status="deferred")
            .execution_options(synchronize_session=False)
        )
        session.commit()
        ids = list(
            session.scalars(
                select(InboundSms.id)
                .where(InboundSms.status == "deferred")
                .order_by(InboundSms.id)
                .limit(limit)
            ).all()
        )
    delivered = 0
    timeout = services.settings.RASA_TIMEOUT_SECONDS
    for row_id in ids:
        state, messages = _relay_row(services, row_id, assistant, timeout=timeout)
        if state == "down":
            break  # still down: try again on the next run, in order
        if state == "answered":
            _queue_reply(services, row_id, messages)
            delivered += 1
    return delivered


def _queue_reply(services: Services, row_id: int, messages: list[dict[str, Any]]) -> None:
    """Write the assistant's late answer to the outbox as SMS parts (purpose "reply")."""
    now = services.clock.now()
    with unit_of_work(services.sessions) as session:
        row = session.get(InboundSms, row_id)
        contact = session.get(Contact, row.contact_id) if row and row.contact_id else None
        if row is None or contact is None or not contact.phone:
            return
        # The apology rides on the first message rather than costing a text of its own.
        first = {**messages[0], "text": f"{DEFERRED_PREFIX} {messages[0].get('text') or ''}".strip()}
        parts = render_for_sms([first, *messages[1:]])
        for i, part in enumerate(parts):
            enqueue(
                session,
                kind="sms",
                transport="sms",
                purpose="reply",
                now=now,
                recipient=contact.phone,
                body=part,
                contact_id=contact.id,
                dedupe_key=f"reply:{row.message_sid}:{i}",
                status="cancelled" if contact.sms_opted_out else "pending",
                error_message="not sent: number opted out (STOP)" if contact.sms_opted_out else None,
            )
        session.commit()


def assistant_reply_text(messages: Sequence[dict[str, Any]]) -> str:
    """The assistant's messages as one readable text (for logs and the console)."""
    return "\n".join(str(m.get("text") or "") for m in messages if m.get("text"))


__all__ = [
    "ASSISTANT",
    "BadInboundSms",
    "IncomingSms",
    "SmsReply",
    "receive_sms",
    "retry_deferred",
]
