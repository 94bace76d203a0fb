"""Getting a person, the ASB Case Review, and the fallback that never loops."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .asb_types import LABELS, type_from_intent
from .conversation import latest_text
from .report_start import fresh_report
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


# Questions a resident may ask in the middle of the report; the form answers them and asks again.
QUESTION_INTENTS = frozenset({"ask_why", "ask_human", "bot_challenge", "ask_what_is_asb", "ask_case_review"})


def case_review_texts(partnership: dict[str, Any]) -> list[str]:
    """The ASB Case Review: the local threshold and how to apply."""
    review = partnership.get("case_review") or {}
    how = review.get("how_to_apply") or "To apply, call the council or 101 and ask for an ASB Case Review."
    return [review.get("threshold_text") or DEFAULT_CASE_REVIEW, how]


async def question_answers(intent: str | None) -> list[dict[str, Any]]:
    """The messages that answer one of QUESTION_INTENTS (for dispatcher.utter_message(**message))."""
    if intent == "ask_human":
        return [{"text": person_text(await _partnership())}]
    if intent == "ask_case_review":
        return [{"text": text} for text in case_review_texts(await _partnership())]
    responses = {
        "ask_why": "utter_why",
        "bot_challenge": "utter_iamabot",
        "ask_what_is_asb": "utter_what_is_asb",
    }
    return [{"response": responses[intent]}] if intent in responses else []


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
        texts = case_review_texts(await _partnership())
        for text in texts[:-1]:
            dispatcher.utter_message(text=text)
        dispatcher.utter_message(text=texts[-1], buttons=[APPLY_BUTTON])
        return []


APPLY_BUTTON = {"title": "Apply for a Case Review now", "payload": "/apply_case_review"}
APPLY_UNAVAILABLE = "I can't record your application just now, sorry. Please try again later, or: {how}"


class ActionApplyCaseReview(Action):
    """Apply for an ASB Case Review on the resident's own reports; the partnership checks the threshold."""

    def name(self) -> str:
        return "action_apply_case_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        reference = tracker.get_slot("reference")
        try:
            answer = await get_client().apply_case_review(
                conversation_id=tracker.sender_id, reference=reference if isinstance(reference, str) else None
            )
        except WebhookUnavailable:
            how = case_review_texts(await _partnership())[-1]
            dispatcher.utter_message(text=APPLY_UNAVAILABLE.format(how=how))
            return []
        dispatcher.utter_message(text=str(answer.get("message") or ""))
        if answer.get("status") != "no_reports":
            dispatcher.utter_message(text=f"If the problem carries on meanwhile, please keep reporting it. {EMERGENCY_LINE}")
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


# A message this long that the classifier cannot place is still a report: it is taken as one and the
# resident picks the closest type, rather than being asked to say it again.
STORY_WORDS = 6


class ActionFallback(Action):
    """Not understood: a story is taken as a report (type chosen by the resident); a short message gets
    likely choices; from the second miss on, a person is offered too."""

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
        text = latest_text(tracker)
        if not text.startswith("/") and len(text.split()) >= STORY_WORDS and not tracker.active_loop_name:
            candidates = [b["payload"].removeprefix("/report_") for b in buttons]
            dispatcher.utter_message(
                text="Thank you. I'll take that as a report. If anyone is in danger now, call 999."
            )
            return [
                *fresh_report(),
                SlotSet("description", text),
                SlotSet("type_candidates", candidates or None),
                FollowupAction("report_form"),
            ]
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
