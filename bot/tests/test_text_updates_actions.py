"""Updates by text in web chat: the contact choice, filing, and the number and code questions.

The number and the code are read by the webhook's web chat edge; these actions only ever see the outcome
it relays (`/inform{"phone_status": ...}`, `/inform{"code_status": ...}`), as entities.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from actions.form_questions import ActionAskContactChoice
from actions.payload import build_intake_payload
from actions.report_form import ValidateReportForm
from actions.screening import parse_contact_choice
from actions.submit import ActionSubmitReport
from actions.text_updates import (
    ActionAskPhoneCode,
    ActionAskUpdatePhone,
    ActionTextUpdatesDone,
    ValidateTextUpdatesForm,
)
from conftest import make_tracker, slot_events, texts, user_event
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

WEB = "web-0123456789abcdef"


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def relayed(payload: str, slot: str, **slots: Any) -> Tracker:
    """The tracker after the web chat edge relayed an outcome while the form asked `slot`."""
    values = json.loads(payload.removeprefix("/inform"))
    event = user_event(payload, "inform", channel="web")
    event["parse_data"]["entities"] = [{"entity": k, "value": v} for k, v in values.items()]
    tracker = make_tracker(events=[event], sender_id=WEB, requested_slot=slot, slots={slot: payload, **slots})
    tracker.active_loop = {"name": "text_updates_form"}
    return tracker


def typed(text: str, slot: str, intent: str = "inform", **slots: Any) -> Tracker:
    return make_tracker(
        events=[user_event(text, intent, channel="web")],
        sender_id=WEB,
        requested_slot=slot,
        slots={slot: text, **slots},
    )


def validate(slot: str, tracker: Tracker) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateTextUpdatesForm(), f"validate_{slot}")
    values = run(method(tracker.get_slot(slot), dispatcher, tracker, {}))
    return values, texts(dispatcher)


# -- in the report form ---------------------------------------------------------------------------


def test_the_web_contact_question_offers_updates_by_text_and_keeps_details_confidential():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events=[user_event("last night", "inform", channel="web")], sender_id=WEB)
    run(ActionAskContactChoice().run(dispatcher, tracker, {}))
    (message,) = dispatcher.messages
    assert "text you updates" in message["text"] and "confidential" in message["text"]
    assert [b["title"] for b in message["buttons"]][:1] == ["Yes, text me updates"]


def test_domestic_abuse_in_web_chat_asks_whether_texting_is_safe_first():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        events=[user_event("last night", "inform", channel="web")], sender_id=WEB, slots={"domestic_abuse": True}
    )
    run(ActionAskContactChoice().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["text"].startswith("Is it safe for us to text your phone?")


def test_confidential_is_understood_as_no_texts():
    assert parse_contact_choice("Confidential") == "no_texts"
    assert parse_contact_choice("confidential, text me") == "updates"


def test_a_refusal_of_texts_is_never_read_as_a_request_for_them():
    assert parse_contact_choice("please don't text me") == "no_texts"
    assert parse_contact_choice("do not text me, ring instead") == "no_texts"
    assert parse_contact_choice("i would rather not get texts") == "no_texts"


def test_someone_else_seeing_the_phone_means_texting_is_not_safe():
    assert parse_contact_choice("dont text me, my partner goes through my phone") == "not_safe"
    assert parse_contact_choice("no texts, he'd read them") == "not_safe"
    assert parse_contact_choice("he knows my passcode") == "not_safe"


def test_saying_a_text_is_alright_asks_for_updates():
    assert parse_contact_choice("texts are ok with me") == "updates"
    assert parse_contact_choice("phone call or text") == "updates"
    assert parse_contact_choice("happy to get a text") == "updates"


def test_the_safest_answer_given_in_the_chat_wins():
    tracker = typed("It's not safe to text me", "contact_choice")
    values = run(ValidateReportForm().validate_contact_choice("It's not safe to text me", CollectingDispatcher(), tracker, {}))
    assert values["said_not_safe"] is True and values["text_safe"] is False
    # Later in the same chat the resident picks "text me": the report still goes as not safe to text.
    slots = {"asb_type": "noise", "said_not_safe": True, "text_safe": True, "contact_updates": True}
    payload = build_intake_payload(slots=slots, conversation_id=WEB, channel="web", submission_id="s")
    assert payload["contact"] == {"wants_updates": False, "anonymous": False, "text_safe": False}


# -- filing ---------------------------------------------------------------------------------------

REPORT = {
    "description": "loud music every night",
    "asb_type": "noise",
    "location": "Bore Street",
    "occurred": "every night",
    "contact_choice": "updates",
    "contact_anonymous": False,
    "text_safe": True,
    "contact_updates": True,
    "summary_ok": True,
    "submission_id": "abc123",
}


def test_filing_a_web_report_that_wants_texts_goes_on_to_ask_for_a_number(webhook):
    webhook.text_updates = {"status": "ask"}
    events = run(ActionSubmitReport().run(CollectingDispatcher(), make_tracker(sender_id=WEB, slots=REPORT), {}))
    slots = slot_events(events)
    assert slots["text_updates_wanted"] is True and slots["text_updates_reference"] == "ASB-7K3QXR"
    assert slots["update_phone"] is None and slots["phone_code"] is None  # a fresh start


def test_filing_from_a_chat_with_a_confirmed_number_says_where_texts_go_and_asks_nothing(webhook):
    webhook.text_updates = {"status": "confirmed", "phone_ending": "214"}
    dispatcher = CollectingDispatcher()
    events = run(ActionSubmitReport().run(dispatcher, make_tracker(sender_id=WEB, slots=REPORT), {}))
    assert "number ending 214" in " ".join(texts(dispatcher))
    assert slot_events(events)["text_updates_wanted"] is False


def test_filing_without_texts_asks_nothing(webhook):
    events = run(ActionSubmitReport().run(CollectingDispatcher(), make_tracker(slots=REPORT), {}))
    assert slot_events(events)["text_updates_wanted"] is False


# -- the number and code questions ----------------------------------------------------------------


def test_the_questions_offer_the_buttons_that_tell_the_edge_which_is_open():
    dispatcher = CollectingDispatcher()
    run(ActionAskUpdatePhone().run(dispatcher, make_tracker(sender_id=WEB), {}))
    (number,) = dispatcher.messages
    assert "mobile number" in number["text"] and '"phone_status"' in number["buttons"][0]["payload"]
    dispatcher = CollectingDispatcher()
    run(ActionAskPhoneCode().run(dispatcher, make_tracker(sender_id=WEB, slots={"phone_ending": "214"}), {}))
    (code,) = dispatcher.messages
    assert "ending 214" in code["text"] and "6 digits" in code["text"]
    assert [b["title"] for b in code["buttons"]] == ["Send a new code", "Skip"]
    assert all('"code_status"' in b["payload"] for b in code["buttons"])


def test_a_code_sent_goes_on_to_the_code_question():
    values, said = validate(
        "update_phone", relayed('/inform{"phone_status":"code_sent","phone_ending":"214"}', "update_phone")
    )
    assert values == {"update_phone": "code_sent", "phone_code": None, "phone_ending": "214"} and said == []


def test_a_number_that_is_not_a_uk_mobile_is_asked_again_with_the_reason():
    values, said = validate("update_phone", relayed('/inform{"phone_status":"not_mobile"}', "update_phone"))
    assert values == {"update_phone": None}
    assert "start 07 and have 11 digits" in said[0]


def test_each_refusal_ends_the_questions_with_its_reason():
    for status in ("skipped", "limited", "refused", "not_safe"):
        values, _ = validate("update_phone", relayed(f'/inform{{"phone_status":"{status}"}}', "update_phone"))
        assert values["text_updates_outcome"] == status and values["phone_code"] == "done"


def test_no_thanks_skips_and_why_is_answered_and_asked_again():
    values, _ = validate("update_phone", typed("no thanks", "update_phone"))
    assert values["text_updates_outcome"] == "skipped"
    values, said = validate("update_phone", typed("why do you need my number", "update_phone", intent="ask_why"))
    assert values == {"update_phone": None} and "STOP" in said[0]


def test_unclear_answers_are_asked_once_more_then_the_questions_end():
    values, said = validate("update_phone", typed("blue", "update_phone"))
    assert values["update_phone"] is None and "didn't catch" in said[0]
    values, _ = validate("update_phone", typed("green", "update_phone", text_updates_tries=1))
    assert values["text_updates_outcome"] == "skipped"


def test_slots_cleared_as_the_questions_start_are_not_taken_as_answers():
    tracker = make_tracker(events=[user_event("Yes, send it", "affirm", channel="web")], sender_id=WEB)
    assert validate("update_phone", tracker) == ({}, [])
    assert validate("phone_code", tracker) == ({}, [])


def test_code_outcomes():
    values, _ = validate("phone_code", relayed('/inform{"code_status":"confirmed"}', "phone_code"))
    assert values["text_updates_outcome"] == "confirmed"
    values, said = validate("phone_code", relayed('/inform{"code_status":"wrong"}', "phone_code"))
    assert values == {"phone_code": None} and "isn't right" in said[0]
    values, said = validate("phone_code", relayed('/inform{"code_status":"expired"}', "phone_code"))
    assert values == {"phone_code": None} and "run out" in said[0] and "Send a new code" in said[0]
    values, said = validate("phone_code", relayed('/inform{"code_status":"locked"}', "phone_code"))
    assert values == {"phone_code": None} and "too many" in said[0] and "Send a new code" in said[0]
    values, said = validate("phone_code", relayed('/inform{"code_status":"resent"}', "phone_code"))
    assert values == {"phone_code": None} and said == []  # the code question is asked again
    values, _ = validate(
        "phone_code", relayed('/inform{"phone_status":"code_sent","phone_ending":"777"}', "phone_code")
    )
    assert values["phone_ending"] == "777" and values["phone_code"] is None  # a corrected number


def test_the_resident_is_told_where_updates_will_go_and_the_answers_are_forgotten():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        sender_id=WEB,
        slots={"text_updates_outcome": "confirmed", "phone_ending": "214", "text_updates_reference": "ASB-7K3QXR"},
    )
    events = run(ActionTextUpdatesDone().run(dispatcher, tracker, {}))
    assert "ending 214" in texts(dispatcher)[0] and "STOP" in texts(dispatcher)[0]
    assert slot_events(events)["phone_ending"] is None and slot_events(events)["text_updates_wanted"] is False
    dispatcher = CollectingDispatcher()
    run(ActionTextUpdatesDone().run(dispatcher, make_tracker(slots={"text_updates_reference": "ASB-7K3QXR"}), {}))
    assert texts(dispatcher)[0].startswith("OK, no texts.") and "ASB-7K3QXR" in texts(dispatcher)[0]
