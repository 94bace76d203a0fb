"""SMS text: GSM-7 detection, segment counting, sentence-boundary splitting and numbered quick replies.

Pure functions (no I/O): the SMS edge uses them to shape assistant replies; the notifier uses
`segments()` to keep outbound messages short.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

# The GSM 03.38 default alphabet; the extension table's characters cost two septets (escape + char).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")

# Characters assistants and templates often produce that have a GSM-7 look-alike; using it keeps a
# message in GSM-7 (160 characters a segment) instead of UCS-2 (70), as Twilio's smart encoding does.
_SMART = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2012": "-",
    "\u2212": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u2022": "-",
    "\u00b7": "-",
    "\t": " ",
}

GSM7_SINGLE_SEGMENT = 160
GSM7_MULTI_SEGMENT = 153
UCS2_SINGLE_SEGMENT = 70
UCS2_MULTI_SEGMENT = 67
# Twilio refuses a message body over 1,600 characters.
TWILIO_MAX_BODY = 1600
DEFAULT_MAX_SEGMENTS = 3

_SENTENCE_END = re.compile(r"((?<=[.!?])\s+|\s*\n\s*)")


def smart_encode(text: str) -> str:
    """Replace typographic characters with GSM-7 look-alikes so a message stays cheap and short."""
    return "".join(_SMART.get(ch, ch) for ch in text)


def is_gsm7(text: str) -> bool:
    """True when every character can be sent in the GSM-7 alphabet."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def encoding(text: str) -> str:
    """'GSM-7' or 'UCS-2': how a phone network will carry this text."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def _units(text: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text occupies."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS segments the text is billed as (0 for an empty text)."""
    if not text:
        return 0
    units = _units(text)
    if is_gsm7(text):
        return 1 if units <= GSM7_SINGLE_SEGMENT else math.ceil(units / GSM7_MULTI_SEGMENT)
    return 1 if units <= UCS2_SINGLE_SEGMENT else math.ceil(units / UCS2_MULTI_SEGMENT)


def _fits(text: str, max_segments: int) -> bool:
    return segments(text) <= max_segments and len(text) <= TWILIO_MAX_BODY


def _hard_split(word: str, max_segments: int) -> list[str]:
    """Split one over-long word (a URL, a pasted blob) into pieces that fit."""
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and not _fits(current + ch, max_segments):
            pieces.append(current)
            current = ""
        current += ch
    if current:
        pieces.append(current)
    return pieces


def _pack(units: Sequence[tuple[str, str]], max_segments: int) -> list[str]:
    """Greedily join (separator, unit) pairs into parts that each fit; separators between parts drop."""
    parts: list[str] = []
    current = ""
    for sep, unit in units:
        candidate = f"{current}{sep}{unit}" if current else unit
        if _fits(candidate, max_segments):
            current = candidate
            continue
        if current:
            parts.append(current)
        current = unit
    if current:
        parts.append(current)
    return parts


def split_for_sms(text: str, max_segments: int = DEFAULT_MAX_SEGMENTS) -> list[str]:
    """Split a reply into SMS-sized parts at sentence boundaries (words, then characters, if needed)."""
    text = smart_encode(text).strip()
    if not text:
        return []
    if _fits(text, max_segments):
        return [text]
    # re.split with a group keeps the separators, so line breaks (numbered choices) survive packing.
    tokens = _SENTENCE_END.split(text)
    units: list[tuple[str, str]] = []
    sep = ""
    for i, token in enumerate(tokens):
        if i % 2:
            sep = token
            continue
        sentence = token.strip()
        if not sentence:
            continue
        if _fits(sentence, max_segments):
            units.append((sep, sentence))
            continue
        for chunk in _pack([(" ", w) for w in sentence.split()], max_segments):
            pieces = [chunk] if _fits(chunk, max_segments) else _hard_split(chunk, max_segments)
            units.extend((" ", piece) for piece in pieces)
    return _pack(units, max_segments)


def numbered_choices(text: str, buttons: Sequence[dict[str, Any]]) -> str:
    """Append the quick-reply buttons as numbered choices a texter can answer with a digit."""
    if not buttons:
        return text
    lines = [f"{i}. {b.get('title', '')}" for i, b in enumerate(buttons, start=1)]
    lines.append("Reply with a number.")
    return f"{text}\n" + "\n".join(lines) if text else "\n".join(lines)


_CHOICE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def choose_button(reply: str, buttons: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The button a reply of "1", "2"... (or the button's exact title) selects, or None."""
    if not buttons:
        return None
    match = _CHOICE.match(reply)
    if match:
        index = int(match.group(1))
        return dict(buttons[index - 1]) if 1 <= index <= len(buttons) else None
    wanted = reply.strip().casefold()
    for button in buttons:
        if str(button.get("title", "")).strip().casefold() == wanted:
            return dict(button)
    return None


def render_for_sms(messages: Sequence[dict[str, Any]], max_segments: int = DEFAULT_MAX_SEGMENTS) -> list[str]:
    """Turn assistant messages ({"text", "buttons"}) into the SMS parts to send, in order."""
    parts: list[str] = []
    for message in messages:
        text = numbered_choices(str(message.get("text") or ""), message.get("buttons") or [])
        parts.extend(split_for_sms(text, max_segments))
    return parts
