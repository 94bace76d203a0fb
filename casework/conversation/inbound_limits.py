"""Inbound SMS rows: rate limits, open survey questions, and claiming and finishing a stored message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from casework.conversation.inbound_terms import (
    RELAY_KEY,
    SURVEY_ANSWER_WINDOW,
    SURVEY_PURPOSES,
    InboundStatus,
    SmsReply,
)
from casework.conversation.transcript import (
    last_assistant_turn,
)
from casework.core.bootstrap import Services
from casework.core.db import transaction
from casework.core.models import Contact, InboundSms, OutboxMessage, SurveyResponse
from casework.core.sms_text import render_for_sms


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
            InboundSms.status == InboundStatus.LIMITED,
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


def _finish(
    row: InboundSms, *, status: InboundStatus, messages: list[dict[str, Any]], now: datetime
) -> SmsReply:
    row.status = status
    row.reply = messages
    row.answered_at = now
    return SmsReply(parts=render_for_sms(messages), outcome=status, messages=messages)


def _claim(session: Session, row_id: int, from_states: Sequence[InboundStatus]) -> bool:
    """Atomically move a row to 'relaying' (only one worker or job wins)."""
    result = session.execute(
        update(InboundSms)
        .where(InboundSms.id == row_id, InboundSms.status.in_(tuple(from_states)))
        .values(status=InboundStatus.RELAYING)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _pending_relay_text(row: InboundSms) -> str:
    """The text to relay for a deferred row (see `_defer`)."""
    for item in row.reply or []:
        if isinstance(item, dict) and RELAY_KEY in item:
            return str(item[RELAY_KEY])
    return row.body


def _shown(reply: Sequence[Any]) -> list[dict[str, Any]]:
    """The messages of a stored reply that were shown to the resident."""
    return [m for m in reply if isinstance(m, dict) and RELAY_KEY not in m]


def _release(services: Services, row_id: int) -> None:
    with transaction(services.sessions) as session:
        session.execute(
            update(InboundSms)
            .where(InboundSms.id == row_id, InboundSms.status == InboundStatus.RELAYING)
            .values(status=InboundStatus.DEFERRED)
            .execution_options(synchronize_session=False)
        )
