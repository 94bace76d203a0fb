"""Turn residents' typed answers into the values the intake API expects.

Pure functions, no Rasa imports: answers arrive as free text (or a button's payload text) and
each parser returns a normalised value, or None when it cannot tell.
"""

from __future__ import annotations

import re

# Loose: finds something shaped like a UK postcode inside a sentence.
POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
# Strict: the UK postcode format (outward code rules + inward code letters).
POSTCODE_STRICT = re.compile(
    r"^(GIR 0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW])"
    r" [0-9][ABD-HJLNP-UW-Z]{2})$"
)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_IN_TEXT = re.compile(rf"\bASB\s*-?\s*([{REFERENCE_ALPHABET}]{{6}})\b", re.IGNORECASE)


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9' ]+", " ", text.lower()) + " "


def _has(text: str, *phrases: str) -> bool:
    padded = _words(text)
    return any(f" {p} " in padded for p in phrases)


def _contains(text: str, *fragments: str) -> bool:
    lowered = text.lower()
    return any(f in lowered for f in fragments)


def find_postcode(text: str) -> str | None:
    """Return the first valid UK postcode in the text, formatted 'WS13 6JR', or None."""
    for match in POSTCODE_IN_TEXT.finditer(text):
        candidate = f"{match.group(1).upper()} {match.group(2).upper()}"
        if POSTCODE_STRICT.match(candidate):
            return candidate
    return None


def find_reference(text: str) -> str | None:
    """Return a report reference in the canonical form 'ASB-7K3QXR', or None."""
    match = REFERENCE_IN_TEXT.search(text)
    return f"ASB-{match.group(1).upper()}" if match else None


def parse_yes_no(text: str) -> bool | None:
    """Yes -> True, no -> False, anything else -> None. Button payloads /affirm and /deny count."""
    stripped = text.strip().lower()
    if stripped.startswith("/affirm"):
        return True
    if stripped.startswith("/deny"):
        return False
    if _has(stripped, "not sure", "dont know", "don't know", "dunno", "no idea", "maybe"):
        return None
    if _has(stripped, "no", "nope", "nah", "na", "not", "never", "don't", "dont", "n", "none", "negative"):
        return False
    if _has(
        stripped,
        "yes",
        "y",
        "yeah",
        "yep",
        "yup",
        "yea",
        "ya",
        "aye",
        "ok",
        "okay",
        "sure",
        "correct",
        "it is",
        "safe",
        "definitely",
        "of course",
        "please",
    ):
        return True
    return None


def is_unsure(text: str) -> bool:
    """True when the resident says they don't know."""
    return _has(text, "not sure", "dont know", "don't know", "dunno", "no idea", "unsure", "maybe")


def parse_often(text: str) -> str | None:
    """first / few / many."""
    if _has(text, "first", "first time", "once", "1st", "just today", "never before", "one time"):
        return "first"
    if _contains(
        text,
        "many",
        "loads",
        "lots",
        "every",
        "all the time",
        "always",
        "constant",
        "daily",
        "weeks",
        "months",
        "years",
        "nightly",
        "countless",
        "too many",
    ):
        return "many"
    if _contains(text, "few", "couple", "some", "twice", "several", "2 ", "3 ", "two", "three", "again"):
        return "few"
    return None


def parse_impact(text: str) -> str | None:
    """none / some / severe."""
    if _contains(
        text,
        "badly",
        "moving",
        "move out",
        "move house",
        "can't sleep",
        "cant sleep",
        "scared",
        "terrified",
        "frightened",
        "unsafe",
        "not safe",
        "depress",
        "anxious",
        "anxiety",
        "awful",
        "horrendous",
        "severe",
        "terrible",
        "breaking point",
    ) or _has(text, "ill"):
        return "severe"
    if _has(text, "not much", "none", "no", "not really", "fine", "nothing", "not at all", "ok", "okay"):
        return "none"
    if _contains(
        text, "quite", "a lot", "some", "bit", "a little", "little", "moderate", "yes", "sleep", "stress"
    ):
        return "some"
    return None


def parse_role(text: str) -> str | None:
    """victim / witness / on_behalf."""
    if _contains(
        text,
        "someone else",
        "behalf",
        "for my",
        "for a ",
        "for someone",
        "for the",
        "for her",
        "for him",
        "for them",
        "for mum",
        "for dad",
        "my mum",
        "my dad",
        "my neighbour",
        "my mother",
        "my father",
        "my friend",
        "my gran",
    ):
        return "on_behalf"
    if _contains(text, "saw", "seen", "witness", "see it", "watched", "noticed", "passing", "someone else"):
        return "witness"
    if _contains(text, "me", "victim", "my ", "us", "we ", "mine", "our", "i am", "i'm", "im "):
        return "victim"
    return None


def parse_tenure(text: str) -> str | None:
    """owner / private_rent / social_rent / unknown."""
    if is_unsure(text):
        return "unknown"
    if _contains(
        text,
        "council",
        "housing association",
        "bromford",
        "social",
        "housing trust",
        "ha ",
        "registered provider",
        "housing plus",
        "midland heart",
        "sanctuary",
    ):
        return "social_rent"
    if _contains(text, "privat", "landlord", "letting", "agent", "rent"):
        return "private_rent"
    if _has(
        text,
        "own",
        "owns",
        "owner",
        "i own",
        "we own",
        "mortgage",
        "owned",
        "homeowner",
        "freehold",
        "leasehold",
    ):
        return "owner"
    return None


def parse_anonymous(text: str) -> bool | None:
    """True for anonymous, False for confidential."""
    if _contains(text, "anon", "no name", "don't want my name", "dont want my name", "not give my name"):
        return True
    if (
        _contains(text, "confiden", "keep my name", "private", "named", "use my name")
        or parse_yes_no(text) is True
    ):
        return False
    return None


def parse_hate_motivation(text: str) -> str:
    """Return a short motivation label; anything unrecognised is kept as typed."""
    table = (
        (
            "race",
            (
                "race",
                "racis",
                "colour",
                "skin",
                "ethnic",
                "nationality",
                "foreign",
                "polish",
                "black",
                "asian",
            ),
        ),
        (
            "religion",
            ("relig", "muslim", "jewish", "christian", "sikh", "hindu", "faith", "mosque", "church"),
        ),
        ("disability", ("disab", "wheelchair", "autis", "learning", "blind", "deaf")),
        ("sexual_orientation", ("sexual", "gay", "lesbian", "bi", "homophob", "queer")),
        ("transgender_identity", ("trans", "gender")),
    )
    lowered = text.lower()
    for label, fragments in table:
        if any(f in lowered for f in fragments):
            return label
    return text.strip()[:100] or "other"


def detect_ongoing(text: str) -> bool | None:
    """Whether a 'when' answer says it is still going on."""
    if _contains(
        text,
        "stopped",
        "over now",
        "not any more",
        "not anymore",
        "no longer",
        "finished",
        "ended",
        "not ongoing",
        "just the once",
        "only once",
    ):
        return False
    if _contains(
        text,
        "still",
        "ongoing",
        "going on",
        "right now",
        "now",
        "every",
        "keeps",
        "always",
        "all the time",
        "most nights",
        "each night",
        "daily",
        "constant",
        "yes",
    ):
        return True
    return None


HATE_WORDS = (
    "racis",
    "homophob",
    "transphob",
    "antisemit",
    "islamophob",
    "hate crime",
    "hate incident",
    "because i'm gay",
    "because im gay",
    "because i am gay",
    "because of my religion",
    "because of my disability",
    "because i'm disabled",
    "because im black",
    "because i'm black",
)


def mentions_hate(text: str) -> bool:
    """True when the words plainly describe a hate incident."""
    return _contains(text, *HATE_WORDS)


NEEDS_WORDS = {
    "mental_health": (
        "mental health",
        "depress",
        "anxiety",
        "anxious",
        "suicid",
        "panic attack",
        "breakdown",
        "ptsd",
        "bipolar",
        "self harm",
    ),
    "drugs_alcohol": (
        "drink problem",
        "drinking problem",
        "alcoholic",
        "addict",
        "my drinking",
        "drug problem",
        "my drug use",
        "recovery",
    ),
    "feeling_unsafe": (
        "unsafe",
        "not safe",
        "scared",
        "terrified",
        "frightened",
        "afraid",
        "don't feel safe",
        "dont feel safe",
    ),
    "disability": (
        "disab",
        "wheelchair",
        "autis",
        "learning difficult",
        "dementia",
        "blind",
        "deaf",
        "special needs",
        "carer",
    ),
}


def detect_needs(text: str) -> set[str]:
    """Support needs the resident mentions in passing (for signposting)."""
    lowered = text.lower()
    return {need for need, words in NEEDS_WORDS.items() if any(w in lowered for w in words)}
