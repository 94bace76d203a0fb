"""'How is my report going?' with or without its reference, from the phone or chat that made it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .conversation import latest_text
from .parsing import find_reference
from .webhook_client import ReportNotFound, WebhookUnavailable, get_client

NOT_FOUND = "I couldn't find {reference} for this phone or chat. Please check the reference, or call 101."
NONE_HERE = (
    "I can't find a report made from this phone or chat. If you have a reference (it starts ASB-), "
    "send it to me; otherwise tell me what is happening."
)
UNAVAILABLE = "Sorry, I can't check reports just now. Please try again later, or call 101."


def status_text(status: dict[str, Any]) -> str:
    """A report's status, and its latest public update in the agency's words (withheld when unsafe)."""
    text = f"{status.get('reference')}: {status.get('status_text') or status.get('status')}."
    if status.get("respond_by_text"):
        text += f" Next step {status['respond_by_text']}."
    if status.get("latest_update"):
        text += f"\nLatest update ({status.get('latest_update_on')}): {status['latest_update']}"
    elif status.get("update_withheld"):
        phone = status.get("lead_agency_phone")
        text += " There is an update. To keep you safe we don't send its details by text"
        text += f": please call {status.get('lead_agency_name')} on {phone}." if phone else "; please call 101."
    return text


class ActionCheckStatus(Action):
    """Look the report up for this conversation (by reference, or its latest reports) and say where it is."""

    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        reference = find_reference(latest_text(tracker)) or find_reference(str(tracker.get_slot("reference") or ""))
        try:
            if reference:
                found = [await get_client().report_status(reference=reference, conversation_id=tracker.sender_id)]
            else:
                found = await get_client().my_reports(conversation_id=tracker.sender_id)
        except ReportNotFound:
            dispatcher.utter_message(text=NOT_FOUND.format(reference=reference))
            return [SlotSet("reference", None)]
        except WebhookUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return [SlotSet("reference", None)]
        if not found:
            dispatcher.utter_message(text=NONE_HERE)
        elif len(found) == 1:
            dispatcher.utter_message(text=status_text(found[0]))
        else:
            dispatcher.utter_message(text=status_text(found[0]))
            others = ", ".join(f"{s.get('reference')} ({s.get('status')})" for s in found[1:])
            dispatcher.utter_message(text=f"Your other reports: {others}. Send a reference to see its update.")
        return [SlotSet("reference", None)]
