"""Matching words of a resident's text against place names: exact phrases, near misses, capitals."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from casework.partnership import said_as_place
from casework.places.index import SUFFIXES

POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b")
FUZZY_STREET, FUZZY_TOWN = 86, 84
# A word beside a street this like one of the area's places is a misspelling of it, not a town outside:
# "Stonal" (Stonnall) is; "Brownhills" (78 against Bonehill) and "Streetly" (82, Streethay) are not.
AREA_PLACE_LIKENESS = 84
# One-word names that are also everyday words: a place only when written with a capital letter.
COMMON_WORDS = {"wall", "hints", "green", "park", "central", "marsh", "moor", "heath", "cross", "bank", "end"}
STREET_WORDS = {w for long, short in SUFFIXES.items() for w in (long, *short)} | {"hill", "park", "green"}


@dataclass(frozen=True)
class Span:
    start: int
    length: int
    key: str
    score: float = 100.0

    @property
    def end(self) -> int:
        return self.start + self.length

    def overlaps(self, other: Span | None) -> bool:
        return other is not None and self.start < other.end and other.start < self.end


def spans(words: list[str], phrases: dict[str, str], capitalised: set[str]) -> list[Span]:
    found = []
    for n in range(min(6, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i : i + n])
            if phrase not in phrases:
                continue
            small = n == 1 and phrase in COMMON_WORDS and phrase not in capitalised
            if small and not said_as_place(words, i):
                continue
            found.append(Span(i, n, phrases[phrase]))
    return sorted(found, key=lambda s: (-s.length, s.start))


def fuzzy(words: list[str], keys: list[str], cutoff: int, avoid: list[Span]) -> Span | None:
    best: Span | None = None
    for n in range(min(4, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            candidate = Span(i, n, "")
            if any(candidate.overlaps(a) for a in avoid):
                continue
            phrase = " ".join(words[i : i + n])
            if len(phrase) < 6:
                continue
            hits = process.extract(phrase, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3)
            # Equal scores: fewer edits wins, a swap counting as one ("Truor" is Truro, not Tudor).
            hit = max(hits, key=lambda h: (h[1], -OSA.distance(phrase, h[0])), default=None)
            if hit and (best is None or hit[1] > best.score):
                best = Span(i, n, hit[0], hit[1])
    return best


def names_a_street(words: list[str], span: Span, street: Span | None) -> bool:
    """ "Wigginton Road" names a road, not Wigginton: a town word followed by a street word, unless a
    street we know starts there ("Chorley Green Lane" is Green Lane in Chorley)."""
    followed = span.end < len(words) and words[span.end] in STREET_WORDS
    return followed and not (street is not None and street.start == span.end)


def a_letter_out(said: str, name: str) -> bool:
    """One letter wrong, missing, extra or swapped after the first ("Hnits", "Wal", "Cilton"); "Streetly"
    (two from Streethay) is another place."""
    if len(said) < 3 or len(name) < 4 or said[0] != name[0] or abs(len(said) - len(name)) > 1:
        return False
    return OSA.distance(said, name, score_cutoff=1) <= 1


def uses_capitals(text: str) -> bool:
    """True when some words are written with a capital letter and some without."""
    initials = [w[0] for w in re.findall(r"[A-Za-z]+", text)]
    return any(c.isupper() for c in initials) and any(c.islower() for c in initials)


def capitalised_words(text: str) -> set[str]:
    """The words written with a capital letter, lower-cased ("Wall" is the village, "wall" a wall)."""
    return {w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", text)}
