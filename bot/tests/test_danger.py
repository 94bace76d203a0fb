"""Danger now is never missed, and what is past, pretend or a figure of speech is not danger."""

from __future__ import annotations

import pytest
from components.danger_guard import GUARD_CONFIDENCE, DangerGuard
from components.danger_rules import is_danger_now
from rasa.shared.nlu.training_data.message import Message


@pytest.mark.parametrize(
    "text",
    [
        "theres a man with a knife outside my door",
        "help they are kicking someone on the ground by the shops",
        "lads punching a kid at the bus stop right now",
        "hes not moving and theyre still there",
        "hes coming at us with a bat",
        "someone is trying to get in my back door",
        "the flats are on fire smoke everywhere",
        "he says he is going to kill me",
        "help",
    ],
)
def test_danger_now_is_recognised(text: str) -> None:
    assert is_danger_now(text)


@pytest.mark.parametrize(
    "text",
    [
        "the bins were set on fire last night",
        "someone keeps ringing 999 saying theres a fire at the school",
        "she called the fire brigade saying our house was on fire when it wasnt",
        "the noise from next door is killing me",
        "the kids next door are fighting on the xbox all night screaming",
        "my shed was broken into overnight",
        "he threatened me last week outside the pub",
        "saw on the news theres been a stabbing in town",
        "all i hear through the wall is gunshots from call of duty",
    ],
)
def test_past_pretend_and_figures_of_speech_are_not_danger(text: str) -> None:
    assert not is_danger_now(text)


def parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message.build(text=text)
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    return message


def test_an_unsure_reading_of_danger_is_acted_on_not_turned_into_a_question() -> None:
    guard = DangerGuard(DangerGuard.get_default_config())
    message = parsed(
        "something bad is going on outside get someone", [("report_asb", 0.41), ("danger_now", 0.3)]
    )
    guard.process([message])
    assert message.get("intent") == {"name": "danger_now", "confidence": GUARD_CONFIDENCE}
    # what else it might be keeps its order but cannot tie with danger (the fallback would ask instead)
    assert [r["name"] for r in message.get("intent_ranking")] == ["danger_now", "report_asb"]
    assert message.get("intent_ranking")[1]["confidence"] < 0.05


def test_a_weak_reading_of_danger_is_left_to_the_classifier() -> None:
    guard = DangerGuard(DangerGuard.get_default_config())
    for ranking in (
        [("report_rowdy_behaviour", 0.7), ("danger_now", 0.15)],  # second, but weak
        [("report_rowdy_behaviour", 0.5), ("report_noise", 0.25), ("danger_now", 0.22)],  # only third
    ):
        message = parsed("the lads on the corner are a pain", ranking)
        guard.process([message])
        assert message.get("intent")["name"] == "report_rowdy_behaviour"
