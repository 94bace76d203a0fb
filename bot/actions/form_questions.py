"""The report form's questions that need more than a fixed response: choices built from the report."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .asb_types import COMMON_CHOICES, LABELS
from .conversation import channel_of
from .screening import CONTACT_BUTTONS, RISK_SCREEN_QUESTION
from .summary import summary_buttons, summary_text


class ActionAskAsbType(Action):
    """Confirm the type with buttons instead of guessing."""

    def name(self) -> str:
        return "action_ask_asb_type"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        candidates = [c for c in (tracker.get_slot("type_candidates") or []) if c in LABELS and c != "other"]
        choices = candidates or [c for c in COMMON_CHOICES if c != "other"]
        buttons = [{"title": LABELS[c], "payload": f'/inform{{"asb_type":"{c}"}}'} for c in choices]
        buttons.append({"title": LABELS["other"], "payload": '/inform{"asb_type":"other"}'})
        text = "Which of these is closest?" if candidates else "What kind of problem is it?"
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionAskSummaryOk(Action):
    """Read the report back and let the resident send it or change a part."""

    def name(self) -> str:
        return "action_ask_summary_ok"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=summary_text(tracker.slots), buttons=summary_buttons())
        return []


class ActionAskRiskScreen(Action):
    """The risk screen as one numbered question (no buttons: the resident may pick several)."""

    def name(self) -> str:
        return "action_ask_risk_screen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=RISK_SCREEN_QUESTION)
        return []


class ActionAskContactChoice(Action):
    """One choice for updates, safety and anonymity; domestic abuse asks about safety first.

    In web chat a mobile number for the texts is asked after filing (text_updates.py).
    """

    def name(self) -> str:
        return "action_ask_contact_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        web = channel_of(tracker) != "sms"
        if tracker.get_slot("domestic_abuse"):
            phone = "your phone" if web else "this phone"
            text = f"Is it safe for us to text {phone}? Someone else might read your messages."
        elif web:
            text = (
                "Can we text you updates about your report? We keep your details confidential, and texts "
                "never say what it is about."
            )
        else:
            text = "Can we text you updates about your report? Texts never say what it is about."
        buttons = [
            {"title": title, "payload": f'/inform{{"answer":"{title}"}}'} for title, _ in CONTACT_BUTTONS
        ]
        dispatcher.utter_message(text=text, buttons=buttons)
        return []
