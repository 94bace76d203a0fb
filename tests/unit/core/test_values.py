"""One yes/no reading for the inbox filters and Open311 attributes; one ISO timestamp for JSON."""

from datetime import UTC, datetime

import pytest

from casework.core.values import isoformat, yes_no


@pytest.mark.parametrize(
    ("word", "answer"), [("Yes", True), ("y", True), ("on", True), ("NO", False), ("", None)]
)
def test_yes_no_words(word: str, answer: bool | None) -> None:
    assert yes_no(word) is answer


def test_anything_else_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError):
        yes_no("maybe")


def test_timestamps_keep_their_offset() -> None:
    assert isoformat(datetime(2026, 11, 18, 10, tzinfo=UTC)) == "2026-11-18T10:00:00+00:00"
    assert isoformat(None) is None
