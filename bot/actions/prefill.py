"""Facts a resident has already given in their own words, so the form does not ask them again.

Pure functions, no Rasa imports. "kids keep setting fire to the bins behind the flats on Netherstowe,
happened again last night" already says when (last night), how often (again, keep) and where
(Netherstowe): the form should ask none of those. Each finder returns None when the words do not say,
and then the form asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .parsing import detect_ongoing, find_postcode

_WEEKDAY = r"(?:mon|tues|tue|wednes|wed|thurs|thur|fri|satur|sat|sun)(?:day)?"
_CLOCK = r"\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)|midnight|midday"
WHEN_PHRASES = re.compile(
    rf"""\b(
        last\ night|tonight|this\ (?:morning|afternoon|evening|week|weekend)|yesterday(?:\ \w+ing)?|today
        |right\ now|at\ the\ moment|atm|as\ we\ speak|still\ going(?:\ on)?
        |every\ (?:night|day|evening|morning|weekend|week|{_WEEKDAY})|most\ (?:nights|days|evenings|weekends)
        |all\ (?:night|day|weekend)(?:\ long)?|day\ and\ night|night\ after\ night
        |since\ (?:last\ \w+|{_WEEKDAY}|january|february|march|april|may|june|july|august|september
            |october|november|december|christmas|the\ summer|\d{{1,2}}(?:st|nd|rd|th)?)
        |for\ (?:weeks|months|years|ages|days|a\ (?:week|month|year)|\w+\ (?:weeks|months|years))
        |(?:on\ |last\ |this\ )?{_WEEKDAY}(?:\ (?:night|morning|afternoon|evening))?
        |last\ (?:week|weekend|month)|(?:till|until|til|from|at|around|about)\ (?:{_CLOCK})|{_CLOCK}
        |(?:an?|one|two|three|\d+)\ (?:hours?|days?|weeks?)\ ago|earlier(?:\ today)?
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)

_MANY = re.compile(
    r"\b(every\s+(night|day|evening|morning|weekend|week)|most\s+(nights|days|weekends)|all the time|"
    r"constantly|constant|always|night after night|for (weeks|months|years|ages)|keeps?|keep on|"
    r"again and again|non ?stop|daily|nightly)\b",
    re.IGNORECASE,
)
_FEW = re.compile(r"\b(again|twice|a few times|couple of times|second time|third time)\b", re.IGNORECASE)
_FIRST = re.compile(r"\b(first time|never (happened )?before|just (the )?once)\b", re.IGNORECASE)

_FIRST_PERSON = re.compile(r"\b(me|my|us|our|we|i'?m|i am|mine|i've|ive|im)\b", re.IGNORECASE)
_NEAR_HOME = re.compile(r"\b(next door|upstairs|downstairs|neighbou?rs?|across the road)\b", re.IGNORECASE)
_WITNESS = re.compile(
    r"\b(i saw|i've seen|ive seen|i seen|just seen|i noticed|walking past|driving past|walked past|"
    r"drove past|witnessed)\b",
    re.IGNORECASE,
)
_ON_BEHALF = re.compile(
    r"\b(on behalf of|for my (mum|mom|dad|nan|gran|grandad|grandma|neighbour|friend|sister|brother|"
    r"son|daughter|mother|father|aunt|uncle)|my (elderly|disabled|vulnerable) \w+)\b",
    re.IGNORECASE,
)

# "... on Netherstowe", "outside 12 Curborough Road, Lichfield last night"
_STOP = r"(?:on|in|at|near|outside|behind|by|off|the|a|and|of|to|from|last|every|night|this|is|are|was)"
_NAME_WORD = rf"(?!{_STOP}\b)[a-z']+"
_STREET = re.compile(
    rf"\b((?:\d{{1,4}}[a-z]?\s+)?(?:{_NAME_WORD}\s+){{0,2}}{_NAME_WORD}\s+"
    r"(?:road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|crescent|court|place|grove|gardens|"
    r"terrace|walk|row|hill|green|square|parade|estate))\b((?:\s*,\s*|\s+in\s+|\s+)[a-z]+(?:\s+[a-z]+)?)?",
    re.IGNORECASE,
)


def _street_phrases(text: str) -> list[str]:
    """Street names with the words after them that may be the town, longest first."""
    phrases: list[str] = []
    for match in _STREET.finditer(text):
        street = re.sub(r"^\d{1,4}[a-z]?\s+", "", match.group(1).strip())
        after = (match.group(2) or "").strip(" ,")
        after = re.sub(r"^in\s+", "", after, flags=re.IGNORECASE)
        words = after.split()
        if len(words) == 2:
            phrases.append(f"{street}, {words[0]} {words[1]}")
        if words:
            phrases.append(f"{street}, {words[0]}")
        phrases.append(street)
    return phrases


def when_said(text: str) -> str | None:
    """The time words in a story ("last night, 2am"), or None when it does not say when."""
    found: list[str] = []
    for match in WHEN_PHRASES.finditer(text):
        phrase = match.group(1).strip()
        if phrase.lower() not in (f.lower() for f in found):
            found.append(phrase)
    return ", ".join(found)[:120] if found else None


def how_often(text: str) -> str | None:
    """first / few / many, when the words say it (the risk screen's "often")."""
    if _FIRST.search(text):
        return "first"
    if _MANY.search(text):
        return "many"
    if _FEW.search(text):
        return "few"
    return None


def role_said(text: str, type_class: str) -> str | None:
    """victim / witness / on_behalf when the story says who it is happening to, else None."""
    if _ON_BEHALF.search(text):
        return "on_behalf"
    if _WITNESS.search(text) and not re.search(r"\b(at|to|outside|my) (me|us|my|our)\b", text, re.I):
        return "witness"
    if type_class != "environmental" and (_FIRST_PERSON.search(text) or _NEAR_HOME.search(text)):
        return "victim"
    return None


def place_candidates(text: str, entities: Iterable[Mapping[str, Any]] = ()) -> list[str]:
    """Phrases in a story that may name the place, most specific first (for the place resolver)."""
    candidates: list[str] = []
    postcode = find_postcode(text)
    if postcode:
        candidates.append(postcode)
    candidates += _street_phrases(text)
    for entity in entities:
        if entity.get("entity") in ("place", "postcode") and entity.get("value"):
            candidates.append(str(entity["value"]))
    unique: list[str] = []
    for candidate in candidates:
        if candidate.lower() not in (u.lower() for u in unique):
            unique.append(candidate)
    return unique[:6]


def facts_from_story(text: str, type_class: str) -> dict[str, Any]:
    """The form's slots a story already answers (never the place: that needs the resolver)."""
    facts: dict[str, Any] = {}
    when = when_said(text)
    if when:
        facts["occurred"] = when
        ongoing = detect_ongoing(when)
        if ongoing is not None:
            facts["ongoing"] = ongoing
    often = how_often(text)
    if often:
        facts["risk_often"] = often
    role = role_said(text, type_class)
    if role:
        facts["reporter_role"] = role
    return facts
