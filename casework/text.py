"""Free text from outside (staff forms, APIs, imported files) made safe to store.

PostgreSQL refuses a NUL character in text columns (a server error, and the whole transaction lost), and
other control characters are never meant and can hide text on a page. `clean_text` removes them (keeping
tab and line breaks) before anything is stored; `TextTooLong` says which field is too long.
"""

from __future__ import annotations

import re

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
