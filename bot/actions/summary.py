"""Read-back of a report before filing, and the resident's answer to it (no Rasa imports)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .asb_types import LABELS

# What each "change" choice clears, so the form asks it again.
CHANGES: dict[str, tuple[str, ...]] = {
    "what happened": ("description",),
    "type": ("asb_type", "type_candidates"),
    "where": ("location",),
    "when": ("occurred", "ongoing"),
    "contact": ("contact_choice", "contact_anonymous", "text_safe", "contact_updates"),
}
_CHANGE_WORDS = (
    ("what happened", ("what happened", "description", "story", "details")),
    ("type", ("type", "kind", "category", "problem")),
    ("where", ("where", "location", "address", "place", "street", "postcode")),
    ("when", ("when", "time", "date", "day")),
    ("contact", ("contact", "anonymous", "confidential", "text", "updates", "name")),
)


def _short(text: Any, limit: int = 70) -> str:
    value = str(text or "").strip()
    return value if len(value) <= limit else value[: limit - 3].rstrip() + "..."


def summary_text(slots: Mapping[str, Any]) -> str:
    """A short, SMS-sized read-back of the report."""
    if slots.get("contact_anonymous") is True:
        contact = "anonymous, no updates"
    elif slots.get("contact_updates") is True:
        contact = "confidential, text updates"
    elif slots.get("text_safe") is False:
        contact = "confidential, not safe to text"
    else:
        contact = "confidential, no texts"
    parts = [
        f"Here is your report. Type: {LABELS.get(slots.get('asb_type') or 'other', 'Something else')}.",
        f"What happened: {_short(slots.get('description'))}",
        f"Where: {_short(slots.get('location'), 50)}.",
        f"When: {_short(slots.get('occurred'), 40)}.",
        f"Contact: {contact}.",
        "Shall I send it?",
    ]
    return "\n".join(parts)


def summary_buttons() -> list[dict[str, str]]:
    """Send, or change one part (payloads bypass NLU so a choice is never misread)."""

    def change(title: str) -> dict[str, str]:
        return {"title": title, "payload": f'/inform{{"answer":"{title}"}}'}

    return [
        {"title": "Yes, send it", "payload": "/affirm"},
        change("Change what happened"),
        change("Change where"),
        change("Change when"),
        change("Change contact choices"),
    ]


def parse_summary_answer(text: str) -> str | tuple[str, ...] | None:
    """'send' to file it; a tuple of slots to clear for a change; None if unclear."""
    lowered = text.strip().lower()
    for key, words in _CHANGE_WORDS:
        if any(w in lowered for w in words) and (
            "change" in lowered
            or "wrong" in lowered
            or "edit" in lowered
            or "fix" in lowered
            or lowered in words
        ):
            return CHANGES[key]
    if lowered.startswith("/affirm") or any(
        w in f" {lowered} "
        for w in (" yes ", " send", " yeah ", " yep ", " correct", " right ", " ok ", " y ")
    ):
        return "send"
    return None
