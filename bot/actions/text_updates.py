"""Updates by text after a web chat report: ask for a mobile number, then for the code texted to it.

Asked only when the intake answer says so (`text_updates.status == "ask"`: the report wants updates, the
chat never said texting is unsafe and has no confirmed number yet). The number and the code are read by
the web chat edge, never by the assistant; the form hears only the outcome (see texting.py). Skippable at
every step; a stop or danger ends it (rules).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .conversation import latest_intent, latest_text
from .help import QUESTION_INTENTS
from .texting import (
    CODE_BUTTONS,
    CODE_OUTCOMES,
    MAX_UNCLEAR,
    NUMBER_BUTTONS,
    NUMBER_OUTCOMES,
    NUMBER_QUESTION,
    RETYPE,
    TEXT_UPDATE_SLOTS,
    WHY_NUMBER,
    code_question,
    entity,
    final_message,
    is_skip,
)

Slots = dict[str, Any]


def _entities(tracker: Tracker) -> list[dict[str, Any]]:
    return list(tracker.latest_message.get("entities") or [])


def _finish(outcome: str) -> Slots:
    """End the questions with this outcome (both slots filled, so the form completes)."""
    return {"update_phone": "done", "phone_code": "done", "text_updates_outcome": outcome}


class ValidateTextUpdatesForm(FormValidationAction):
    """Maps each outcome the web chat edge relays to what the resident is told next."""

    def name(self) -> str:
        return "validate_text_updates_form"

    def _unclear(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Slots:
        """Neither a number, a code nor "skip": explain if asked why, else ask once more, then stop."""
        text = latest_text(tracker)
        if is_skip(text):
            return _finish("skipped")
        intent, confidence = latest_intent(tracker)
        if intent in QUESTION_INTENTS and confidence >= 0.5:
            dispatcher.utter_message(text=WHY_NUMBER)
            return {slot: None}
        tries = int(tracker.get_slot("text_updates_tries") or 0) + 1
        if tries >= MAX_UNCLEAR:
            return _finish("skipped")
        dispatcher.utter_message(text=RETYPE[slot])
        return {slot: None, "text_updates_tries": tries}

    def _number(self, status: str, tracker: Tracker, dispatcher: CollectingDispatcher, slot: str) -> Slots:
        message, outcome = NUMBER_OUTCOMES.get(status, (None, "skipped"))
        if outcome:
            return _finish(outcome)
        if message:
            dispatcher.utter_message(text=message)
            return {slot: None}
        # A code was texted: ask for it (again, when a number was given at the code question).
        return {
            "update_phone": "code_sent",
            "phone_code": None,
            "phone_ending": entity(_entities(tracker), "phone_ending"),
        }

    async def validate_update_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if slot_value is None:
            return {}  # cleared when the form starts: nothing was answered yet
        status = entity(_entities(tracker), "phone_status")
        if status is None:
            return self._unclear("update_phone", dispatcher, tracker)
        return self._number(status, tracker, dispatcher, "update_phone")

    async def validate_phone_code(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if slot_value is None:
            return {}
        entities = _entities(tracker)
        number = entity(entities, "phone_status")
        if number is not None:
            return self._number(number, tracker, dispatcher, "phone_code")
        status = entity(entities, "code_status")
        if status is None:
            return self._unclear("phone_code", dispatcher, tracker)
        message, outcome = CODE_OUTCOMES.get(status, (None, "skipped"))
        if outcome:
            return _finish(outcome)
        if message:
            dispatcher.utter_message(text=message)
        return {"phone_code": None}


class ActionAskUpdatePhone(Action):
    """The number question, with a skip button (whose payload tells the web chat edge it is open)."""

    def name(self) -> str:
        return "action_ask_update_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=NUMBER_QUESTION, buttons=list(NUMBER_BUTTONS))
        return []


class ActionAskPhoneCode(Action):
    """The code question, with "send a new code" and skip buttons."""

    def name(self) -> str:
        return "action_ask_phone_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=code_question(tracker.get_slot("phone_ending")), buttons=list(CODE_BUTTONS)
        )
        return []


class ActionTextUpdatesDone(Action):
    """Say where updates will go (or why none will) and forget the questions' answers."""

    def name(self) -> str:
        return "action_text_updates_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=final_message(
                tracker.get_slot("text_updates_outcome"),
                ending=tracker.get_slot("phone_ending"),
                reference=tracker.get_slot("text_updates_reference"),
            )
        )
        return [SlotSet(name, None) for name in TEXT_UPDATE_SLOTS] + [SlotSet("text_updates_wanted", False)]
