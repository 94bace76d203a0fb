"""Small value conversions every door shares: yes/no answers and timestamps in JSON."""

from __future__ import annotations

from datetime import datetime

YES = frozenset({"yes", "true", "1", "y", "on"})
NO = frozenset({"no", "false", "0", "n", "off"})


def yes_no(value: str | None) -> bool | None:
    """True or False from a yes/no word, None when blank; ValueError for anything else."""
    if value is None or not value.strip():
        return None
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(f"not a yes or no: {value!r}")


def isoformat(when: datetime | None) -> str | None:
    """A timestamp as ISO 8601 with its offset (the staff API, subject access files), None when unset."""
    return when.isoformat() if when is not None else None
