"""Danger now, learned: the trained model recognises emergencies worded in ways it was never shown, reads
a long message sentence by sentence, and lets what is past, pretend, a worry or a figure of speech be.

The model is the one `bot/train.sh` keeps inside models/current.tar.gz (bot/test.sh trains before it
runs these tests). None of the messages below is in the training data or the corpus.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import pytest
from components.danger_guard import DANGER_INTENT, MODEL_LIKELY, MODEL_PRESENT, MODEL_VETO, DangerGuard
from components.danger_meaning import embed_situations
from components.danger_model import CORPUS_FILE, DangerModel, fit, load_corpus, sentences
from components.minilm import MiniLMEncoder, shared_encoder
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

MODEL = Path(__file__).resolve().parents[2] / "models" / "current.tar.gz"


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    return shared_encoder()


def embed(encoder: MiniLMEncoder, texts: list[str]) -> np.ndarray:
    return np.stack([sentence for _, _, sentence in encoder.encode(texts)])


@pytest.fixture(scope="module")
def trained() -> DangerModel:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run bot/train.sh first")
    with tarfile.open(MODEL) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/danger_model.npz"))
        data = tar.extractfile(member)
        assert data is not None
        return DangerModel.load(data.read())


def test_the_corpus_covers_every_emergency_in_the_issue_and_every_kind_of_lookalike() -> None:
    rows = load_corpus(CORPUS_FILE)
    danger = {group for _, is_danger, group in rows if is_danger}
    lookalikes = {group for _, is_danger, group in rows if not is_danger}
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
        "several sentences",
        "sms shorthand and misspellings",
    ):
        assert kind in danger, kind
    assert {"past event", "figure of speech", "news film or game", "worry or question"} <= lookalikes
    assert sum(d for _, d, _ in rows) >= 500 and sum(not d for _, d, _ in rows) >= 500


def test_a_fitted_model_keeps_its_readings_when_saved_and_loaded(encoder: MiniLMEncoder) -> None:
    rows = load_corpus(CORPUS_FILE)[::40]  # a small slice: this is about saving, not about accuracy
    texts = [t for t, _, _ in rows]
    vectors = embed(encoder, texts)
    model = fit(texts, vectors, [d for _, d, _ in rows], embed_situations(lambda t: embed(encoder, t)))
    again = DangerModel.load(model.save())
    assert np.allclose(model.probability(texts, vectors), again.probability(texts, vectors))


# Worded without the corpus's phrasings: other places, other verbs, text-speak, understatement.
EMERGENCIES = [
    "2 lads r kicking fk out of a guy by the taxi rank",
    "somebody's just put a blade to the shopkeeper's neck at the londis",
    "my grandad's on the floor in the hallway and the burglar is still upstairs",
    "the block of garages behind us is well alight and its next to the gas meter",
    "a woman's being shoved into the back of a transit on beacon street and shes kicking",
    "some idiot is ramming his car into people queuing for the club",
    "lads on the footbridge dropping paving slabs on the a5",
    "my flatmate swallowed a whole strip of pills and she's gone floppy",
    "a tiny kid is paddling on his own at the weir",
    "the man at 14 is laying into his greyhound with a rake",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_an_emergency_worded_a_new_way_is_danger(
    trained: DangerModel, encoder: MiniLMEncoder, text: str
) -> None:
    probability, _ = trained.read(text, embed(encoder, [text])[0], lambda t: embed(encoder, t))
    assert probability >= MODEL_LIKELY, probability


LOOKALIKES = [
    "2 lads kicked the hell out of a bus shelter on the high street at the weekend",
    "the drummer in the flat above is murdering my evenings",
    "we binged a series about a man who kidnaps his neighbour, couldnt sleep",
    "im worried my lad will get jumped walking back from football",
    pytest.param(
        "my flatmate keeps leaving her pills all over the kitchen",
        marks=pytest.mark.xfail(strict=True, reason="known false alarm of the model on its own (bot/README)"),
    ),
    "kids paddling in the fountain in the market square again",
]


@pytest.mark.parametrize("text", LOOKALIKES)
def test_past_pretend_worries_and_nuisance_are_not_danger(
    trained: DangerModel, encoder: MiniLMEncoder, text: str
) -> None:
    probability, _ = trained.read(text, embed(encoder, [text])[0], lambda t: embed(encoder, t))
    assert probability < MODEL_LIKELY, probability


def test_danger_in_the_third_sentence_of_a_long_message_is_read_on_its_own(
    trained: DangerModel, encoder: MiniLMEncoder
) -> None:
    text = (
        "Hello, I have been meaning to report the parking on our road for weeks. The vans block the path. "
        "Right now there is a man on the pavement outside stabbing another man."
    )
    assert len(sentences(text)) == 3
    probability, where = trained.read(text, embed(encoder, [text])[0], lambda t: embed(encoder, t))
    assert probability >= MODEL_LIKELY and where == "sentence 3"


def message(encoder: MiniLMEncoder, text: str, ranking: list[tuple[str, float]]) -> Message:
    """A message as DangerGuard sees it: the MiniLM sentence feature and the classifier's ranking."""
    built = Message.build(text=text)
    built.add_features(Features(embed(encoder, [text]), FEATURE_TYPE_SENTENCE, TEXT, "MiniLMFeaturizer"))
    built.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    built.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    return built


@pytest.fixture(scope="module")
def guard(trained: DangerModel, encoder: MiniLMEncoder) -> DangerGuard:
    situations = embed_situations(lambda t: embed(encoder, t))
    return DangerGuard(
        DangerGuard.get_default_config(), situations, trained, encode=lambda t: embed(encoder, t)
    )


def test_the_guard_gives_danger_now_to_an_emergency_the_classifier_took_for_a_report(
    guard: DangerGuard, encoder: MiniLMEncoder
) -> None:
    read = message(
        encoder,
        "a lad is chucking lumps of concrete off the railway bridge onto the cars",
        [("report_rowdy_behaviour", 0.55), ("report_criminal_damage", 0.2)],
    )
    guard.process([read])
    assert read.get("intent")["name"] == DANGER_INTENT
    assert read.get("danger_guard").startswith("model")


def test_the_guard_overrules_a_reading_of_danger_in_news_of_a_past_stabbing(
    guard: DangerGuard, encoder: MiniLMEncoder
) -> None:
    read = message(
        encoder,
        "saw on the local facebook group that a lad got stabbed in the park last month",
        [("danger_now", 0.62), ("out_of_scope", 0.2), ("report_rowdy_behaviour", 0.1)],
    )
    guard.process([read])
    assert read.get("intent")["name"] == "out_of_scope"
    assert read.get("danger_guard").startswith("not danger")
    assert guard.reading(read)[1] < MODEL_VETO  # type: ignore[operator]


def test_help_alone_is_always_danger(guard: DangerGuard, encoder: MiniLMEncoder) -> None:
    read = message(encoder, "help", [("greet", 0.4), ("ask_human", 0.3)])
    guard.process([read])
    assert read.get("intent")["name"] == DANGER_INTENT


class _FixedProbability:
    """A learned model that reads every message at one probability (the rule around it is under test)."""

    def __init__(self, probability: float, width: int = 384) -> None:
        self.probability, self.situations = probability, np.zeros((1, width), dtype=np.float32)

    def read(self, text: str, embedding: np.ndarray, encode: object = None) -> tuple[float, str]:
        return self.probability, "whole"


@pytest.mark.parametrize(
    ("text", "acted_on"),
    [
        ("lads on quad bikes going after a woman and her dog across the field", True),
        ("lads on quad bikes went after a woman and her dog across the field last week", False),
    ],
)
def test_a_middling_reading_is_acted_on_unless_the_words_say_it_is_over(
    encoder: MiniLMEncoder, text: str, acted_on: bool
) -> None:
    """Doubt leans to safety: at MODEL_PRESENT the guard gives the 999 guidance even over a confident
    classifier, unless the words say it is past (then the classifier's report stands)."""
    guard = DangerGuard({"meaning": False}, None, _FixedProbability(MODEL_PRESENT))  # type: ignore[arg-type]
    read = message(encoder, text, [("report_vehicle_nuisance", 0.9), ("danger_now", 0.02)])
    guard.process([read])
    assert (read.get("intent")["name"] == DANGER_INTENT) is acted_on


def test_rasa_retrains_the_guard_when_only_its_corpus_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa's training cache keys a component on its config and the training data: the corpus and the cue
    code are the guard's own inputs, so they go into its fingerprint, or a changed corpus is never learned."""
    from components import danger_guard

    copies = []
    for path in danger_guard.FINGERPRINT_FILES:
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(danger_guard, "FINGERPRINT_FILES", copies)
    before = DangerGuard.fingerprint_addon({})
    assert DangerGuard.fingerprint_addon({}) == before
    corpus = tmp_path / "danger_corpus.yml"
    corpus.write_text(corpus.read_text(encoding="utf-8") + "    - a new line\n", encoding="utf-8")
    assert DangerGuard.fingerprint_addon({}) != before
