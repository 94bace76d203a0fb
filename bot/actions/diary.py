"""'It's happening again': add a diary entry to the resident's own report, with one question at most.

From the phone or chat that made the report: "Add this to report ASB-...?" (with "when did it happen?"
folded in when the words do not say), or, with several open reports, the resident picks one. A bare
request ("can I add something to my report?") is asked what happened first. A reference the sender did
not make is answered exactly as an unknown one (status.NOT_FOUND). Danger now never reaches the diary
question: the DangerGuard reads every message and the danger rules come first (the form ignores
danger_now and stop). Danger said while adding to a report gets the 999 guidance first, then the words go
on that report as happening now (ActionDiaryAfterDanger), so the agency sees them without the resident
saying them again.

In web chat the number question for updates by text follows filing; asking to add to the report there ends
that question and starts the diary (rules), and danger said there in words that add to the report ("can I
add something, he's ...") goes on the report just filed, as in SMS.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .conversation import channel_of, latest_intent, latest_text
from .parsing import find_reference, parse_yes_no
from .status import NOT_FOUND, UNAVAILABLE
from .texting import TEXT_UPDATE_SLOTS
from .webhook_client import DiaryConflict, IntakeRejected, ReportNotFound, WebhookUnavailable, get_client

DIARY_SLOTS = (
    "diary_text",
    "diary_when",
    "diary_reference",
    "diary_choices",
    "diary_answer",
    "diary_cancelled",
)
ADD_QUESTION = "Add this to report {reference}?"
WHEN_QUESTION = (
    "Add this to report {reference}? If yes, when did it happen (for example: now, or last night 11pm)?"
)
CHOOSE_QUESTION = "Which report is this about?"
WHAT_QUESTION = "What happened? Tell me and I'll add it to report {reference}."
NEW_REPORT = "I can't find an open report made from this phone or chat, so let's make a new one."
CLOSED = "Report {reference} is closed. Tell me what is happening and I'll make a new report."
CANCELLED = "OK, I haven't added anything. If anyone is in danger, call 999."
NOT_ADDED = "Sorry, I couldn't add that just now. Nothing is lost if you send it again later, or call 101."
MAX_CHOICES = 3
# Words that say a message adds to a report the resident already made ("can I add", "again", "update").
_ADDS_TO_REPORT = re.compile(
    r"\b(add|adding|added|again|also|as well|update|another thing|one more thing|forgot|just to say|"
    r"to my report|the report|still)\b",
    re.IGNORECASE,
)


def adds_to_report(text: str) -> bool:
    """True when the words say they add to a report already made ("can I add something, he's ...")."""
    return bool(_ADDS_TO_REPORT.search(text or ""))


def _end_text_updates(tracker: Tracker) -> list[dict[str, Any]]:
    """Close the web chat's number question (its slots cleared) when the resident turned to their report."""
    if not tracker.get_slot("text_updates_wanted") and not tracker.get_slot("text_updates_reference"):
        return []
    return [SlotSet(name, None) for name in TEXT_UPDATE_SLOTS] + [SlotSet("text_updates_wanted", False)]


_WHEN = re.compile(
    r"\b(\d{1,2}([:.]\d{2})?\s*(am|pm)|\d{1,2}[:.]\d{2}|now|tonight|today|yesterday|last night|this "
    r"(morning|afternoon|evening)|ago|midnight|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)


def says_when(text: str) -> bool:
    """True when the words say when it happened (a time, a day, "now", "last night"...)."""
    return bool(_WHEN.search(text))


_REFERENCE = re.compile(r"\bASB-?[0-9A-Z]{6}\b", re.IGNORECASE)
# Words of a request to add to a report that say nothing about what happened.
_REQUEST_WORDS = frozenset(
    "can could i i'd id i'm im i've ive want wanna would like need to add adding something anything more "
    "another a an the this that it my our me report reports diary entry incident update please pls plz hi "
    "hello hiya just made make done earlier on for about thing bit of is there way how do you yes ok okay "
    "with what".split()
)


def is_bare_request(text: str) -> bool:
    """True when the words only ask to add to a report ("can I add something to my report?")."""
    words = re.findall(r"[a-z']+", _REFERENCE.sub(" ", text or "").lower())
    return all(w in _REQUEST_WORDS for w in words)


def question(slots: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """The one question to ask, with its buttons, from what is known so far."""
    reference = slots.get("diary_reference")
    if not reference:
        choices = list(slots.get("diary_choices") or [])
        return CHOOSE_QUESTION, [{"title": ref, "payload": ref} for ref in choices]
    if not slots.get("diary_text") and not slots.get("diary_when"):
        return WHAT_QUESTION.format(reference=reference), []
    if slots.get("diary_when"):
        return ADD_QUESTION.format(reference=reference), [
            {"title": "Yes, add it", "payload": "/affirm"},
            {"title": "No", "payload": "/deny"},
        ]
    return WHEN_QUESTION.format(reference=reference), [
        {"title": "Yes, it's happening now", "payload": "now"},
        {"title": "No", "payload": "/deny"},
    ]


async def _open_references(sender_id: str, reference: str | None) -> list[str]:
    """The sender's open reports to offer: the one named (ReportNotFound when not theirs) or their own."""
    if reference:
        found = await get_client().report_status(reference=reference, conversation_id=sender_id)
        if found.get("status") == "closed":
            raise DiaryConflict({"reason": "closed", "reference": found.get("reference") or reference})
        return [str(found.get("reference") or reference)]
    mine = await get_client().my_reports(conversation_id=sender_id)
    return [str(r["reference"]) for r in mine if r.get("status") != "closed"][:MAX_CHOICES]


class ActionDiaryStart(Action):
    """Find which report the words belong to, then ask (diary_route ask), or say why not (done)."""

    def name(self) -> str:
        return "action_diary_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        reference = find_reference(text)
        events: list[dict[str, Any]] = [SlotSet(name, None) for name in DIARY_SLOTS]
        events += _end_text_updates(tracker)
        try:
            choices = await _open_references(tracker.sender_id, reference)
        except ReportNotFound:
            dispatcher.utter_message(text=NOT_FOUND.format(reference=reference))
            return [*events, SlotSet("diary_route", "done")]
        except DiaryConflict as exc:
            dispatcher.utter_message(text=CLOSED.format(reference=exc.body.get("reference")))
            return [*events, SlotSet("diary_route", "done")]
        except WebhookUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return [*events, SlotSet("diary_route", "done")]
        if not choices:
            dispatcher.utter_message(text=NEW_REPORT)
            return [*events, SlotSet("diary_route", "new_report")]
        bare = is_bare_request(text)
        events += [
            SlotSet("diary_text", None if bare else text),
            SlotSet("diary_when", text if says_when(text) and not bare else None),
            SlotSet("diary_choices", choices),
            SlotSet("diary_reference", choices[0] if len(choices) == 1 else None),
            SlotSet("diary_route", "ask"),
        ]
        return events


class ActionAskDiaryAnswer(Action):
    """Ask the one question: which report, or add it (and when, if the words did not say)."""

    def name(self) -> str:
        return "action_ask_diary_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text, buttons = question(dict(tracker.slots))
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


def _picked(text: str, choices: list[str]) -> str | None:
    reference = find_reference(text)
    if reference in choices:
        return reference
    stripped = text.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(choices):
        return choices[int(stripped) - 1]
    return None


def interpret(text: str, intent: str | None, slots: dict[str, Any]) -> dict[str, Any]:
    """The slots an answer to the diary question sets (diary_answer None asks again)."""
    choices = list(slots.get("diary_choices") or [])
    yes_no = parse_yes_no(text)
    if intent == "deny" or (yes_no is False and not says_when(text)):
        return {"diary_answer": "no", "diary_cancelled": True}
    if not slots.get("diary_reference"):
        picked = _picked(text, choices)
        if picked is None:
            return {"diary_answer": None}
        # Picking the report is the resident's yes; ask when only if the words did not say.
        return {"diary_reference": picked, "diary_answer": "yes" if slots.get("diary_when") else None}
    if not slots.get("diary_text") and not slots.get("diary_when") and not text.startswith("/"):
        # The answer to "what happened?" is the entry; when is asked only if it does not say.
        when = text if says_when(text) else None
        return {"diary_text": text, "diary_when": when, "diary_answer": "yes" if when else None}
    if intent == "affirm" or yes_no is True:
        return {"diary_answer": "yes"}
    if not slots.get("diary_when"):
        return {"diary_answer": "yes", "diary_when": text}
    # More words after the time was given: part of the entry.
    return {"diary_answer": "yes", "diary_text": f"{slots.get('diary_text') or ''} / {text}".strip(" /")}


class ValidateDiaryForm(FormValidationAction):
    """Read the answer to the diary question."""

    def name(self) -> str:
        return "validate_diary_form"

    async def validate_diary_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "diary_answer":
            # The words that started the diary are not an answer: nothing has been asked yet.
            return {"diary_answer": None}
        intent, _ = latest_intent(tracker)
        return interpret(str(value or latest_text(tracker)), intent, dict(tracker.slots))


def _reply(result: dict[str, Any]) -> list[str]:
    messages = [
        str(result.get("message") or f"Thank you. I've added this to report {result.get('reference')}.")
    ]
    review = result.get("case_review") or {}
    if review.get("status") in ("explain", "eligible") and review.get("message"):
        messages.append(str(review["message"]))
    messages.append("If it happens again, tell me the same way. If anyone is in danger, call 999.")
    return messages


async def _add(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str, text: str, when: str
) -> None:
    """Add the entry (POST /api/v1/reports/diary) and tell the resident what became of it."""
    payload = {
        "conversation_id": tracker.sender_id,
        "reference": reference,
        "text": text[:1000],
        "occurred_text": when[:200],
        "channel": channel_of(tracker),
    }
    try:
        result = await get_client().add_diary_entry(payload)
    except ReportNotFound:
        dispatcher.utter_message(text=NOT_FOUND.format(reference=reference))
        return
    except DiaryConflict as exc:
        dispatcher.utter_message(text=CLOSED.format(reference=exc.body.get("reference") or reference))
        return
    except (WebhookUnavailable, IntakeRejected):
        dispatcher.utter_message(text=NOT_ADDED)
        return
    for message in _reply(result):
        dispatcher.utter_message(text=message)


class ActionDiarySave(Action):
    """Add the entry and tell the resident; the question's slots are cleared."""

    def name(self) -> str:
        return "action_diary_save"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        slots = dict(tracker.slots)
        reset = [SlotSet(name, None) for name in (*DIARY_SLOTS, "diary_route")]
        if slots.get("diary_cancelled") or not slots.get("diary_reference"):
            dispatcher.utter_message(text=CANCELLED)
            return reset
        when = str(slots.get("diary_when") or "")
        text = str(slots.get("diary_text") or when or "It happened again.")
        await _add(dispatcher, tracker, str(slots["diary_reference"]), text, when)
        return reset


class ActionDiaryAfterDanger(Action):
    """Danger now said while adding to a report, after the 999 guidance (the rule gives it first).

    The resident was adding to this report, so the words go on it as happening now and they are told so:
    the agency sees them without the resident repeating anything. With several reports and none picked
    yet, the words are kept and the resident is asked which report (the diary question again); with no
    report in view, they are offered as a report, as after any other danger message.
    """

    def name(self) -> str:
        return "action_diary_after_danger"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        slots = dict(tracker.slots)
        reset = [SlotSet(name, None) for name in (*DIARY_SLOTS, "diary_route")]
        words = latest_text(tracker).strip()
        reference = slots.get("diary_reference")
        if not words or words.startswith("/"):
            return [*reset, FollowupAction("action_after_danger")]
        if not reference and not slots.get("diary_choices"):
            # Web chat, the number question just after filing: words that add to the report go on it.
            just_filed = slots.get("text_updates_reference")
            if just_filed and adds_to_report(words):
                await _add(dispatcher, tracker, str(just_filed), words, "now")
                return [*reset, *_end_text_updates(tracker)]
            return [*reset, FollowupAction("action_after_danger")]
        if not reference:
            choices = list(slots.get("diary_choices") or [])
            return [
                *reset,
                SlotSet("diary_choices", choices),
                SlotSet("diary_text", words),
                SlotSet("diary_when", "now"),
                SlotSet("diary_route", "ask"),
                FollowupAction("diary_form"),
            ]
        earlier = str(slots.get("diary_text") or "")
        text = f"{earlier} / {words}" if earlier else words
        await _add(dispatcher, tracker, str(reference), text, "now")
        return reset
