"""Getting a person, the ASB Case Review, and the fallback that never loops."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from .asb_types import LABELS, type_from_intent
from .webhook_client import WebhookUnavailable, get_client

POLICE_LINE = "Police (non-emergency): 101, textphone 18001 101."
EMERGENCY_LINE = "In an emergency call 999."
DEFAULT_CASE_REVIEW = (
    "If you have reported the same problem 3 times in 6 months and feel nothing has been done, you can ask "
    "for an ASB Case Review. The agencies will look again at how they handled it."
)
MAX_FALLBACKS_BEFORE_PERSON = 2


async def _partnership() -> dict[str, Any]:
    try:
        return await get_client().partnership()
    except WebhookUnavailable:
        return {}


def person_text(partnership: dict[str, Any]) -> str:
    """How to reach a person: the police 101 line and the council's number."""
    council = partnership.get("council") or {}
    text = f"To talk to a person: {POLICE_LINE}"
    if council.get("phone"):
        text += f" {council.get('name', 'The council')}: {council['phone']}."
    else:
        text += " Or call your local council."
    return f"{text} {EMERGENCY_LINE}"


class ActionGetPerson(Action):
    """Give the numbers for a person."""

    def name(self) -> str:
        return "action_get_person"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=person_text(await _partnership()))
        return []


class ActionExplainCaseReview(Action):
    """The ASB Case Review: the local threshold and how to apply."""

    def name(self) -> str:
        return "action_explain_case_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        review = (await _partnership()).get("case_review") or {}
        dispatcher.utter_message(text=review.get("threshold_text") or DEFAULT_CASE_REVIEW)
        how = review.get("how_to_apply")
        dispatcher.utter_message(
            text=how or "To apply, call the council or 101 and ask for an ASB Case Review."
        )
        return []


def consecutive_fallbacks(events: list[dict[str, Any]]) -> int:
    """How many of the resident's latest messages in a row were not understood."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") == "nlu_fallback":
            count += 1
        else:
            break
    return count


class ActionFallback(Action):
    """Not understood: offer likely choices; from the second miss on, offer a person too."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        buttons = []
        for entry in tracker.latest_message.get("intent_ranking") or []:
            code = type_from_intent(entry.get("name"))
            if code and code != "other" and float(entry.get("confidence") or 0) >= 0.1 and len(buttons) < 2:
                buttons.append({"title": f"Report {LABELS[code].lower()}", "payload": f"/report_{code}"})
        buttons.append({"title": "Report something else", "payload": "/report_asb"})
        buttons.append({"title": "Talk to a person", "payload": "/ask_human"})
        if consecutive_fallbacks(tracker.events) >= MAX_FALLBACKS_BEFORE_PERSON:
            dispatcher.utter_message(
                text="Sorry, I'm still not understanding. " + person_text(await _partnership())
            )
            return []
        # Unsure is never a reason to hold back the 999 line: a frightened message is often an unusual one.
        dispatcher.utter_message(
            text="Sorry, I'm not sure I understood. If anyone is in danger now, call 999 (textphone 18000). "
            "Otherwise, is it one of these?",
            buttons=buttons,
        )
        return []
