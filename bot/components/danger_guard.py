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


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerGuard(GraphComponent):
    """Runs after DIET: when the words say danger now, the intent becomes danger_now."""

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
            already_sure = (
                intent.get("name") == DANGER_INTENT and (intent.get("confidence") or 0) >= GUARD_CONFIDENCE
            )
            if not already_sure and is_danger_now(text):
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != DANGER_INTENT]
                guarded = {"name": DANGER_INTENT, "confidence": GUARD_CONFIDENCE}
                message.set(INTENT, guarded, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [guarded] + ranking, add_to_output=True)
        return messages
