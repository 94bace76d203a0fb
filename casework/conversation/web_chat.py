"""Web chat turns: keep the resident's words, relay them, keep the assistant's answer.

The resident's line is stored before the assistant is asked, so a failed relay loses nothing: the page
offers "Try again", and a retry of the same unanswered text is relayed without storing it twice.
"""

from __future__ import annotations

import logging
from typing import Any

from casework.conversation.contacts import get_or_create_web_contact
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

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000


class ChatInputError(ValueError):
    """The message cannot be relayed as it is; the text says what to change."""


def _title_for(payload: str, buttons: list[dict[str, Any]]) -> str | None:
    for button in buttons:
        if button.get("payload") == payload:
            return str(button.get("title") or payload)
    return None


def send_message(
    services: Services, *, sender_id: str, text: str, assistant: Assistant
) -> list[dict[str, Any]]:
    """Relay one web chat message and return the assistant's messages; AssistantUnavailable if it is down."""
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
        get_or_create_web_contact(session, sender_id=sender_id, now=now)
        # A quick-reply button sends its payload; the transcript shows what the resident saw and chose.
        shown = _title_for(message, offered_buttons(session, sender_id)) or message
        previous = last_turn(session, sender_id)
        retry = previous is not None and previous.speaker == RESIDENT and previous.text == shown
        if not retry:
            record_turn(session, sender_id=sender_id, speaker=RESIDENT, text=shown, now=now)
    messages = normalise_messages(
        assistant.send(sender_id, message, channel="web", timeout=services.settings.RASA_TIMEOUT_SECONDS)
    )
    with transaction(services.sessions) as session:
        record_assistant_messages(session, sender_id=sender_id, messages=messages, now=services.clock.now())
    return messages


def chat_history(services: Services, *, sender_id: str) -> list[dict[str, Any]]:
    """The stored conversation for a web chat sender, oldest first."""
    with transaction(services.sessions) as session:
        return history(session, sender_id)
