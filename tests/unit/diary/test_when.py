"""When it happened, read from a resident's words in UK time (GMT in winter, BST in summer)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from casework.diary import parse_when

WINTER = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # Wednesday, GMT
SUMMER = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)  # Wednesday, BST (UTC+1)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("again last night about 2am", datetime(2026, 11, 18, 2, 0, tzinfo=UTC)),
        ("ASB-7KQ2MX again last night at 11.30pm", datetime(2026, 11, 17, 23, 30, tzinfo=UTC)),
        ("last night", datetime(2026, 11, 17, 23, 0, tzinfo=UTC)),
        ("yesterday at 11pm", datetime(2026, 11, 17, 23, 0, tzinfo=UTC)),
        ("on Friday at 9pm", datetime(2026, 11, 13, 21, 0, tzinfo=UTC)),
        ("3 hours ago", datetime(2026, 11, 18, 7, 0, tzinfo=UTC)),
        ("this morning", datetime(2026, 11, 18, 9, 0, tzinfo=UTC)),
        ("12 November 10.30pm", datetime(2026, 11, 12, 22, 30, tzinfo=UTC)),
        ("it's happening again", WINTER),
        ("again now", WINTER),
        ("music at 23:15", datetime(2026, 11, 17, 23, 15, tzinfo=UTC)),  # later than now: yesterday
    ],
)
def test_winter_times(words: str, expected: datetime) -> None:
    assert parse_when(words, WINTER) == expected


def test_summer_time_is_read_in_bst() -> None:
    assert parse_when("again last night 2am", SUMMER) == datetime(2026, 7, 15, 1, 0, tzinfo=UTC)


def test_nothing_recognisable_is_none_and_nothing_is_in_the_future() -> None:
    assert parse_when("loud music and shouting", WINTER) is None
    assert parse_when("", WINTER) is None
    assert parse_when("tonight", WINTER) == WINTER
    assert parse_when("25:99", WINTER) is None
