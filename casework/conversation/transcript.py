"""The conversation both channels share: the assistant port, the transcript (ChatTurn) and quick replies.

The assistant (Rasa's REST channel in production) is a port: anything with `send(sender, message, *,
channel, timeout)` returning Rasa-style messages, raising `AssistantUnavailable` when it cannot answer.

Every turn belongs to one conversation (`ChatTurn.conversation_key`). A resident's message starts a new
conversation when the sender's previous one filed a report or has been idle longer than the assistant's
session expiry; an assistant's answer belongs to the conversation of the message it answers. Filing a
report ties its conversation's turns to it (`claim_conversation`), and a report's transcript is exactly
those turns (`report_transcript`): never another conversation of the same resident, which may be a report
led by another agency.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.core.models import ChatTurn

RESIDENT = "resident"
ASSISTANT = "assistant"
HISTORY_LIMIT = 200
# The assistant's session expiry (bot/domain/responses.yml session_config: 120 minutes, no slots carried
# over): after this long without a turn the assistant starts afresh, and so does the conversation.
CONVERSATION_IDLE = timedelta(minutes=120)


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


# Said when the assistant answered a message with nothing: no resident's message goes unanswered.
NOTHING_TO_ADD = (
    "OK. If anyone is in danger now, call 999. To report a problem, tell me what is happening; "
    "to check a report, send its reference (ASB-...)."
)


def normalise_messages(raw: Any) -> list[dict[str, Any]]:
    """Keep what a channel can show from Rasa's answer: text and buttons, in order; never nothing."""
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
    return messages or [{"text": NOTHING_TO_ADD}]


def _new_key() -> str:
    return secrets.token_hex(16)


def _conversation_for_resident(session: Session, sender_id: str, now: datetime) -> str:
    """The sender's current conversation, or a new one after a filed report or a long silence."""
    last = last_turn(session, sender_id)
    if (
        last is None
        or last.report_id is not None
        or not last.conversation_key
        or now - last.created_at > CONVERSATION_IDLE
    ):
        return _new_key()
    return last.conversation_key


def _last_resident_turn(session: Session, sender_id: str) -> ChatTurn | None:
    return session.scalar(
        select(ChatTurn)
        .where(ChatTurn.sender_id == sender_id, ChatTurn.speaker == RESIDENT)
        .order_by(ChatTurn.id.desc())
        .limit(1)
    )


def record_turn(
    session: Session,
    *,
    sender_id: str,
    speaker: str,
    text: str,
    now: datetime,
    buttons: Sequence[dict[str, Any]] | None = None,
    reply_to: int | None = None,
) -> ChatTurn:
    """Add one line to the transcript, in its conversation.

    A resident's line joins the sender's current conversation (or starts one); an assistant's line joins
    the conversation (and the report, if it filed one) of the resident's line it answers: `reply_to` (a
    turn id) or else the sender's latest resident line.
    """
    report_id: int | None = None
    if speaker == RESIDENT:
        key = _conversation_for_resident(session, sender_id, now)
    else:
        base = session.get(ChatTurn, reply_to) if reply_to else _last_resident_turn(session, sender_id)
        if base is not None:
            session.refresh(base)  # the report may have been filed while the assistant was answering
        key = base.conversation_key if base is not None and base.conversation_key else _new_key()
        report_id = base.report_id if base is not None else None
    turn = ChatTurn(
        sender_id=sender_id,
        speaker=speaker,
        text=text,
        buttons=list(buttons) if buttons else None,
        conversation_key=key,
        report_id=report_id,
        created_at=now,
    )
    session.add(turn)
    session.flush()
    return turn


def record_assistant_messages(
    session: Session,
    *,
    sender_id: str,
    messages: Sequence[dict[str, Any]],
    now: datetime,
    reply_to: int | None = None,
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
            reply_to=reply_to,
        )


def claim_conversation(session: Session, *, sender_id: str, report_id: int) -> int:
    """Tie the sender's current conversation (its turns not yet tied to a report) to a report just filed.

    Returns the number of turns claimed. Earlier conversations of the same sender are left alone.
    """
    last = _last_resident_turn(session, sender_id)
    if last is None or not last.conversation_key:
        return 0
    result = session.execute(
        update(ChatTurn)
        .where(
            ChatTurn.sender_id == sender_id,
            ChatTurn.conversation_key == last.conversation_key,
            ChatTurn.report_id.is_(None),
        )
        .values(report_id=report_id)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def report_transcript(session: Session, report_id: int, *, limit: int = 300) -> list[ChatTurn]:
    """The turns of the conversation that filed a report, oldest first."""
    return list(
        session.scalars(
            select(ChatTurn).where(ChatTurn.report_id == report_id).order_by(ChatTurn.id).limit(limit)
        )
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
