"""DangerGuard: an NLU component that makes sure present danger is classified as danger_now.

It runs on every message of a conversation (first message, any later turn, mid-form answers), after
the intent classifier and before the fallback. Three readings, any one is enough:
- the classifier reads danger first, or among its top two at >= 0.2, or anywhere at >= 0.1 when it is
  unsure what the message is and it says it is happening now (doubt leans to safety, never to "not
  sure I understood"); the weaker readings only when the time cues do not say it is past, habitual,
  a worry or not real;
- the word rules (danger_rules.py) see plain present danger;
- the meaning detector (danger_meaning.py) finds the message's sentence embedding close to an
  emergency situation (danger_situations.yml) and its time cues do not say it is over or not real.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.danger_meaning import Situations, assess, embed_situations, time_cue
from components.danger_rules import is_danger_now

DANGER_INTENT = "danger_now"
GUARD_CONFIDENCE = 0.99
GUARD_REASON_KEY = "danger_guard"
# When the classifier reads danger now among its top two, even unsure, it is acted on rather than
# turned into a "did you mean" question: a needless 999 reminder costs little, a missed one a lot.
# Chosen on the blind sets (bot/README.md): recall 100% on all of them, false alarms <= 2% on ordinary
# messages.
DANGER_FLOOR = 0.2
DANGER_TOP = 2
# When the classifier is unsure what the message is (its best reading is below the fallback's 0.5) and
# the words say it is happening now, danger anywhere in its ranking at >= 0.1 is enough: the
# alternative is a "did you mean" question.
UNSURE_BELOW = 0.5
UNSURE_DANGER_FLOOR = 0.1
# A message the classifier reads as something ordinary at >= 0.7 needs a present cue ("now", "he's
# ...ing") before the meaning detector overrules it: most ordinary first messages have no time cue.
CONFIDENT = 0.7


def sentence_embedding(message: Message) -> np.ndarray | None:
    """The message's dense sentence feature (MiniLM's embedding, computed earlier in the pipeline)."""
    for feature in message.features:
        if feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE and feature.is_dense():
            return np.asarray(feature.features, dtype=np.float32).reshape(-1)
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerGuard(GraphComponent):
    """Runs after the intent classifier, before the fallback: when the words say danger now, or the
    classifier reads danger now among its top two, the intent becomes danger_now."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [DenseFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"enabled": True, "meaning": True}

    def __init__(self, config: dict[str, Any], situations: Situations | None = None) -> None:
        self.enabled = bool(config.get("enabled", True))
        self.situations = situations

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DangerGuard:
        situations = None
        if config.get("meaning", True):
            # The pipeline's own MiniLM model (shared with MiniLMFeaturizer, loaded once per process).
            from components.minilm import shared_encoder

            encoder = shared_encoder()
            situations = embed_situations(lambda texts: np.stack([s for _, _, s in encoder.encode(texts)]))
        return cls(config, situations)

    def read_as_danger(self, message: Message) -> str | None:
        """Which reading says danger now ("classifier", "classifier unsure", "words", "meaning"), if any
        (see the module docstring)."""
        text = message.get(TEXT) or ""
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        danger = [float(r.get("confidence") or 0) for r in ranking if r.get("name") == DANGER_INTENT]
        best_other = max(
            (float(r.get("confidence") or 0) for r in ranking if r.get("name") != DANGER_INTENT), default=0.0
        )
        unsure = best_other < UNSURE_BELOW
        if ranking and ranking[0].get("name") == DANGER_INTENT:
            return "classifier"
        # A weaker reading of danger is not acted on when the words say it is over, habitual, a worry
        # about later, or not real ("my back is killing me", "a stabbing on the news").
        time = time_cue(text)
        present = time in ("now", "ongoing", "unmarked")
        if present and any(
            r.get("name") == DANGER_INTENT and float(r.get("confidence") or 0) >= DANGER_FLOOR
            for r in ranking[:DANGER_TOP]
        ):
            return "classifier"
        if time in ("now", "ongoing") and unsure and danger and danger[0] >= UNSURE_DANGER_FLOOR:
            return "classifier unsure"
        if is_danger_now(text):
            return "words"
        embedding = sentence_embedding(message)
        if (
            self.situations is None
            or embedding is None
            or embedding.shape[0] != self.situations.danger.shape[1]
        ):
            return None
        reading = assess(text, embedding, self.situations, unsure=unsure, confident=best_other >= CONFIDENT)
        return f"meaning: {reading.situation}" if reading.danger else None

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            if not self.enabled or text.startswith("/"):
                continue
            if (
                intent.get("name") == DANGER_INTENT
                and float(intent.get("confidence") or 0) >= GUARD_CONFIDENCE
            ):
                continue
            reason = self.read_as_danger(message)
            if reason:
                ranking = list(message.get(INTENT_RANKING_KEY) or [])
                # The rest keep their order but shrink, so the fallback never sees danger as a close call.
                others = [
                    {**r, "confidence": float(r.get("confidence") or 0) * (1 - GUARD_CONFIDENCE)}
                    for r in ranking
                    if r.get("name") != DANGER_INTENT
                ]
                guarded = {"name": DANGER_INTENT, "confidence": GUARD_CONFIDENCE}
                message.set(INTENT, guarded, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [guarded] + others, add_to_output=True)
                message.set(GUARD_REASON_KEY, reason, add_to_output=True)  # for the logs and bench/nlu
        return messages
