"""Danger now recognised by meaning: emergencies however they are worded, and not what is past,
pretend, a figure of speech or a worry about later."""

from __future__ import annotations

import numpy as np
import pytest
from components.danger_guard import DANGER_INTENT, DangerGuard
from components.danger_meaning import (
    SITUATIONS_FILE,
    Situations,
    assess,
    embed_situations,
    load_descriptions,
    time_cue,
)
from components.minilm import MiniLMEncoder, shared_encoder
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    return shared_encoder()


def embed(encoder: MiniLMEncoder, texts: list[str]) -> np.ndarray:
    return np.stack([sentence for _, _, sentence in encoder.encode(texts)])


@pytest.fixture(scope="module")
def situations(encoder: MiniLMEncoder) -> Situations:
    return embed_situations(lambda texts: embed(encoder, texts))


def test_every_kind_of_emergency_in_the_issue_has_descriptions() -> None:
    danger, lookalikes = load_descriptions(SITUATIONS_FILE)
    for kind in (
        "violence to a person",
        "weapon",
        "abduction",
        "robbery",
        "fire spreading",
        "vehicle used against people",
        "harm to themselves",
        "break-in with someone inside",
        "child in danger",
        "animal being hurt",
        "domestic violence under way",
        "threat to kill at the door",
    ):
        assert len(danger[kind]) >= 3, kind
    assert {"figure of speech", "news, films and games", "worry about later", "past event"} <= set(lookalikes)


# Worded without the obvious words the word rules know (no "knife", "on fire", "kill", "attacking").
# (The detector alone misses some wordings, e.g. "a 4x4 has gone up on the footpath and is heading for
# the mums with prams"; those are in the development set nlu_danger_dev_own.yml, where the whole
# pipeline is measured.)
EMERGENCIES = [
    "two lads have pinned an old boy against the cash machine and are going through his pockets",
    "a bloke is shoving a young woman into the boot of his car outside the chippy",
    "a little one in a nappy is toddling down the middle of the high street on its own",
    "the woman upstairs is sat on the window ledge saying she cant go on",
    "can hear smashing and screaming next door, he is throwing her about",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_an_emergency_is_recognised_by_its_meaning(
    encoder: MiniLMEncoder, situations: Situations, text: str
) -> None:
    reading = assess(text, embed(encoder, [text])[0], situations)
    assert reading.danger, reading


LOOKALIKES = [
    "someone drove at me on the pavement last week and i still cant sleep",
    "a woman was dragged into a car on our road yesterday, the police have been",
    "the lads next door are killing me with their drum practice",
    "watched a documentary about a kidnapping last night, horrible",
    "on the news there was a stabbing in birmingham",
    "im worried the lads who threw stones at my car will come back",
    "what should i do if someone tries to break in",
    "kids keep throwing stones at the bus shelter",
]


@pytest.mark.parametrize("text", LOOKALIKES)
def test_past_pretend_and_worries_are_not_danger_now(
    encoder: MiniLMEncoder, situations: Situations, text: str
) -> None:
    reading = assess(text, embed(encoder, [text])[0], situations)
    assert not reading.danger, reading


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("hes still outside", "now"),
        ("he just pushed her down the stairs", "now"),
        ("they are dragging him out of the car", "ongoing"),
        ("a man with a bat in the road", "unmarked"),
        ("someone was hit by a car last night", "past"),
        ("he threw a brick at my car on saturday, he hit me last week and he is still here", "now"),
        ("the fire is out now, just reporting it", "past"),
        ("he used to strangle me when he was drunk, we are separated now", "past"),
        ("he hit me last night and he is here right now", "now"),
        ("he drove off with my son 5 mins ago", "now"),
        ("kids throw stones at cars every weekend", "habitual"),
        # "keep going" is the attack carrying on, not a habit; "seconds ago" is a moment ago
        ("lads kicking a dog in the park, i shouted and they keep going", "now"),
        ("a man grabbed a girl into a car literally seconds ago", "now"),
        ("kids keep throwing stones at cars", "habitual"),
        # figures of speech, questions about what counts, and what could happen one day
        ("my head is on fire with this drilling", "not real"),
        ("my blood is boiling, they have dumped another sofa", "not real"),
        ("is it an emergency if kids throw stones at cars?", "later"),
        ("is it an emergency? he is kicking the door in right now", "now"),
        ("the footbridge needs a higher fence, a kid could easily fall", "later"),
        ("if their dog got out it would go for someone", "later"),
        ("two men forced him into a car, its over money, they've gone towards the bypass", "unmarked"),
        ("the fire in the bin is out now, its over", "past"),
        ("a girl is being pulled into a flat and she keeps screaming help", "now"),
        ("my mate just posted a goodbye note on facebook with a photo of the bridge", "now"),
        ("im scared they will come back and hurt me", "later"),
        ("my back is killing me", "not real"),
        ("there is something wrong with the street lights", "unmarked"),
    ],
)
def test_time_cues(text: str, cue: str) -> None:
    assert time_cue(text) == cue


def featurized(encoder: MiniLMEncoder, text: str, ranking: list[tuple[str, float]]) -> Message:
    """A message as DangerGuard sees it: the MiniLM sentence feature and the classifier's ranking."""
    message = Message.build(text=text)
    sentence = embed(encoder, [text])[0][np.newaxis, :]
    message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, "MiniLMFeaturizer"))
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    return message


def test_the_guard_gives_danger_now_to_an_emergency_the_classifier_took_for_a_report(
    encoder: MiniLMEncoder,
) -> None:
    guard = DangerGuard.create(DangerGuard.get_default_config(), None, None, None)  # type: ignore[arg-type]
    message = featurized(
        encoder,
        "a car just drove up onto the pavement at the people waiting for the bus",
        [("report_vehicle_nuisance", 0.82), ("report_rowdy_behaviour", 0.1)],
    )
    guard.process([message])
    assert message.get("intent")["name"] == DANGER_INTENT


def test_the_guard_leaves_an_ordinary_report_alone(encoder: MiniLMEncoder) -> None:
    guard = DangerGuard.create(DangerGuard.get_default_config(), None, None, None)  # type: ignore[arg-type]
    message = featurized(
        encoder,
        "cars racing up and down our road every night",
        [("report_vehicle_nuisance", 0.82), ("report_rowdy_behaviour", 0.1)],
    )
    guard.process([message])
    assert message.get("intent")["name"] == "report_vehicle_nuisance"


def test_an_unsure_reading_with_danger_anywhere_in_it_is_acted_on(encoder: MiniLMEncoder) -> None:
    guard = DangerGuard(DangerGuard.get_default_config())
    message = featurized(
        encoder,
        "granny by the post office theyve got her bag she is on the floor",
        [("report_rowdy_behaviour", 0.3), ("report_other", 0.25), ("danger_now", 0.12)],
    )
    guard.process([message])
    assert message.get("intent")["name"] == DANGER_INTENT
