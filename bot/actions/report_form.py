"""The report form: which questions to ask, and checking each answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .asb_types import LABELS, TENURE_TYPES, nsir_class, type_from_intent, type_from_text
from .classification import decide_type, decide_type_beside
from .conversation import channel_of, intent_ranking, latest_intent, latest_text, previous_user_text_before
from .help import QUESTION_INTENTS, question_answers
from .parsing import (
    detect_needs,
    detect_ongoing,
    find_postcode,
    is_unsure,
    mentions_hate,
    parse_anonymous,
    parse_hate_motivation,
    parse_often,
    parse_role,
    parse_tenure,
)
from .screening import (
    CONTACT_CHOICES,
    needs_risk_screen,
    parse_contact_choice,
    parse_risk_screen,
)
from .story import is_placed, slots_from_story
from .summary import parse_summary_answer
from .webhook_client import WebhookUnavailable, get_client

Slots = dict[str, Any]
UNKNOWN = "unknown"


def report_questions(slots: dict[str, Any], channel: str) -> list[str]:
    """The form's questions for this report, in order: only what this report needs.

    Slots the resident's story already filled (prefill.py) are skipped by the form. The risk screen
    is one numbered question, and only for personal ASB or words showing harm to a person; the contact
    questions are one choice (updates by text, no texts, not safe to text, anonymous).
    """
    type_class = nsir_class(slots.get("asb_type"))
    screened = needs_risk_screen(slots)
    asked = ["description", "asb_type", "location", "occurred"]
    if screened:
        asked.append("reporter_role")
    if slots.get("asb_type") in TENURE_TYPES and not slots.get("domestic_abuse"):
        asked.append("tenure")
        if slots.get("tenure") == "social_rent":
            asked.append("landlord")
    if screened:
        asked += ["risk_often", "risk_screen"]
        if (slots.get("risk_prejudice") is True or slots.get("hate")) and not slots.get("hate_motivation"):
            asked.append("hate_motivation")
    # On the web too, one choice offers updates by text (a number is asked after filing), unless this
    # conversation already said texting is not safe: then only confidential or anonymous.
    web_unsafe = channel != "sms" and slots.get("said_not_safe") is True
    asked.append("contact_anonymous" if web_unsafe else "contact_choice")
    asked.append("summary_ok")
    return asked


def which_town_question(street: str, towns: list[str]) -> str:
    """ "Which one: Main Street in Stonnall or in Whittington?" (a street name used in several towns)."""
    name = street if any(c.isupper() for c in street) else street.title()
    if len(towns) == 2:
        return f"Which one: {name} in {towns[0]} or in {towns[1]}?"
    return f"Which one: {name} in {', '.join(towns[:-1])} or {towns[-1]}?"


def combine_place_answers(first: str | None, second: str) -> str:
    """Both answers to "where?", once each: a retyped or extended answer is not repeated."""
    if not first:
        return second
    a, b = first.strip(), second.strip()
    if a.casefold() in b.casefold():
        return b
    if b.casefold() in a.casefold():
        return a
    return f"{a}; {b}"


class ValidateReportForm(FormValidationAction):
    """Normalises each answer; asks again kindly (once) when it can't tell."""

    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return report_questions(tracker.slots, channel_of(tracker))

    # -- shared helpers -------------------------------------------------------------------------

    def _accept(self, values: Slots, tracker: Tracker, text: str = "") -> Slots:
        """Accept an answer, noting any support needs mentioned and resetting the re-ask count."""
        values["reask_count"] = 0
        needs = detect_needs(text)
        if needs:
            values["needs"] = sorted(set(tracker.get_slot("needs") or []) | needs)
        intent, _ = latest_intent(tracker)
        if intent == "report_domestic_abuse" and not tracker.get_slot("domestic_abuse"):
            values["domestic_abuse"] = True
        return values

    async def _question(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, text: str, floor: float = 0.75
    ) -> Slots | None:
        """A question asked instead of an answer ("why do you need that?"): answer it, then ask again.

        Said twice in a row, the same words are taken as the answer, so a misread answer never loops.
        """
        intent, confidence = latest_intent(tracker)
        if intent not in QUESTION_INTENTS or confidence < floor or previous_user_text_before(tracker) == text:
            return None
        for message in await question_answers(intent):
            dispatcher.utter_message(**message)
        return {slot: None}

    async def _reask(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, fallback: Any
    ) -> Slots:
        """Ask once more; on the second miss keep `fallback` so the report is never stuck."""
        question = await self._question(dispatcher, tracker, slot, latest_text(tracker), floor=0.5)
        if question is not None:
            return question
        if (tracker.get_slot("reask_count") or 0) >= 1:
            return {slot: fallback, "reask_count": 0}
        dispatcher.utter_message(response="utter_please_choose")
        return {slot: None, "reask_count": 1}

    # -- what happened -------------------------------------------------------------------------

    async def validate_description(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        text = str(slot_value or "").strip()
        if not text or text.startswith("/"):
            return {"description": None}
        question = await self._question(dispatcher, tracker, "description", text)
        if question is not None:
            return question
        values: Slots = {"description": text}
        intent, _ = latest_intent(tracker)
        if intent == "report_domestic_abuse" and not tracker.get_slot("domestic_abuse"):
            dispatcher.utter_message(response="utter_domestic_abuse_help")
        if intent == "report_hate" or mentions_hate(text):
            values.update(hate=True, risk_prejudice=True)
        if not tracker.get_slot("asb_type"):
            asb_type, candidates = decide_type(intent_ranking(tracker))
            if intent == "report_domestic_abuse":
                asb_type, candidates = "other", []
            elif intent == "report_hate":
                asb_type, _ = decide_type_beside(intent_ranking(tracker), "report_hate")
                asb_type, candidates = asb_type or "intimidation_harassment", []
            values.update(asb_type=asb_type, type_candidates=candidates or None)
        known = {**tracker.slots, **values}
        values.update(await slots_from_story(text, known, tracker.latest_message.get("entities") or []))
        return self._accept(values, tracker, text)

    async def validate_asb_type(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        value = str(slot_value or "")
        code = value if value in LABELS else type_from_text(value)
        if code is None:
            intent, confidence = latest_intent(tracker)
            if confidence >= 0.5:
                code = type_from_intent(intent)
        if code is None:
            return await self._reask("asb_type", dispatcher, tracker, "other")
        return self._accept({"asb_type": code}, tracker)

    # -- where -------------------------------------------------------------------------------

    async def validate_location(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        text = str(slot_value or "").strip()
        if text and text == tracker.get_slot("location") and tracker.get_slot("requested_slot") != "location":
            # Rasa validates filled slots again when the form resumes: an accepted place stays accepted.
            return {"location": text}
        question = await self._question(dispatcher, tracker, "location", text)
        if question is not None:
            return question
        attempts = int(tracker.get_slot("location_attempts") or 0)
        draft = tracker.get_slot("location_draft")
        said = combine_place_answers(draft, text) if attempts else text
        postcode = find_postcode(text)
        try:
            place = await get_client().resolve_place(postcode or (f"{draft}, {text}" if attempts and draft else text))
            if not is_placed(place) and postcode:
                place = await get_client().resolve_place(text)
        except WebhookUnavailable:
            # The resolver is down: keep exactly what they said; triage will place it.
            return self._accept({"location": said, "postcode": postcode, "ward": None}, tracker, text)
        if is_placed(place):
            return self._accept(
                {
                    "location": said,
                    "postcode": postcode or place.get("postcode"),
                    "ward": place.get("ward"),
                    "location_attempts": 0,
                    "location_draft": None,
                },
                tracker,
                text,
            )
        towns = [str(t) for t in place.get("candidates") or []]
        if attempts == 0 and len(towns) >= 2:
            # A street in several towns: ask which ("Which one: Main Street in Stonnall or in Whittington?").
            dispatcher.utter_message(text=which_town_question(str(place.get("place") or text), towns))
            return {"location": None, "location_attempts": 1, "location_draft": text}
        if attempts == 0:
            dispatcher.utter_message(response="utter_location_retry")
            return {"location": None, "location_attempts": 1, "location_draft": text}
        dispatcher.utter_message(response="utter_location_accepted_unplaced")
        return self._accept(
            {
                "location": said,
                "postcode": postcode,
                "ward": None,
                "location_attempts": 0,
                "location_draft": None,
            },
            tracker,
            text,
        )

    # -- when, who -----------------------------------------------------------------------------

    async def validate_occurred(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        text = str(slot_value or "").strip()
        if not text:
            return {"occurred": None}
        question = await self._question(dispatcher, tracker, "occurred", text)
        if question is not None:
            return question
        return self._accept({"occurred": text, "ongoing": detect_ongoing(text)}, tracker, text)

    async def validate_reporter_role(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        role = parse_role(str(slot_value or ""))
        if role is None:
            return await self._reask("reporter_role", dispatcher, tracker, "victim")
        return self._accept({"reporter_role": role}, tracker)

    async def validate_tenure(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        text = str(slot_value or "").strip()
        tenure = parse_tenure(text)
        if tenure is None:
            return await self._reask("tenure", dispatcher, tracker, UNKNOWN)
        values: Slots = {"tenure": tenure}
        if tenure == "social_rent" and len(text.split()) >= 3 and not text.startswith("/"):
            # "we rent from Bromford": the landlord is named already (routing reads the words).
            values["landlord"] = text[:120]
        return self._accept(values, tracker)

    async def validate_landlord(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        text = str(slot_value or "").strip()
        question = await self._question(dispatcher, tracker, "landlord", text)
        if question is not None:
            return question
        return self._accept({"landlord": None if is_unsure(text) else text[:120] or None}, tracker)

    # -- the risk screen (TOPIC), one numbered question ------------------------------------------

    async def validate_risk_often(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        text = str(slot_value or "")
        often = parse_often(text)
        if often is None:
            return await self._reask("risk_often", dispatcher, tracker, UNKNOWN)
        return self._accept({"risk_often": often}, tracker, text)

    async def validate_risk_screen(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        text = str(slot_value or "")
        values = parse_risk_screen(text)
        if values is None:
            question = await self._question(dispatcher, tracker, "risk_screen", text, floor=0.5)
            if question is not None:
                return question
            if (tracker.get_slot("reask_count") or 0) >= 1:
                return {"risk_screen": UNKNOWN, "reask_count": 0}
            dispatcher.utter_message(
                text="Sorry, I didn't catch that. Reply with the numbers that apply, or 0."
            )
            return {"risk_screen": None, "reask_count": 1}
        values = self._accept({**values, "risk_screen": text[:100] or "0"}, tracker, text)
        if values.get("risk_impact") == "severe" or values.get("risk_vulnerable"):
            needs = set(values.get("needs") or tracker.get_slot("needs") or [])
            if values.get("risk_impact") == "severe":
                needs.add("feeling_unsafe")
            if values.get("risk_vulnerable") and any(
                w in text.lower() for w in ("disab", "wheelchair", "autis")
            ):
                needs.add("disability")
            values["needs"] = sorted(needs)
        return values

    async def validate_hate_motivation(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return self._accept({"hate_motivation": parse_hate_motivation(str(slot_value or ""))}, tracker)

    # -- contact -------------------------------------------------------------------------------

    async def validate_contact_anonymous(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        anonymous = parse_anonymous(str(slot_value or ""))
        if anonymous is None:
            return await self._reask("contact_anonymous", dispatcher, tracker, False)
        values = self._accept({"contact_anonymous": anonymous}, tracker)
        if anonymous:
            values.update(text_safe=None, contact_updates=False)
        return values

    async def validate_contact_choice(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        choice = parse_contact_choice(str(slot_value or ""))
        if choice is None:
            # When in doubt, no texts: the most cautious answer.
            values = await self._reask("contact_choice", dispatcher, tracker, "not_safe")
            if values.get("contact_choice") == "not_safe":
                values |= {**CONTACT_CHOICES["not_safe"], "said_not_safe": True}
            return values
        values = self._accept({"contact_choice": choice, **CONTACT_CHOICES[choice]}, tracker)
        if choice == "not_safe":
            values["said_not_safe"] = True  # the safest answer wins for the rest of the conversation
        return values

    # -- read back -----------------------------------------------------------------------------

    async def validate_summary_ok(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        decision = parse_summary_answer(str(slot_value or ""))
        if decision == "send":
            return {"summary_ok": True}
        if decision is None:
            dispatcher.utter_message(text="What would you like to change? Pick one below.")
            return {"summary_ok": None}
        cleared: Slots = {"summary_ok": None}
        for slot in decision:
            cleared[slot] = None
        if "location" in decision:
            cleared.update(location_attempts=0, location_draft=None, postcode=None, ward=None)
        dispatcher.utter_message(text="OK, let's change that.")
        return cleared
