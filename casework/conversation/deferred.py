"""Inbound SMS kept while the assistant was down: relayed in order once it is back, answers texted.

The notifier runs `retry_deferred`; `receive_sms` relays a contact's earlier kept messages first.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from sqlalchemy import select, update

from casework.conversation.inbound_limits import (
    _claim,
    _finish,
    _pending_relay_text,
    _release,
)
from casework.conversation.inbound_terms import (
    DEFERRED_PREFIX,
    IN_FLIGHT,
    STUCK_AFTER,
    InboundStatus,
)
from casework.conversation.transcript import (
    Assistant,
    AssistantUnavailable,
    normalise_messages,
    record_assistant_messages,
)
from casework.core.bootstrap import Services
from casework.core.db import transaction
from casework.core.models import Contact, InboundSms
from casework.core.sms_text import render_for_sms
from casework.core.states import OutboxStatus
from casework.messaging import enqueue

log = logging.getLogger(__name__)


def _relay_row(
    services: Services, row_id: int, assistant: Assistant, *, timeout: float
) -> tuple[Literal["answered", "taken", "down"], list[dict[str, Any]]]:
    """Relay one kept message and store the answer: ("answered", messages), ("taken", []) or ("down", [])."""
    with transaction(services.sessions) as session:
        if not _claim(session, row_id, (InboundStatus.DEFERRED,)):
            return "taken", []  # another worker or job is relaying it
    with transaction(services.sessions) as session:
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
    with transaction(services.sessions) as session:
        row = session.get(InboundSms, row_id)
        assert row is not None
        record_assistant_messages(session, sender_id=sender_id, messages=messages, now=now)
        _finish(row, status=InboundStatus.ANSWERED, messages=messages, now=now)
    return "answered", messages


def retry_deferred(services: Services, *, assistant: Assistant, limit: int = 100) -> int:
    """Relay kept messages once the assistant is back; queue each answer as an outbound SMS. Returns count."""
    now = services.clock.now()
    stuck_before = now - STUCK_AFTER
    with transaction(services.sessions) as session:
        # Rows abandoned mid-relay by a crashed worker are picked up again.
        session.execute(
            update(InboundSms)
            .where(InboundSms.status.in_(IN_FLIGHT), InboundSms.created_at < stuck_before)
            .values(status=InboundStatus.DEFERRED)
            .execution_options(synchronize_session=False)
        )
    with transaction(services.sessions) as session:
        ids = list(
            session.scalars(
                select(InboundSms.id)
                .where(InboundSms.status == InboundStatus.DEFERRED)
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
    with transaction(services.sessions) as session:
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
                status=OutboxStatus.CANCELLED if contact.sms_opted_out else OutboxStatus.PENDING,
                error_message="not sent: number opted out (STOP)" if contact.sms_opted_out else None,
            )
