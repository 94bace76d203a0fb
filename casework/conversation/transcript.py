"""The conversation both channels share: the assistant port, the transcript (ChatTurn) and quick replies.

The assistant (Rasa's REST channel in production) is a port: anything with `send(sender, message, *,
channel, timeout)` returning Rasa-style messages, raising `AssistantUnavailable` when it cannot answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.models import ChatTurn

RESIDENT = "resident"
ASSISTANT = "assistant"
HISTORY_LIMIT = 200


class AssistantUnavailable(Exception):
    """The assistant did not answer in time (down, slow or broken); the resident's text is kept."""


class Assistant(Protocol):
    """Something that answers a resident's message like Rasa's REST channel."""

    def send(self, sender: str, message: str, *, channel: str, timeout: float) -> list[dict[str, Any]]:
        """Relay one message; return the assistant's messages ({"text", "buttons"})."""
        ...


def clean_text(raw: str) -> str:
    """Drop control and format characters (keeping line breaks) and trim; what a person meant to send."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    kept = [ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")]
    return re.sub(r"\n{3,}", "\n\n", "".join(kept)).strip()


def looks_unreadable(text: str) -> bool:
    """True when a text is mostly replacement characters (binary or mis-encoded data)."""
    if not text:
        return False
    bad = text.count("\ufffd")
    return bad > 0 and bad * 3 >= len(text)


def _clean_buttons(raw: Any) -> list[dict[str, str]]:
    buttons: list[dict[str, str]] = []
    for b in raw if isinstance(raw, list) else []:
        if isinstance(b, dict) and b.get("title") is not None:
            title = str(b["title"])
            buttons.append({"title": title, "payload": str(b.get("payload") or title)})
    return buttons


def normalise_messages(raw: Any) -> list[dict[str, Any]]:
    """Keep what a channel can show from Rasa's answer: text and buttons, in order."""
    messages: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        text = str(item.get("text") or "")
        buttons = _clean_buttons(item.get("buttons"))
        if not text and not buttons:
            continue  # images and custom payloads have no SMS or plain-chat form
        message: dict[str, Any] = {"text": text}
        if buttons:
            message["buttons"] = buttons
        messages.append(message)
    return messages


def record_turn(
    session: Session,
    *,
    sender_id: str,
    speaker: str,
    text: str,
    now: datetime,
    buttons: Sequence[dict[str, Any]] | None = None,
) -> ChatTurn:
    """Add one line to the transcript."""
    turn = ChatTurn(
        sender_id=sender_id,
        speaker=speaker,
        text=text,
        buttons=list(buttons) if buttons else None,
        created_at=now,
    )
    session.add(turn)
    return turn


def record_assistant_messages(
    session: Session, *, sender_id: str, messages: Sequence[dict[str, Any]], now: datetime
) -> None:
    """Add the assistant's messages to the transcript, with any quick replies offered."""
    for message in messages:
        record_turn(
            session,
            sender_id=sender_id,
            speaker=ASSISTANT,
            text=str(message.get("text") or ""),
            buttons=message.get("buttons"),
            now=now,
        )


def last_turn(session: Session, sender_id: str) -> ChatTurn | None:
    """The latest transcript line for a sender."""
    return session.scalar(
        select(ChatTurn).where(ChatTurn.sender_id == sender_id).order_by(ChatTurn.id.desc()).limit(1)
    )


def last_assistant_turn(session: Session, sender_id: str) -> ChatTurn | None:
    """The assistant's latest line to a sender."""
    return session.scalar(
        select(ChatTurn)
        .where(ChatTurn.sender_id == sender_id, ChatTurn.speaker == ASSISTANT)
        .order_by(ChatTurn.id.desc())
        .limit(1)
    )


def offered_buttons(session: Session, sender_id: str) -> list[dict[str, Any]]:
    """The quick replies the assistant's latest message offered (empty when it offered none)."""
    turn = last_assistant_turn(session, sender_id)
    return list(turn.buttons or []) if turn is not None else []


def history(session: Session, sender_id: str, *, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The transcript for a sender, oldest first (the most recent `limit` lines)."""
    turns = session.scalars(
        select(ChatTurn).where(ChatTurn.sender_id == sender_id).order_by(ChatTurn.id.desc()).limit(limit)
    ).all()
    lines: list[dict[str, Any]] = []
    for turn in reversed(turns):
        line: dict[str, Any] = {"speaker": turn.speaker, "text": turn.text}
        if turn.buttons:
            line["buttons"] = turn.buttons
        lines.append(line)
    return lines
