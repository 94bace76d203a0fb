"""The report asks only what this report needs: facts in the story are not asked again, the risk screen
is for personal ASB, and the contact questions are one choice by SMS."""

import asyncio

from actions.prefill import facts_from_story, place_candidates
from actions.report_form import ValidateReportForm, combine_place_answers, report_questions
from actions.report_start import ActionStartReport
from actions.screening import parse_contact_choice, parse_risk_screen
from conftest import make_tracker, slot_events, user_event
from rasa_sdk.executor import CollectingDispatcher


def run(coro):
    return asyncio.run(coro)


def test_an_environmental_report_is_not_asked_the_risk_screen_or_whose_problem_it_is():
    asked = report_questions(
        {"asb_type": "abandoned_vehicle", "description": "car dumped on the verge"}, "sms"
    )
    assert "risk_screen" not in asked and "risk_often" not in asked and "reporter_role" not in asked
    assert asked[-2:] == ["contact_choice", "summary_ok"]


def test_personal_asb_and_words_of_harm_get_the_risk_screen():
    assert "risk_screen" in report_questions({"asb_type": "intimidation_harassment"}, "sms")
    assert "risk_screen" in report_questions(
        {"asb_type": "noise", "description": "I'm scared to go out"}, "web"
    )
    assert "risk_screen" in report_questions({"asb_type": "graffiti", "hate": True}, "sms")
    assert "risk_screen" in report_questions({"asb_type": "other", "domestic_abuse": True}, "sms")
    assert "risk_screen" not in report_questions({"asb_type": "noise", "description": "loud music"}, "sms")


def test_tenure_is_asked_only_where_it_changes_the_lead():
    assert "tenure" in report_questions({"asb_type": "noise"}, "sms")
    assert "tenure" not in report_questions({"asb_type": "graffiti"}, "sms")
    assert "landlord" in report_questions({"asb_type": "noise", "tenure": "social_rent"}, "sms")
    assert "tenure" not in report_questions({"asb_type": "noise", "domestic_abuse": True}, "sms")


def test_contact_is_one_choice_offering_texts_by_sms_and_on_the_web():
    assert "contact_choice" in report_questions({"asb_type": "noise"}, "sms")
    web = report_questions({"asb_type": "noise"}, "web")
    assert "contact_choice" in web and "contact_anonymous" not in web


def test_a_web_chat_that_said_texting_is_not_safe_is_not_offered_texts_again():
    web = report_questions({"asb_type": "noise", "said_not_safe": True}, "web")
    assert "contact_anonymous" in web and "contact_choice" not in web


def test_prejudice_brings_the_hate_motivation_question_unless_already_said():
    slots = {"asb_type": "intimidation_harassment", "risk_prejudice": True}
    assert "hate_motivation" in report_questions(slots, "sms")
    assert "hate_motivation" not in report_questions({**slots, "hate_motivation": "race"}, "sms")


def test_a_story_that_says_when_and_how_often_is_not_asked_again():
    facts = facts_from_story("loud music next door every night till 3am", "nuisance")
    assert facts["occurred"] == "every night, till 3am"
    assert facts["risk_often"] == "many" and facts["reporter_role"] == "victim"
    assert facts_from_story("someone has dumped a sofa", "environmental") == {}


def test_place_phrases_are_found_with_their_town():
    found = place_candidates("car dumped outside 12 Ogley Hay Road, Burntwood since tuesday")
    assert "Ogley Hay Road, Burntwood" in found
    assert place_candidates("graffiti on the shelter by WS13 6JR")[0] == "WS13 6JR"


def test_a_first_message_with_place_and_time_skips_those_questions(webhook):
    text = "loud music from next door on bore street every night till 3am"
    tracker = make_tracker(events=[user_event(text, "report_noise", 0.95)])
    slots = slot_events(run(ActionStartReport().run(CollectingDispatcher(), tracker, {})))
    assert slots["location"] == "bore street" and slots["ward"] == "Stowe"
    assert slots["occurred"] and slots["reporter_role"] == "victim"


def test_a_place_in_a_known_town_is_accepted_without_asking_again(webhook):
    webhook.places["curborough road, lichfield"] = {
        "resolved": False,
        "in_area": True,
        "ward": None,
        "town": "Lichfield",
        "postcode": None,
    }
    tracker = make_tracker(
        events=[user_event("Curborough Road, Lichfield", "inform")], requested_slot="location"
    )
    dispatcher = CollectingDispatcher()
    values = run(
        ValidateReportForm().validate_location("Curborough Road, Lichfield", dispatcher, tracker, {})
    )
    assert values["location"] == "Curborough Road, Lichfield" and dispatcher.messages == []


def test_the_read_back_never_repeats_the_place():
    assert combine_place_answers("Ogley Hay Road, Burntwood", "Ogley Hay Road, Burntwood") == (
        "Ogley Hay Road, Burntwood"
    )
    assert combine_place_answers("Ogley Hay Road", "Ogley Hay Road, Burntwood") == "Ogley Hay Road, Burntwood"
    assert combine_place_answers("round the back", "near the big tree") == "round the back; near the big tree"


def test_the_risk_screen_is_answered_with_numbers_or_words():
    values = parse_risk_screen("1 4")
    assert values is not None
    assert values["risk_targeted"] is True and values["risk_impact"] == "some"
    assert values["risk_prejudice"] is False and values["risk_vulnerable"] is False
    none = parse_risk_screen("0")
    assert none is not None and not any(none[k] for k in ("risk_targeted", "risk_vulnerable"))
    worded = parse_risk_screen("they pick on us because im muslim and my son is autistic")
    assert worded is not None and worded["risk_prejudice"] is True and worded["hate_motivation"] == "religion"
    assert worded["risk_vulnerable"] is True
    assert parse_risk_screen("yes") is None


def test_an_unclear_risk_screen_is_asked_once_more_then_kept_as_unknown():
    form = ValidateReportForm()
    tracker = make_tracker(events=[user_event("yes", "affirm")], requested_slot="risk_screen")
    assert run(form.validate_risk_screen("yes", CollectingDispatcher(), tracker, {}))["risk_screen"] is None
    tracker = make_tracker(
        slots={"reask_count": 1}, events=[user_event("yes", "affirm")], requested_slot="risk_screen"
    )
    assert (
        run(form.validate_risk_screen("yes", CollectingDispatcher(), tracker, {}))["risk_screen"] == "unknown"
    )


def test_the_contact_choice_leans_to_caution():
    assert parse_contact_choice("Yes, text me updates") == "updates"
    assert parse_contact_choice("its not safe someone reads my phone") == "not_safe"
    assert parse_contact_choice("not sure if its safe") == "not_safe"
    assert parse_contact_choice("anonymous please") == "anonymous"
    assert parse_contact_choice("no thanks") == "no_texts"
    form = ValidateReportForm()
    tracker = make_tracker(
        slots={"reask_count": 1}, events=[user_event("hmm", "inform")], requested_slot="contact_choice"
    )
    values = run(form.validate_contact_choice("hmm", CollectingDispatcher(), tracker, {}))
    assert values["text_safe"] is False and values["contact_updates"] is False


def test_a_story_the_classifier_cannot_place_is_taken_as_a_report_not_asked_again(webhook):
    from actions.help import ActionFallback

    text = "someone is flying a drone low over our back gardens most evenings and filming"
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "report_other", "confidence": 0.3}]
    tracker = make_tracker(events=[user_event(text, "nlu_fallback", 0.5, ranking=ranking)])
    events = run(ActionFallback().run(CollectingDispatcher(), tracker, {}))
    slots = slot_events(events)
    assert slots["description"] == text
    assert any(e.get("event") == "followup" and e.get("name") == "report_form" for e in events)


def test_after_999_guidance_a_domestic_abuse_reading_flags_the_draft_for_the_police():
    from actions.report_start import ActionAfterDanger

    text = "he's shouting at her and she's crying, i think he hits her"
    ranking = [
        {"name": "danger_now", "confidence": 0.9},
        {"name": "report_domestic_abuse", "confidence": 0.05},
        {"name": "report_noise", "confidence": 0.03},
    ]
    tracker = make_tracker(events=[user_event(text, "danger_now", 0.9, ranking=ranking)])
    dispatcher = CollectingDispatcher()
    slots = slot_events(run(ActionAfterDanger().run(dispatcher, tracker, {})))
    assert slots["domestic_abuse"] is True and slots["asb_type"] == "other"


def test_a_question_instead_of_an_answer_is_answered_and_the_same_words_twice_are_the_answer(webhook):
    form = ValidateReportForm()
    asked = make_tracker(
        events=[user_event("why do you need to know", "ask_why", 0.95)], requested_slot="occurred"
    )
    dispatcher = CollectingDispatcher()
    assert run(form.validate_occurred("why do you need to know", dispatcher, asked, {})) == {"occurred": None}
    assert dispatcher.messages[0]["response"] == "utter_why"
    twice = make_tracker(
        events=[
            user_event("please text me not dad", "ask_human", 0.9),
            user_event("please text me not dad", "ask_human", 0.9),
        ],
        requested_slot="contact_choice",
    )
    values = run(form.validate_contact_choice("please text me not dad", CollectingDispatcher(), twice, {}))
    assert values["contact_choice"] == "updates"


def test_an_accepted_place_stays_accepted_when_the_form_resumes(webhook):
    tracker = make_tracker(
        slots={"location": "round the back of the shops", "requested_slot": None},
        events=[user_event("yes", "affirm")],
    )
    values = run(
        ValidateReportForm().validate_location(
            "round the back of the shops", CollectingDispatcher(), tracker, {}
        )
    )
    assert values == {"location": "round the back of the shops"}


def test_a_resident_without_the_reference_gets_their_reports_status_and_the_agencys_words(webhook):
    from actions.status import ActionCheckStatus

    webhook.reports["ASB-7K3QXR"] = {
        "conversation_id": "sms-abc123",
        "status": {
            "reference": "ASB-7K3QXR",
            "status": "in_progress",
            "status_text": "being worked on by Lichfield District Council",
            "latest_update": "An officer visited on Monday and spoke to the neighbour.",
            "latest_update_on": "Monday 23 November",
        },
    }
    dispatcher = CollectingDispatcher()
    run(ActionCheckStatus().run(dispatcher, make_tracker(events=[user_event("UPDATE", "check_status")]), {}))
    assert "spoke to the neighbour" in dispatcher.messages[0]["text"]
    stranger = CollectingDispatcher()
    tracker = make_tracker(sender_id="sms-someone-else", events=[user_event("any update", "check_status")])
    run(ActionCheckStatus().run(stranger, tracker, {}))
    assert "can't find a report" in stranger.messages[0]["text"] and "ASB-7K3QXR" not in stranger.messages[0]["text"]


def test_an_update_withheld_for_safety_says_to_call_instead():
    from actions.status import status_text

    text = status_text(
        {
            "reference": "ASB-7K3QXR",
            "status_text": "accepted",
            "update_withheld": True,
            "lead_agency_name": "Staffordshire Police",
            "lead_agency_phone": "101",
        }
    )
    assert "don't send its details by text" in text and "101" in text


def test_carrying_on_after_999_guidance_keeps_the_words_as_the_answer_to_the_open_question():
    from actions.report_start import ActionResumeAfterDanger

    words = "I found it at 7am walking the dog, it's just sitting there"
    events = [
        {"event": "slot", "name": "requested_slot", "value": "occurred"},
        user_event(words, "danger_now", 0.9),
        {"event": "slot", "name": "requested_slot", "value": None},
        user_event("yes", "affirm"),
    ]
    tracker = make_tracker(events=events)
    slots = slot_events(run(ActionResumeAfterDanger().run(CollectingDispatcher(), tracker, {})))
    assert slots == {"occurred": words}
