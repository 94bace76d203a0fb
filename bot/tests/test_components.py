"""The NLU components that are ours: MiniLM embeddings understand paraphrase, and features line up with tokens."""

from __future__ import annotations

import numpy as np
import pytest
from components.minilm import MiniLMEncoder, model_dir, token_vectors
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    return MiniLMEncoder(model_dir())


def embed(encoder: MiniLMEncoder, *texts: str) -> np.ndarray:
    return np.stack([sentence for _, _, sentence in encoder.encode(list(texts))])


def test_the_same_complaint_in_other_words_is_close_and_a_different_one_is_not(
    encoder: MiniLMEncoder,
) -> None:
    # A wrongly loaded model gives near-random similarities; the real one knows these mean the same.
    bikes, mopeds, music = embed(
        encoder,
        "teenagers on motorbikes racing around the estate",
        "yobs on mopeds wheelying round the estate all nite",
        "my neighbour plays loud music every night",
    )
    assert float(bikes @ mopeds) > float(bikes @ music) + 0.2
    assert float(np.linalg.norm(bikes)) == pytest.approx(1.0, abs=1e-4)


def test_every_token_gets_the_vector_of_its_own_word_pieces(encoder: MiniLMEncoder) -> None:
    text = "Graffiti sprayed on Bore St, WS13 6JR!!"
    message = Message.build(text=text)
    tokens = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).tokenize(message, "text")
    pieces, offsets, _ = encoder.encode([text])[0]
    vectors = token_vectors(tokens, pieces, offsets)
    assert vectors.shape == (len(tokens), 384)
    assert all(np.abs(row).sum() > 0 for row in vectors), "a token was left without a vector"


def test_a_long_message_is_cut_to_the_model_length_not_refused(encoder: MiniLMEncoder) -> None:
    pieces, _, sentence = encoder.encode(["noise " * 400])[0]
    assert len(pieces) <= encoder.max_length and sentence.shape == (384,)
