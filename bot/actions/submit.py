"""File the report through the intake API and tell the resident what happens next."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .asb_types import type_from_intent
from .classification import is_descriptive
from .conversation import REPORT_SLOTS, channel_of, intent_ranking, latest_intent, latest_text
from .payload import build_intake_payload
from .report_start import ActionStartReport
from .texting import TEXT_UPDATE_SLOTS, after_filing_line
from .webhook_client import IntakeRejected, WebhookUnavailable, get_client

logger = logging.getLogger(__name__)

RETRY_PAUSE_SECONDS = 1.0
# A first message read as "stop" that also reads this much like a report is treated as a report.
STOP_BUT_DESCRIBES_FLOOR = 0.1


def after_filing_messages(result: dict[str, Any], slots: dict[str, Any]) -> list[str]:
    """What the resident is told once the report is filed, one SMS-sized message each."""
    lead = (result.get("lead_agency") or {}).get("name") or "The right team"
    by_when = result.get("respond_by_text") or "soon"
    anonymous = slots.get("contact_anonymous") is True
    first = f"Thank you. Your reference is {result['reference']}. {lead} will look at it"
    first += f" {by_when}." if anonymous else f" and be in touch {by_when}."
    messages = [first]
    if result.get("linked_reference"):
        messages.append("It has been joined to a report we already have about the same problem.")
    if result.get("risk_level") == "high":
        messages.append("From what you told us, it has been marked as urgent.")
    case_review = result.get("case_review") or {}
    if case_review.get("status") in ("explain", "eligible") and case_review.get("message"):
        messages.append(str(case_review["message"]))
    if result.get("self_help"):
        messages.append(str(result["self_help"]))
    # Casework decides who is offered what: mediation only where it is safe, support services (the
    # domestic abuse helpline among them) in the signposts.
    if result.get("diary_tip"):
        # Where the self-help says keep a diary: how to add to this report by text ("AGAIN ...").
        messages.append(str(result["diary_tip"]))
    mediation = result.get("mediation")
    if mediation:
        how = mediation.get("phone") or mediation.get("web") or ""
        messages.append(
            f"For neighbour disputes, {mediation.get('name', 'mediation')} can help you both talk it "
            f"through, free: {how}".rstrip(": ")
            + "."
        )
    for signpost in result.get("signposts") or []:
        how = " or ".join(x for x in (signpost.get("phone"), signpost.get("web")) if x)
        line = f"{signpost.get('name')}: {how}" if how else str(signpost.get("name"))
        if signpost.get("why"):
            line += f" ({signpost['why']})"
        messages.append(line)
    texts = after_filing_line(result.get("text_updates"))
    if texts:
        messages.append(texts)
    messages.append(
        "Keep your reference. If things get worse, report again. If anyone is in danger, call 999."
    )
    return messages


class ActionSubmitReport(Action):
    """POST the report; retry once; never lose the answers if the webhook is down."""

    def name(self) -> str:
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        slots = dict(tracker.slots)
        submission_id = slots.get("submission_id") or uuid.uuid4().hex
        payload = build_intake_payload(
            slots=slots,
            conversation_id=tracker.sender_id,
            channel=channel_of(tracker),
            submission_id=submission_id,
        )
        try:
            result = await self._file_with_one_retry(payload)
        except IntakeRejected as exc:
            logger.error("intake rejected field=%s: %s", exc.field, exc)
            dispatcher.utter_message(
                text="Sorry, I couldn't file your report because of a problem on our side. "
                "Please call 101 and we will take it by phone."
            )
            return [SlotSet("submission_id", submission_id), SlotSet("submit_failed", True)]
        except WebhookUnavailable as exc:
            logger.warning("intake unavailable: %s", exc)
            dispatcher.utter_message(
                text="Sorry, I couldn't send your report just now. Nothing is lost: "
                "I've kept your answers. You can also call 101."
            )
            dispatcher.utter_message(response="utter_submit_retry_offer")
            return [SlotSet("submission_id", submission_id), SlotSet("submit_failed", True)]
        for message in after_filing_messages(result, slots):
            dispatcher.utter_message(text=message)
        # Web chat: the report wants updates by text and no number is confirmed yet, so a rule asks for one.
        ask = (result.get("text_updates") or {}).get("status") == "ask"
        return [SlotSet(name, None) for name in REPORT_SLOTS] + [
            SlotSet("submit_failed", False),
            SlotSet("hate", False),
            SlotSet("domestic_abuse", False),
            *(SlotSet(name, None) for name in TEXT_UPDATE_SLOTS),
            SlotSet("text_updates_reference", result["reference"] if ask else None),
            SlotSet("text_updates_wanted", ask),
        ]

    @staticmethod
    async def _file_with_one_retry(payload: dict[str, Any]) -> dict[str, Any]:
        try:
            return await get_client().file_report(payload)
        except WebhookUnavailable:
            await asyncio.sleep(RETRY_PAUSE_SECONDS)  # yields the loop to other conversations
            return await get_client().file_report(payload)


def stop_but_describes_a_problem(tracker: Tracker) -> bool:
    """Outside a report, "they never stop barking" is a report, not a request to stop.

    True when the message was read as stop, no form is running, and it is a description (four words or
    more) that also ranks an ASB type. A bare "stop", "cancel" or "forget it" is still a stop.
    """
    intent, _ = latest_intent(tracker)
    if intent != "stop" or tracker.active_loop_name or not is_descriptive(latest_text(tracker)):
        return False
    return any(
        type_from_intent(entry.get("name"))
        and float(entry.get("confidence") or 0.0) >= STOP_BUT_DESCRIBES_FLOOR
        for entry in intent_ranking(tracker)
    )


class ActionCancelReport(Action):
    """Stop: forget the report in progress; nothing is sent."""

    def name(self) -> str:
        return "action_cancel_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        if stop_but_describes_a_problem(tracker):
            started = await ActionStartReport().run(dispatcher, tracker, domain)
            return started + [FollowupAction("report_form")]
        dispatcher.utter_message(response="utter_cancelled")
        return [SlotSet(name, None) for name in REPORT_SLOTS] + [
            SlotSet("submit_failed", False),
            SlotSet("hate", False),
            SlotSet("domestic_abuse", False),
            SlotSet("reference", None),
        ]
