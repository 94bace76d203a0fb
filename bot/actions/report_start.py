"""Start a report from the resident's first message (type, description, flags)."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .asb_types import type_from_intent
from .classification import decide_type, decide_type_beside, is_descriptive
from .conversation import REPORT_SLOTS, intent_ranking, latest_intent, latest_text, previous_user_text
from .parsing import mentions_hate
from .story import slots_from_story

# After 999 guidance, a domestic abuse or hate reading this strong (among the other readings) is acted on.
ROUTE_READING = 0.25


def fresh_report() -> list[dict[str, Any]]:
    """Clear any earlier report's answers and give this one its idempotency key."""
    events = [SlotSet(name, None) for name in REPORT_SLOTS]
    events += [
        SlotSet("hate", False),
        SlotSet("domestic_abuse", False),
        SlotSet("submit_failed", False),
        SlotSet("location_attempts", 0),
        SlotSet("submission_id", uuid.uuid4().hex),
        SlotSet("danger_draft", False),
    ]
    return events


async def _story_slots(tracker: Tracker, description: str, known: dict[str, Any]) -> list[dict[str, Any]]:
    """SlotSets for what the story already answers (where, when, how often, whose problem)."""
    entities = tracker.latest_message.get("entities") or []
    found = await slots_from_story(description, known, entities)
    return [SlotSet(name, value) for name, value in found.items()]


def _story_text(tracker: Tracker) -> str | None:
    """The resident's own words: this message, or the one before a button press."""
    text = latest_text(tracker)
    if text.startswith("/"):
        text = previous_user_text(tracker) or ""
    return text if is_descriptive(text) else None


class ActionStartReport(Action):
    """report_<type> or report_asb: remember the words, decide or shortlist the type."""

    def name(self) -> str:
        return "action_start_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        events = fresh_report()
        intent, _ = latest_intent(tracker)
        if intent == "report_asb":
            return events
        description = _story_text(tracker)
        if latest_text(tracker).startswith("/"):
            asb_type, candidates = type_from_intent(intent), []  # chosen by button
        else:
            asb_type, candidates = decide_type(intent_ranking(tracker))
        events.append(SlotSet("asb_type", asb_type))
        events.append(SlotSet("type_candidates", candidates or None))
        if description:
            events.append(SlotSet("description", description))
            if mentions_hate(description):
                events += [SlotSet("hate", True), SlotSet("risk_prejudice", True)]
            events += await _story_slots(tracker, description, {"asb_type": asb_type})
        return events


class ActionStartDomesticAbuseReport(Action):
    """Domestic abuse: the helpline first, then offer to report (police route, never mediation)."""

    def name(self) -> str:
        return "action_start_domestic_abuse_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_domestic_abuse_help")
        dispatcher.utter_message(response="utter_ask_da_report")
        events = fresh_report()
        events += [SlotSet("domestic_abuse", True), SlotSet("asb_type", "other")]
        description = _story_text(tracker)
        if description:
            events.append(SlotSet("description", description))
            events += await _story_slots(tracker, description, {"asb_type": "other", "domestic_abuse": True})
        return events


class ActionStartHateReport(Action):
    """Hate incident: flag it, note prejudice, then the usual form."""

    def name(self) -> str:
        return "action_start_hate_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_hate_ack")
        events = fresh_report()
        asb_type, _ = decide_type_beside(intent_ranking(tracker), "report_hate")
        events += [
            SlotSet("hate", True),
            SlotSet("risk_prejudice", True),
            SlotSet("asb_type", asb_type or "intimidation_harassment"),
        ]
        description = _story_text(tracker)
        if description:
            events.append(SlotSet("description", description))
            events += await _story_slots(
                tracker, description, {"asb_type": asb_type or "intimidation_harassment"}
            )
        return events


class ActionAfterDanger(Action):
    """After the 999 guidance on a first message: keep the resident's words and offer to report them.

    A frightened message often is the report ("a man with a knife outside my door"), and a past event
    read as danger ("someone broke into my shed on sunday") should not have to be typed again. When the
    message describes something, a report is drafted from it (the type from the classifier's next
    best readings) and the resident is asked whether to pass it on now; otherwise they are told to
    say what happened when they are safe.
    """

    def name(self) -> str:
        return "action_after_danger"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        if not is_descriptive(text):
            dispatcher.utter_message(response="utter_after_danger")
            return [SlotSet("danger_draft", False)]
        events = fresh_report()
        # The danger guard shrank the other readings; scale them back up to compare them with each other.
        others = [r for r in intent_ranking(tracker) if r.get("name") != "danger_now"]
        total = sum(float(r.get("confidence") or 0.0) for r in others) or 1.0
        scaled = {str(r.get("name")): float(r.get("confidence") or 0.0) / total for r in others}
        asb_type, candidates = decide_type({"name": n, "confidence": c} for n, c in scaled.items())
        if scaled.get("report_domestic_abuse", 0.0) >= ROUTE_READING:
            # A partner or family member: police and a domestic abuse service, never mediation.
            dispatcher.utter_message(response="utter_domestic_abuse_help")
            events += [SlotSet("domestic_abuse", True)]
            asb_type, candidates = "other", []
        elif scaled.get("report_hate", 0.0) >= ROUTE_READING:
            events += [SlotSet("hate", True), SlotSet("risk_prejudice", True)]
            asb_type, candidates = asb_type or "intimidation_harassment", []
        events += [
            SlotSet("description", text),
            SlotSet("asb_type", asb_type),
            SlotSet("type_candidates", candidates or None),
            SlotSet("danger_draft", True),
        ]
        if mentions_hate(text):
            events += [SlotSet("hate", True), SlotSet("risk_prejudice", True)]
        events += await _story_slots(tracker, text, {"asb_type": asb_type})
        dispatcher.utter_message(response="utter_ask_report_after_danger")
        return events


class ActionResumeAfterDanger(Action):
    """Carrying on after 999 guidance given in the middle of the form: the words that raised it were the
    resident's answer to the question then asked, so they are kept as that answer (the form checks them as
    usual). A false alarm therefore never makes the resident say the same thing again, and never loops."""

    def name(self) -> str:
        return "action_resume_after_danger"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        asked = pending_question(tracker.events)
        words = danger_words(tracker.events)
        if not asked or not words or asked == "summary_ok":
            return []
        return [SlotSet(asked, words)]


def pending_question(events: list[dict[str, Any]]) -> str | None:
    """The form's question that was open when the 999 guidance paused it."""
    for event in reversed(events):
        if event.get("event") == "slot" and event.get("name") == "requested_slot" and event.get("value"):
            return str(event["value"])
    return None


def danger_words(events: list[dict[str, Any]]) -> str | None:
    """The words of the resident's latest message read as danger now."""
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") == "danger_now":
            text = str(event.get("text") or "")
            return text if text and not text.startswith("/") else None
    return None
