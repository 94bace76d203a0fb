"""Inbound SMS: store first, then decide (keywords, limits, surveys), then relay to the assistant.

Every message is written to `inbound_sms` before anything else happens, keyed by Twilio's MessageSid,
so a Twilio retry gets the stored reply instead of a second turn, and nothing a resident sends is lost:
when the assistant is down or slow the message is kept as `deferred`, the resident gets a short holding
reply, and `retry_deferred` relays it later and queues the assistant's answer as an outbound SMS.

A row's life is an `InboundStatus` (inbound_terms.py).
Rate limits count rows in `inbound_sms`, so they hold across webhook workers and processes; under a
burst of simultaneous requests a limit can be overshot by the number of concurrent workers, which is
harmless for the purpose (stopping SMS pumping costs, not exact metering).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.conversation.contacts import (
    InvalidPhoneNumber,
    confirm_phone,
    get_or_create_sms_contact,
    record_opt_in,
    record_opt_out,
)
from casework.conversation.danger_words import DANGER_GUIDANCE, sounds_like_danger
from casework.conversation.deferred import _relay_row
from casework.conversation.inbound_limits import (
    _finish,
    _outstanding_survey,
    _rate_limit,
    _shown,
)
from casework.conversation.inbound_replies import _no_words, _say, _take_media
from casework.conversation.inbound_terms import (
    DUPLICATE_WAIT_SECONDS,
    HELP_WORDS,
    HOLDING,
    IN_FLIGHT,
    MAX_BODY_CHARS,
    RATE_LIMITED_REPLY,
    RELAY_KEY,
    REPLY_BUDGET_SECONDS,
    START_WORDS,
    STOP_WORDS,
    SURVEY_PURPOSES,
    SURVEY_THANKS,
    TOO_LONG_REPLY,
    UNREADABLE_REPLY,
    BadInboundSms,
    InboundStatus,
    IncomingSms,
    SmsReply,
    help_reply,
    start_reply,
    stop_reply,
)
from casework.conversation.transcript import (
    ASSISTANT,
    RESIDENT,
    Assistant,
    AssistantUnavailable,
    clean_text,
    looks_unreadable,
    normalise_messages,
    offered_buttons,
    record_assistant_messages,
    record_turn,
)
from casework.core.bootstrap import Services
from casework.core.db import transaction
from casework.core.models import Contact, InboundSms, SurveyResponse
from casework.core.sms_text import choose_button, render_for_sms

log = logging.getLogger(__name__)


def _keyword(text: str) -> str:
    return text.strip().strip(".!").strip().upper()


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
    # Load shedding (the global limit): keep the message, answer with the holding reply, relay it later.
    shed: bool = False


def _triage(services: Services, incoming: IncomingSms) -> _Plan:
    """Store the message and decide what it is, in one short transaction."""
    now = services.clock.now()
    body = clean_text(incoming.body)
    with transaction(services.sessions) as session:
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
            status=InboundStatus.RECEIVED,
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
        return _decide(session, services, row, contact, body, incoming, now)


def _opt_out_or_in(
    session: Session, row: InboundSms, contact: Contact, word: str | None, now: datetime
) -> str | None:
    """Record a STOP or START (at once, whatever the limits); the confirmation to send, else None."""
    if word in STOP_WORDS:
        cancelled = record_opt_out(session, contact, now=now)
        log.info(
            "inbound sms %s: opt-out recorded for contact %s, %d queued SMS cancelled",
            row.message_sid,
            contact.id,
            cancelled,
        )
        return stop_reply()
    if word in START_WORDS or (word == "YES" and contact.sms_opted_out):
        record_opt_in(contact, now=now)
        return start_reply()
    return None


def _over_limit(
    session: Session,
    row: InboundSms,
    contact: Contact,
    limit: str | None,
    *,
    keyword_reply: str | None,
    danger: bool,
    now: datetime,
) -> _Plan | None:
    """The answer past a limit, or None to carry on (under load shedding the message is kept).

    Past the number's own limit: one reply an hour (a keyword's confirmation, else the notice), then
    silence, except that words of danger get the 999 guidance first, whatever the limit. Under load
    shedding a STOP/START takes effect without its confirmation.
    """
    if limit in ("number", "number-again"):
        text = (keyword_reply or RATE_LIMITED_REPLY) if limit == "number" else None
        if danger:
            text = DANGER_GUIDANCE if text is None else f"{DANGER_GUIDANCE}\n{text}"
        if text is None:
            return _Plan(reply=_finish(row, status=InboundStatus.LIMITED, messages=[], now=now))
        return _Plan(reply=_say(session, row, contact, text, status=InboundStatus.LIMITED, now=now))
    if limit == "global" and keyword_reply is not None:
        return _Plan(reply=_finish(row, status=InboundStatus.LIMITED, messages=[], now=now))
    return None


def _decide(
    session: Session,
    services: Services,
    row: InboundSms,
    contact: Contact,
    body: str,
    incoming: IncomingSms,
    now: datetime,
) -> _Plan:
    """What a stored message gets: a reply at once (keywords, limits, help, refusals, a survey score) or a
    plan to relay it to the assistant."""
    word = _keyword(body)
    # Opting out and back in always takes effect, whatever the rate limits say; the confirmation is a
    # reply like any other and counts against the limits (a flood of STOP/START is not a flood of texts).
    keyword_reply = _opt_out_or_in(session, row, contact, word, now)

    limit = _rate_limit(session, services, contact, now)
    danger = sounds_like_danger(body)
    if limit is not None:
        log.warning("inbound sms %s: rate limit (%s) for contact %s", row.message_sid, limit, contact.id)
    limited = _over_limit(session, row, contact, limit, keyword_reply=keyword_reply, danger=danger, now=now)
    if limited is not None:
        return limited
    if keyword_reply is not None:
        return _Plan(reply=_say(session, row, contact, keyword_reply, status=InboundStatus.ANSWERED, now=now))
    if word in HELP_WORDS:
        p = services.partnership
        return _Plan(
            reply=_say(
                session,
                row,
                contact,
                help_reply(p.short_name or p.name),
                status=InboundStatus.ANSWERED,
                now=now,
            )
        )
    media = _take_media(session, services, contact, incoming, now)
    reply = _refused_or_kept(session, row, contact, body, media, incoming.num_media, now) or _survey_score(
        session, row, contact, word, now
    )
    if reply is not None:
        return _Plan(reply=reply)
    return _relay_plan(session, row, contact, body, media, shed=limit == "global", danger=danger, now=now)


def _refused_or_kept(
    session: Session,
    row: InboundSms,
    contact: Contact,
    body: str,
    media: list[str],
    num_media: int,
    now: datetime,
) -> SmsReply | None:
    """The answer when the words cannot go to the assistant (opted out, too long, unreadable, none)."""
    if contact.sms_opted_out:
        # They asked for no texts: keep the message for staff, send nothing back.
        record_turn(session, sender_id=contact.sender_id, speaker=RESIDENT, text=row.body, now=now)
        return _finish(row, status=InboundStatus.OPTED_OUT, messages=[], now=now)
    if len(body) > MAX_BODY_CHARS:
        return _say(session, row, contact, TOO_LONG_REPLY, status=InboundStatus.REJECTED, now=now)
    if looks_unreadable(body):
        return _say(session, row, contact, UNREADABLE_REPLY, status=InboundStatus.REJECTED, now=now)
    if not body:
        return _no_words(session, row, contact, media, num_media, now)
    return None


def _survey_score(
    session: Session, row: InboundSms, contact: Contact, word: str, now: datetime
) -> SmsReply | None:
    """A digit 1-5 answering an outstanding satisfaction survey: recorded and thanked; else None."""
    if word not in {"1", "2", "3", "4", "5"}:
        return None
    survey = _outstanding_survey(session, contact, now)
    if survey is None or survey.report_id is None:
        return None
    purpose = SURVEY_PURPOSES[survey.purpose]
    session.add(SurveyResponse(report_id=survey.report_id, survey=purpose, score=int(word), created_at=now))
    heard = f"{word} (satisfaction survey {purpose})"
    return _say(session, row, contact, SURVEY_THANKS, status=InboundStatus.ANSWERED, now=now, heard=heard)


def _relay_plan(
    session: Session,
    row: InboundSms,
    contact: Contact,
    body: str,
    media: list[str],
    *,
    shed: bool,
    danger: bool,
    now: datetime,
) -> _Plan:
    """Record the resident's turn and plan its relay (a numbered choice relays the button's payload)."""
    chosen = choose_button(body, offered_buttons(session, contact.sender_id))
    text = chosen["title"] if chosen else body
    record_turn(session, sender_id=contact.sender_id, speaker=RESIDENT, text=text, now=now)
    prefix = [{"text": " ".join(media)}] if media else []
    if shed and danger:
        prefix = [{"text": DANGER_GUIDANCE}, *prefix]
    return _Plan(
        row_id=row.id,
        contact_id=contact.id,
        sender_id=contact.sender_id,
        relay_text=chosen["payload"] if chosen else body,
        prefix=prefix,
        ahead=_deferred_ahead(session, contact.id, row.id),
        shed=shed,
    )


def _await_original(services: Services, row_id: int) -> SmsReply:
    """A Twilio retry: answer with what the first delivery answered (waiting briefly if it is mid-relay)."""
    deadline = time.monotonic() + DUPLICATE_WAIT_SECONDS
    while True:
        with transaction(services.sessions) as session:
            row = session.get(InboundSms, row_id)
            status = row.status if row else "missing"
            messages = _shown(row.reply or []) if row else []
        if status not in IN_FLIGHT or time.monotonic() >= deadline:
            parts = render_for_sms(messages) if status not in IN_FLIGHT else [HOLDING]
            return SmsReply(parts=parts, outcome="duplicate", messages=messages)
        time.sleep(0.2)


def _deferred_ahead(session: Session, contact_id: int, row_id: int) -> list[int]:
    """Earlier messages from the same contact still waiting for the assistant, oldest first."""
    return list(
        session.scalars(
            select(InboundSms.id)
            .where(
                InboundSms.contact_id == contact_id,
                InboundSms.id < row_id,
                InboundSms.status == InboundStatus.DEFERRED,
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
    if plan.shed:
        log.warning("inbound sms %s: load shedding; kept for relay, holding reply sent", incoming.message_sid)
        return _defer(services, plan)
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
    with transaction(services.sessions) as session:
        row = session.get(InboundSms, plan.row_id)
        assert row is not None
        record_assistant_messages(session, sender_id=plan.sender_id, messages=messages, now=now)
        reply = _finish(
            row, status=InboundStatus.ANSWERED, messages=plan.prefix + caught_up + messages, now=now
        )
    return reply


def _defer(services: Services, plan: _Plan) -> SmsReply:
    """Keep the message for later relay and answer with the holding message."""
    now = services.clock.now()
    shown = plan.prefix + [{"text": HOLDING}]
    with transaction(services.sessions) as session:
        row = session.get(InboundSms, plan.row_id)
        assert row is not None
        row.status = InboundStatus.DEFERRED
        # What must be relayed later (a numbered choice's payload, not the digit) is kept with the reply.
        row.reply = shown + [{RELAY_KEY: plan.relay_text}]
        row.answered_at = now
    return SmsReply(parts=render_for_sms(shown), outcome=InboundStatus.DEFERRED, messages=shown)


__all__ = [
    "ASSISTANT",
    "BadInboundSms",
    "IncomingSms",
    "SmsReply",
    "receive_sms",
]
