"""Danger now, learned from examples (no Rasa imports, so it is easy to test).

The word rules (danger_rules.py) and the situation descriptions (danger_meaning.py) know what they were
told. This model is a small classifier fitted at training time on whole messages: the training data's
danger_now examples against every other intent, plus a corpus written for it (danger_corpus.yml:
emergencies of every kind in the issue, worded as residents write, and lookalikes: past events, things
that are over, habitual nuisance, worries and questions, news, films and games, figures of speech,
danger words without danger) and the development sets' messages (danger_corpus_dev.yml). Its features:

- the MiniLM sentence embedding (the pipeline's own, computed once by components/minilm.py);
- the time and reality cues of danger_meaning.py (said to be now, ongoing, past, habitual, a worry, not
  real; a question), and which of the word rules of danger_rules.py match (a weapon held, a fire
  burning, a break-in, an attack, a threat to kill, a hoax or a game);
- how close the message is to each group of situation descriptions (danger_situations.yml);
- how close it is to its nearest training examples of danger now and of everything else (the mean of
  the NEIGHBOURS closest of each; the examples' embeddings are kept with the model, as float16).

The classifier is an average of a few small neural networks (one hidden layer of 64, fixed seeds, so
training is deterministic; on the corpus they separated danger from lookalikes better than a logistic
regression, AUC 0.956 against 0.923 in 5-fold cross-validation). Only their weights are kept (numpy
arrays); reading a message is a few matrix products, about a millisecond. A message of several
sentences is read whole and sentence by sentence, and the most dangerous reading counts, so danger in
the third sentence of a long message is not diluted by the two before it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from components import danger_rules
from components.danger_meaning import (
    CONTINUOUS,
    FRAMING,
    HABITUAL,
    LATER,
    NOT_REAL,
    NOW,
    PAST,
    Situations,
    time_cue,
)

CORPUS_FILE = Path(__file__).with_name("danger_corpus.yml")
# The development sets' messages (copied from bot/tests/, where bench/nlu prints them as development figures).
DEVELOPMENT_FILE = Path(__file__).with_name("danger_corpus_dev.yml")
VERSION = 3
# The embedding's 384 numbers are small (the vector has length 1); scaled, they weigh as much as the cues.
EMBEDDING_SCALE = 5.0
SIMILARITY_SCALE = 3.0
NEIGHBOURS = 3
# A training example is not its own neighbour (nor an exact copy of itself elsewhere in the data).
SAME_TEXT = 0.9999
TIME_CUES = ("now", "ongoing", "unmarked", "past", "habitual", "later", "not real")
_QUESTION = re.compile(r"^\s*(what|who|how|is|can|should|do|does|could|would|why|when|where|will)\b", re.I)
# Sentences: split after . ! ? ; or at a line break; a piece needs three words to be read on its own.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n+")
MIN_SENTENCE_WORDS = 3
_RULES = (
    danger_rules.WEAPON,
    danger_rules.THREAT_TO_KILL,
    danger_rules.FIRE_NOW,
    danger_rules.BREAK_IN,
    danger_rules.ATTACK,
    danger_rules.ATTACK_UNDER_WAY,
    danger_rules.NOT_REAL,
)


def load_corpus(*paths: Path) -> list[tuple[str, bool, str]]:
    """(text, danger now?, group) for every line of the corpus files (default: the corpus and the
    development sets' messages)."""
    rows = []
    for path in paths or (CORPUS_FILE, DEVELOPMENT_FILE):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = [
            (str(text), side == "danger", str(group))
            for side in ("danger", "lookalikes")
            for group, texts in (data.get(side) or {}).items()
            for text in texts or []
        ]
        if not any(d for _, d, _ in found) or all(d for _, d, _ in found):
            raise ValueError(f"{path}: needs both 'danger' and 'lookalikes' examples")
        rows += found
    return rows


def sentences(text: str) -> list[str]:
    """The message's sentences when it has more than one worth reading alone, else []."""
    pieces = [p.strip() for p in _SENTENCE_BREAK.split(text) if len(p.split()) >= MIN_SENTENCE_WORDS]
    return pieces if len(pieces) > 1 else []


def cue_features(text: str) -> np.ndarray:
    """What the words say about when and whether it is real (one-hot time cue, then each cue's flag)."""
    cue = time_cue(text)
    flags = [cue == c for c in TIME_CUES]
    flags += [bool(p.search(text)) for p in (NOW, CONTINUOUS, PAST, HABITUAL, LATER, NOT_REAL, FRAMING)]
    flags += [text.strip().endswith("?"), bool(_QUESTION.match(text))]
    flags += [bool(p.search(text)) for p in _RULES] + [danger_rules.is_danger_now(text)]
    return np.asarray(flags, dtype=np.float32)


Layers = list[tuple[np.ndarray, np.ndarray]]


def _forward(layers: Layers, x: np.ndarray) -> np.ndarray:
    """A network's danger probability: ReLU between layers, logistic at the end."""
    for i, (weights, bias) in enumerate(layers):
        x = x @ weights + bias
        if i < len(layers) - 1:
            x = np.maximum(x, 0.0)
    return 1.0 / (1.0 + np.exp(-np.clip(x[:, 0], -30, 30)))


@dataclass
class DangerModel:
    """The fitted model: situation rows by group, and the ensemble's layers."""

    situations: np.ndarray  # one L2-normalised row per situation description
    groups: np.ndarray  # the group index of each row
    examples: np.ndarray  # the training examples' embeddings (float16)
    labels: np.ndarray  # danger now? for each example
    members: list[Layers] = field(default_factory=list)

    def neighbours(self, vectors: np.ndarray, *, training: bool = False) -> np.ndarray:
        """Mean closeness of the nearest danger examples, of the nearest others, and the difference."""
        closeness = vectors @ self.examples.astype(np.float32).T
        if training:
            closeness[closeness > SAME_TEXT] = -1.0
        danger = np.sort(np.where(self.labels[np.newaxis, :], closeness, -1.0), axis=1)[:, -NEIGHBOURS:]
        other = np.sort(np.where(~self.labels[np.newaxis, :], closeness, -1.0), axis=1)[:, -NEIGHBOURS:]
        near, far = danger.mean(axis=1), other.mean(axis=1)
        return np.stack([near, far, near - far], axis=1)

    def features(self, texts: Sequence[str], embeddings: np.ndarray, *, training: bool = False) -> np.ndarray:
        vectors = np.asarray(embeddings, dtype=np.float32).reshape(len(texts), -1)
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        closeness = vectors @ self.situations.T
        near = np.stack(
            [closeness[:, self.groups == g].max(axis=1) for g in range(int(self.groups.max()) + 1)], axis=1
        )
        cues = np.stack([cue_features(t) for t in texts])
        examples = self.neighbours(vectors, training=training)
        parts = [vectors * EMBEDDING_SCALE, cues, near * SIMILARITY_SCALE, examples * EMBEDDING_SCALE]
        return np.hstack(parts).astype(np.float32)

    def probability(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Each text's probability of being danger now (the ensemble's mean)."""
        x = self.features(texts, embeddings)
        return np.mean([_forward(layers, x) for layers in self.members], axis=0)

    def read(
        self, text: str, embedding: np.ndarray, encode: Callable[[list[str]], np.ndarray] | None = None
    ) -> tuple[float, str]:
        """The message's probability, and which part gave it ("whole" or "sentence N"). With encode (the
        pipeline's MiniLM model), a message of several sentences is also read one sentence at a time,
        unless it says it is not real (a film, a game, a figure of speech)."""
        best, where = float(self.probability([text], embedding[np.newaxis, :])[0]), "whole"
        parts = sentences(text) if encode is not None else []
        if parts and time_cue(text) != "not real":
            assert encode is not None
            for i, p in enumerate(self.probability(parts, encode(parts)), start=1):
                if float(p) > best:
                    best, where = float(p), f"sentence {i}"
        return best, where

    # --- persistence: plain arrays in one .npz (no pickled code) -------------------------------------
    def save(self) -> bytes:
        arrays: dict[str, np.ndarray] = {
            "version": np.asarray(VERSION),
            "situations": self.situations,
            "groups": self.groups,
            "examples": self.examples,
            "labels": self.labels,
            "members": np.asarray([len(layers) for layers in self.members]),
        }
        for m, layers in enumerate(self.members):
            for i, (weights, bias) in enumerate(layers):
                arrays[f"m{m}_w{i}"], arrays[f"m{m}_b{i}"] = weights, bias
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def load(cls, data: bytes) -> DangerModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            if int(npz["version"]) != VERSION:
                raise ValueError(f"danger model version {int(npz['version'])}, expected {VERSION}: retrain")
            members = [
                [(npz[f"m{m}_w{i}"], npz[f"m{m}_b{i}"]) for i in range(int(n))]
                for m, n in enumerate(npz["members"])
            ]
            return cls(npz["situations"], npz["groups"], npz["examples"], npz["labels"], members)


def situation_rows(situations: Situations) -> tuple[np.ndarray, np.ndarray]:
    """All description rows (danger, then lookalikes) and a group index for each."""
    names = [f"danger: {n}" for n in situations.danger_names]
    names += [f"lookalike: {n}" for n in situations.lookalike_names]
    order = list(dict.fromkeys(names))
    rows = np.vstack([situations.danger, situations.lookalikes]).astype(np.float32)
    return rows, np.asarray([order.index(n) for n in names])


# How the ensemble is fitted. Chosen by 5-fold cross-validation on the corpus and checked on the
# development sets (bot/README.md, "Danger now, learned").
SEEDS = (0, 1, 2)
HIDDEN = 64
ALPHA = 0.1


def fit(
    texts: Sequence[str], embeddings: np.ndarray, labels: Sequence[bool], situations: Situations
) -> DangerModel:
    """Fit the ensemble (training time only: scikit-learn is imported here, never when reading)."""
    from sklearn.neural_network import MLPClassifier

    rows, groups = situation_rows(situations)
    y = np.asarray(labels, dtype=bool)
    vectors = np.asarray(embeddings, dtype=np.float32)
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    model = DangerModel(rows, groups, vectors.astype(np.float16), y)
    x = model.features(texts, vectors, training=True)
    for seed in SEEDS:
        net = MLPClassifier((HIDDEN,), alpha=ALPHA, max_iter=2000, random_state=seed).fit(x, y)
        layers = zip(net.coefs_, net.intercepts_, strict=True)
        model.members.append([(w.astype(np.float32), b.astype(np.float32)) for w, b in layers])
    return model
