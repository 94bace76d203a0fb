"""When it happened, from a resident's words ("again last night about 2am"), in UK time.

The time of day ("2am", "11.30pm", "23:15", "midnight") and the day ("last night", "tonight",
"yesterday", "on Friday", "3 hours ago", "27 November") are found separately: residents run them
together with other words. The day phrase is read by ``dateparser`` relative to now in Europe/London;
"last night" with a small-hours time means the early hours of today. A time never lies in the future:
a time of day later than now is taken as yesterday's. Nothing recognisable gives None (staff still see
the resident's words and when the entry was reported).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

LONDON = ZoneInfo("Europe/London")

_NOW = re.compile(r"\b(right now|just now|now|at the moment|happening again|still going|ongoing)\b")
_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b|\b(\d{1,2})[:.](\d{2})\b")
_NAMED_TIME = {"midnight": time(0, 0), "midday": time(12, 0), "noon": time(12, 0)}
_PART_OF_DAY = {
    "this morning": (0, time(9, 0)),
    "this afternoon": (0, time(15, 0)),
    "this evening": (0, time(19, 0)),
    "tonight": (0, None),
    "today": (0, None),
    "last night": (1, time(23, 0)),
    "yesterday": (1, time(12, 0)),
}
_DAY_PHRASE = re.compile(
    r"\b(\d+\s+(?:minutes?|mins?|hours?|hrs?|days?)\s+ago"
    r"|(?:on\s+)?(?:last\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b"
)


def _clock_time(words: str) -> time | None:
    for name, value in _NAMED_TIME.items():
        if re.search(rf"\b{name}\b", words):
            return value
    m = _CLOCK.search(words)
    if m is None:
        return None
    if m.group(3):
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        hour = hour % 12 + (12 if m.group(3) == "pm" else 0)
    else:
        hour, minute = int(m.group(4)), int(m.group(5))
        if hour > 23 or minute > 59:
            return None
    return time(hour, minute)


def _day_from_phrase(words: str, local_now: datetime) -> tuple[datetime, bool] | None:
    """The day (or instant, for "3 hours ago") a phrase names, read by dateparser; (when, exact)."""
    m = _DAY_PHRASE.search(words)
    if m is None:
        return None
    phrase = m.group(1).removeprefix("on ").replace("last ", "")
    parsed = dateparser.parse(
        phrase,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "DATE_ORDER": "DMY",
        },
    )
    if parsed is None:
        return None
    return parsed.replace(tzinfo=LONDON), phrase.endswith("ago")


def _at(day: datetime, clock: time) -> datetime:
    return datetime.combine(day.date(), clock, tzinfo=LONDON)


def parse_when(text: str, now: datetime) -> datetime | None:
    """When the words say it happened (UTC), or None; never later than ``now``."""
    words = " ".join(text.lower().split())
    if not words:
        return None
    local_now = now.astimezone(LONDON)
    clock = _clock_time(words)
    found: datetime | None = None
    for phrase, (days_back, default) in _PART_OF_DAY.items():
        if phrase in words:
            day = local_now - timedelta(days=days_back)
            if clock is not None:
                # "Last night at 2am" is the small hours of today.
                if phrase == "last night" and clock < time(12, 0):
                    day = local_now
                found = _at(day, clock)
            else:
                found = _at(day, default) if default else local_now
            break
    if found is None:
        day_phrase = _day_from_phrase(words, local_now)
        if day_phrase is not None:
            when, exact = day_phrase
            found = when if exact or clock is None else _at(when, clock)
    if found is None and clock is not None:
        found = _at(local_now, clock)
        if found > local_now:
            found -= timedelta(days=1)
    if found is None and _NOW.search(words):
        found = local_now
    if found is None:
        return None
    return min(found.astimezone(UTC), now.astimezone(UTC))
