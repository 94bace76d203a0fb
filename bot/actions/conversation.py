"""Small helpers for reading the tracker (which channel, what the resident said)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

# Slots that belong to one report; cleared after filing or cancelling.
REPORT_SLOTS = (
    "description",
    "asb_type",
    "type_candidates",
    "location",
    "location_attempts",
    "location_draft",
    "postcode",
    "ward",
    "occurred",
    "ongoing",
    "reporter_role",
    "tenure",
    "landlord",
    "risk_targeted",
    "risk_often",
    "risk_reported_before",
    "risk_prejudice",
    "hate_motivation",
    "risk_impact",
    "risk_vulnerable",
    "risk_screen",
    "contact_choice",
    "contact_anonymous",
    "text_safe",
    "contact_updates",
    "summary_ok",
    "hate",
    "domestic_abuse",
    "needs",
    "submission_id",
    "submit_failed",
    "reask_count",
)


def channel_of(tracker: Tracker) -> str:
    """'sms' or 'web', from the webhook's metadata or the opaque sender id."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            channel = (event.get("metadata") or {}).get("channel")
            if channel in ("sms", "web"):
                return channel
    return "sms" if str(tracker.sender_id).startswith("sms-") else "web"


def latest_text(tracker: Tracker) -> str:
    """The text of the resident's latest message."""
    return str(tracker.latest_message.get("text") or "")


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    """Name and confidence of the latest message's intent."""
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def intent_ranking(tracker: Tracker) -> list[dict[str, Any]]:
    """The latest message's intent ranking, best first."""
    return list(tracker.latest_message.get("intent_ranking") or [])


def previous_user_text(tracker: Tracker, *, skip_payloads: bool = True) -> str | None:
    """The most recent typed user message (skipping button payloads such as /report_noise)."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = str(event.get("text") or "")
        if skip_payloads and text.startswith("/"):
            continue
        return text
    return None


def user_texts_with_intent(tracker: Tracker, intent_name: str) -> list[str]:
    """Texts of every user message classified as the given intent, oldest first."""
    return [
        str(e.get("text") or "")
        for e in tracker.events
        if e.get("event") == "user"
        and (e.get("parse_data") or {}).get("intent", {}).get("name") == intent_name
    ]


def previous_user_text_before(tracker: Tracker) -> str | None:
    """The resident's message before the latest one (typed or a button), or None."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if seen_latest:
            return str(event.get("text") or "")
        seen_latest = True
    return None
