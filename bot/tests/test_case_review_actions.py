"""Applying for an ASB Case Review from the conversation: explained with a button, then applied for."""

from __future__ import annotations

import asyncio

from actions.help import ActionApplyCaseReview, ActionExplainCaseReview
from conftest import make_tracker, texts
from rasa_sdk.executor import CollectingDispatcher


def test_the_explanation_offers_to_apply(webhook) -> None:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionExplainCaseReview().run(dispatcher, make_tracker(), {}))
    assert texts(dispatcher) == ["Three reports in six months.", "Call us."]
    assert dispatcher.messages[-1]["buttons"] == [
        {"title": "Apply for a Case Review now", "payload": "/apply_case_review"}
    ]


def test_a_resident_with_reports_applies_and_gets_the_reference(webhook) -> None:  # type: ignore[no-untyped-def]
    webhook.reports["ASB-7K3QXR"] = {"conversation_id": "sms-abc123", "status": {}}
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionApplyCaseReview().run(dispatcher, make_tracker(sender_id="sms-abc123"), {}))
    said = texts(dispatcher)
    assert "CR-7K3QXR" in said[0] and "999" in said[1]
    assert webhook.applications == [("sms-abc123", None)]


def test_without_reports_or_when_the_service_is_down_the_resident_is_told_what_to_do(webhook) -> None:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionApplyCaseReview().run(dispatcher, make_tracker(sender_id="web-new"), {}))
    assert texts(dispatcher) == ["I can't find a report from you."]
    webhook.down = True
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionApplyCaseReview().run(dispatcher, make_tracker(sender_id="web-new"), {}))
    (said,) = texts(dispatcher)
    assert "can't record your application just now" in said
