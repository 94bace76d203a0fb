"""'What's happening with my report ASB-XXXXXX?' through the status API."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .conversation import latest_text
from .parsing import find_reference
from .webhook_client import ReportNotFound, WebhookUnavailable, get_client


class ValidateStatusForm(FormValidationAction):
    """Accept ASB-7K3QXR, asb7k3qxr, 'ASB 7K3QXR'."""

    def name(self) -> str:
        return "validate_status_form"

    async def validate_reference(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        reference = find_reference(str(slot_value or ""))
        if reference:
            return {"reference": reference}
        dispatcher.utter_message(response="utter_reference_invalid")
        return {"reference": None}


class ActionCheckStatus(Action):
    """Look the report up for this conversation and say where it is up to."""

    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        reference = find_reference(str(tracker.get_slot("reference") or "")) or find_reference(
            latest_text(tracker)
        )
        if not reference:
            dispatcher.utter_message(
                text="I can check a report once we've finished this one. "
                "Just send me the reference, like ASB-7K3QXR."
            )
            return []
        try:
            status = await get_client().report_status(reference=reference, conversation_id=tracker.sender_id)
        except ReportNotFound:
            dispatcher.utter_message(
                text=f"I couldn't find {reference} for this phone or chat. Please check "
                "the reference, or call 101."
            )
            return [SlotSet("reference", None)]
        except WebhookUnavailable:
            dispatcher.utter_message(
                text="Sorry, I can't check reports just now. Please try again later, or call 101."
            )
            return [SlotSet("reference", None)]
        text = f"{status.get('reference', reference)}: {status.get('status_text') or status.get('status')}."
        if status.get("lead_agency_name"):
            text += f" {status['lead_agency_name']} is dealing with it."
        if status.get("respond_by_text"):
            text += f" Next step {status['respond_by_text']}."
        dispatcher.utter_message(text=text)
        return [SlotSet("reference", None)]
