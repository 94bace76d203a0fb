"""Input from outside (staff forms, APIs, imported files) checked or made safe before it reaches the database.

- `clean_text`: PostgreSQL refuses a NUL character in text (a server error, the transaction lost), and other
  control characters are never meant and can hide text on a page: they are removed (tab and line breaks
  kept). The web edge applies it to every form and query-string value; JSON intake applies it per field.
- `bounded_text`: cleaned text, or TextTooLong naming the field and its limit (VARCHAR columns).
- `parse_id`: a database id from text, or None when it cannot be one (not a number, or beyond the
  integer range PostgreSQL stores), so a lookup answers "not found" instead of failing.
- `parse_day`: an ISO date within MIN_YEAR..MAX_YEAR, or InvalidDay saying what to send, so date
  arithmetic (the day after `to`) can never overflow.
"""

from __future__ import annotations

import re
from datetime import date

MAX_DB_ID = 2**31 - 1  # PostgreSQL integer; ids are never larger
MIN_YEAR, MAX_YEAR = 1900, 2999

# C0 controls except tab, line feed and carriage return; DEL; and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class TextTooLong(ValueError):
    """A field is longer than can be stored; the message names it and its limit."""


def clean_text(value: str | None) -> str:
    """The text without NUL and other control characters (tab and line breaks kept)."""
    return _CONTROL.sub("", value or "")


def bounded_text(value: str | None, *, field: str, limit: int) -> str:
    """Cleaned, stripped text; raises TextTooLong naming the field when it is over `limit` characters."""
    text = clean_text(value).strip()
    if len(text) > limit:
        raise TextTooLong(f"{field}: at most {limit} characters (this was {len(text)})")
    return text


def parse_id(value: object) -> int | None:
    """A positive database id, or None for anything that cannot be one."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_DB_ID else None


class InvalidDay(ValueError):
    """A date that is unreadable or outside the years the service handles; the message says which."""


def parse_day(name: str, value: str | None) -> date | None:
    """An ISO date (2026-11-18) between MIN_YEAR and MAX_YEAR, None when empty; raises InvalidDay."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidDay(f"{name}: use a date like 2026-11-18") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidDay(f"{name}: use a date between the years {MIN_YEAR} and {MAX_YEAR}")
    return day
