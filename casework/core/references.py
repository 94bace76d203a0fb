"""Report references: short, unambiguous, easy to read aloud and to type on a phone ("ASB-7K3QXR").

The alphabet leaves out 0/O, 1/I/L so a reference read over the phone or copied from a text cannot be
mistyped into another one; 31^6 (about 887 million) references make collisions rare, and a collision is
retried against the database.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.models import Report

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "ASB-"
LENGTH = 6
_BODY = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


class ReferenceExhausted(Exception):
    """No free reference was found after several attempts (would mean the space is nearly full)."""


def new_reference() -> str:
    """A random reference such as ASB-7K3QXR (not checked against the database)."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def parse_reference(text: str | None) -> str | None:
    """The canonical reference in `text` (lower case, spaces, missing dash all accepted), or None."""
    if not text:
        return None
    compact = re.sub(r"[\s\-_.]", "", str(text)).upper()
    if compact.startswith("ASB"):
        compact = compact[3:]
    if not _BODY.match(compact):
        return None
    return PREFIX + compact


def allocate_reference(session: Session, *, attempts: int = 8) -> str:
    """A reference not yet used by any report."""
    for _ in range(attempts):
        candidate = new_reference()
        if session.scalar(select(Report.id).where(Report.reference == candidate)) is None:
            return candidate
    raise ReferenceExhausted(f"no free reference after {attempts} attempts")
