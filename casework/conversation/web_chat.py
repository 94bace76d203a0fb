"""Web chat turns: keep the resident's words, relay them, keep the assistant's answer.

The resident's line is stored before the assistant is asked, so a failed relay loses nothing: the page
offers "Try again", and a retry of the same unanswered text is relayed without storing it twice.

Every request is counted first (`web_chat_requests`, keyed by the chat's hashed sender id and a keyed hash
of the client address) against three limits: messages per chat a minute, messages per address a minute,
and new conversations a minute across the site. Like the SMS limits, the counts live in the database so
they hold across webhook workers; a burst of simultaneous requests can overshoot a limit by the number of
concurrent workers. A limited message is neither relayed nor stored, and the resident is told plainly to
wait a minute, with the 999 line.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.conversation.contacts import find_by_sender_id, get_or_create_web_contact
from casework.conversation.danger_words import DANGER_GUIDANCE, sounds_like_danger
from casework.conversation.text_updates import answer_text_question
from casework.conversation.transcript import (
    RESIDENT,
    Assistant,
    clean_text,
    history,
    last_turn,
    looks_unreadable,
    normalise_messages,
    offered_buttons,
    record_assistant_messages,
    record_turn,
)
from casework.core.bootstrap import Services
from casework.core.db import transaction
from casework.core.models import WebChatRequest

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
RATE_WINDOW = timedelta(minutes=1)
# How long request counts are kept (the retention job deletes older rows).
REQUEST_LOG_KEPT = timedelta(days=1)
RATE_LIMITED_MESSAGE = (
    "You have sent a lot of messages in a short time. Please wait a minute and try again: "
    "your message has not been sent. If anyone is in danger now, call 999. Otherwise call 101."
)
BUSY_MESSAGE = (
    "The chat is very busy just now. Please wait a minute and try again: your message has not been sent. "
    "If anyone is in danger now, call 999. Otherwise call 101."
)


class ChatInputError(ValueError):
    """The message cannot be relayed as it is; the text says what to change."""


class ChatRateLimited(Exception):
    """Too many messages: the text is what to tell the resident (with the 999 line)."""


def _title_for(payload: str, buttons: list[dict[str, Any]]) -> str | None:
    for button in buttons:
        if button.get("payload") == payload:
            return str(button.get("title") or payload)
    return None


def client_key(address: str | None, key: str) -> str:
    """A keyed hash of the client address: enough to count requests, never the address itself."""
    digest = hmac.new(key.encode("utf-8"), b"addr:" + (address or "").encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]


def _count(session: Session, since: datetime, *conditions: Any) -> int:
    stmt = select(func.count(WebChatRequest.id)).where(WebChatRequest.created_at >= since, *conditions)
    return int(session.scalar(stmt) or 0)


def check_rate(services: Services, *, sender_id: str, client: str) -> str | None:
    """Count this request; the message to answer with when a limit is exceeded, else None."""
    settings = services.settings
    now = services.clock.now()
    since = now - RATE_WINDOW
    with transaction(services.sessions) as session:
        new = find_by_sender_id(session, sender_id) is None
        message = None
        if _count(session, since, WebChatRequest.sender_id == sender_id) >= (
            settings.WEB_CHAT_RATE_PER_CHAT_PER_MINUTE
        ) or _count(session, since, WebChatRequest.client == client) >= (
            settings.WEB_CHAT_RATE_PER_ADDRESS_PER_MINUTE
        ):
            message = RATE_LIMITED_MESSAGE
        elif (
            new
            and _count(
                session, since, WebChatRequest.new_conversation.is_(True), WebChatRequest.limited.is_(False)
            )
            >= settings.WEB_CHAT_NEW_CONVERSATIONS_PER_MINUTE
        ):
            message = BUSY_MESSAGE
        session.add(
            WebChatRequest(
                sender_id=sender_id,
                client=client,
                new_conversation=new,
                limited=message is not None,
                created_at=now,
            )
        )
    return message


def send_message(
    services: Services, *, sender_id: str, client: str, text: str, assistant: Assistant
) -> list[dict[str, Any]]:
    """Relay one web chat message and return the assistant's messages.

    Raises ChatRateLimited past a limit, ChatInputError for unusable text, AssistantUnavailable if the
    assistant is down. `client` is `client_key(address, key)`.
    """
    limited = check_rate(services, sender_id=sender_id, client=client)
    if limited is not None:
        log.warning("web chat: rate limit for sender %s", sender_id)
        # Whatever the limits say, words that may mean danger now get the 999 guidance first.
        raise ChatRateLimited(f"{DANGER_GUIDANCE} {limited}" if sounds_like_danger(text) else limited)
    message = clean_text(text)
    if not message:
        raise ChatInputError("message is empty: type what is happening")
    if len(message) > MAX_MESSAGE_CHARS:
        raise ChatInputError(
            f"message is longer than {MAX_MESSAGE_CHARS} characters: please send it in parts"
        )
    if looks_unreadable(message):
        raise ChatInputError("message could not be read: please type it again")
    now = services.clock.now()
    with transaction(services.sessions) as session:
        contact = get_or_create_web_contact(session, sender_id=sender_id, now=now)
        offered = offered_buttons(session, sender_id)
        # A mobile number or a code for updates by text is handled here: the assistant gets the outcome.
        relay = answer_text_question(
            session, services, contact=contact, message=message, offered=offered, now=now
        )
        # A quick-reply button sends its payload; the transcript shows what the resident saw and chose.
        shown = relay.shown if relay else _title_for(message, offered) or message
        message = relay.to_assistant if relay else message
        previous = last_turn(session, sender_id)
        retry = previous is not None and previous.speaker == RESIDENT and previous.text == shown
        if retry:
            assert previous is not None
            asked = previous.id
        else:
            asked = record_turn(session, sender_id=sender_id, speaker=RESIDENT, text=shown, now=now).id
    messages = normalise_messages(
        assistant.send(sender_id, message, channel="web", timeout=services.settings.RASA_TIMEOUT_SECONDS)
    )
    with transaction(services.sessions) as session:
        # The answer joins the conversation (and the report, if this message filed one) it answers.
        record_assistant_messages(
            session, sender_id=sender_id, messages=messages, now=services.clock.now(), reply_to=asked
        )
    return messages


def chat_history(services: Services, *, sender_id: str) -> list[dict[str, Any]]:
    """The stored conversation for a web chat sender, oldest first."""
    with transaction(services.sessions) as session:
        return history(session, sender_id)
