"""The words of places: how names and postcodes are normalised and compared, street-type words and their
short forms, and place names that are also everyday words."""

from __future__ import annotations

import re
import string

POSTCODE_RE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b")
SECTOR_RE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s+([0-9])\b")
DISTRICT_RE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\b")
SECTOR_KEY_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]$")
DISTRICT_KEY_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")

# Street-type words and the short forms residents type.
STREET_SUFFIXES: dict[str, tuple[str, ...]] = {
    "street": ("st", "str"),
    "road": ("rd",),
    "lane": ("ln",),
    "avenue": ("ave", "av"),
    "close": ("cl",),
    "drive": ("dr", "drv"),
    "crescent": ("cres", "cresc"),
    "gardens": ("gdns", "gdn"),
    "grove": ("gr", "gro"),
    "place": ("pl",),
    "square": ("sq",),
    "terrace": ("terr", "ter"),
    "court": ("ct",),
    "parade": ("pde",),
    "way": ("wy",),
    "walk": ("wlk",),
    "park": ("pk",),
}
_PUNCT = str.maketrans({c: " " for c in string.punctuation if c not in "'&"})


def _norm(text: str) -> str:
    """Lower-case, drop possessives and punctuation, '&' → 'and', 'saint' → 'st', single spaces."""
    lowered = text.lower().replace("\u2019", "'").replace("&", " and ")
    lowered = re.sub(r"'s\b", "", lowered).replace("'", "")
    words = lowered.translate(_PUNCT).split()
    return " ".join("st" if w == "saint" else w for w in words)


def normalise_place_name(text: str) -> str:
    """The normalised form places are compared in ("St. John's St" → "st john st")."""
    return _norm(text)


def normalise_postcode(text: str | None) -> str | None:
    """A full UK postcode in standard form ("ws136lj" → "WS13 6LJ"), or None when it is not one."""
    if not text:
        return None
    match = POSTCODE_RE.fullmatch(text.strip().upper().replace("  ", " "))
    if not match:
        match = POSTCODE_RE.fullmatch(re.sub(r"\s+", "", text.upper()))
    return f"{match.group(1)} {match.group(2)}" if match else None


def _contains_phrase(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _street_variants(key: str) -> set[str]:
    words = key.split()
    variants = {key}
    if len(words) >= 2 and words[-1] in STREET_SUFFIXES:
        for short in STREET_SUFFIXES[words[-1]]:
            variants.add(" ".join([*words[:-1], short]))
    if len(words) >= 2 and words[0] == "the":
        variants |= {v.removeprefix("the ") for v in variants}
    return variants


# Place names that are also everyday words: matched only when written with a capital letter ("Wall").
COMMON_WORD_PLACES = frozenset(
    {
        "wall",
        "hints",
        "green",
        "park",
        "central",
        "marsh",
        "street",
        "moor",
        "heath",
        "cross",
        "bank",
        "bridge",
        "castle",
        "church",
        "common",
        "field",
        "hill",
        "lane",
        "mill",
        "road",
        "wood",
        "end",
    }
)

# ... unless the words around it say it is a place, as residents who text without capitals write: "hints
# village", "the lane into hints", "rubble tipped in hints" (a preposition right before it).
VILLAGE_WORDS = frozenset({"village", "hamlet"})
PLACE_PREPOSITIONS = frozenset("into in at near nr to from through outside towards toward".split())
_NOT_A_PLACE_AFTER = frozenset(
    {"of", *STREET_SUFFIXES, *(s for shorts in STREET_SUFFIXES.values() for s in shorts)}
)


def said_as_place(words: list[str], i: int) -> bool:
    """An everyday word written small (words[i]) is still the place when "village" follows it, or when a
    preposition comes right before it and neither "of" nor a street word after ("into hints"; not "the
    wall", "in wall of", "at green lane")."""
    after = words[i + 1] if i + 1 < len(words) else ""
    if after in VILLAGE_WORDS:
        return True
    return i > 0 and words[i - 1] in PLACE_PREPOSITIONS and after not in _NOT_A_PLACE_AFTER
