"""Words beside a street or landmark that name a place the data does not know, and county names.

"Brownhills High Street", "church street in hednesford" and "Bore Street, Birmingham" name a town outside
the area beside a street name the area also has: the street is not assumed to be the area's. A run of up
to three words counts as such a place when it is right after the street (or after "in"), or opens the text
right before it, or follows a capitalised "in" elsewhere ("in Brownhills on Church Street"); and when it is
not an everyday word (``everyday_words``: "garages", "Greggs", "the Kebab shop"), not a word of the area's
own towns, wards and landmarks nor a misspelling of one, and, when the resident uses capitals at all,
capitalised.

"Whittington, Shropshire" names a county other than the area's: outside, whatever else it names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from casework.partnership import Partnership, normalise_place_name
from casework.places.everyday_words import COUNTIES, GLUE, NATIONAL, SETTLEMENT, SHOPS_AND_PUBS, THINGS, TIMES

_JOINERS = {"upon", "on", "under", "le", "de", "the", "and"}
# Words that qualify a place name ("West Bromwich", "Great Wyrley") but are not one on their own.
_MODIFIERS = {"north", "south", "east", "west", "upper", "lower", "little", "great", "old", "new", "king"}
_EVERYDAY = GLUE | TIMES | THINGS | SETTLEMENT | SHOPS_AND_PUBS


def area_counties(p: Partnership) -> frozenset[str]:
    """The counties the partnership's own councils, police and fire service are named after."""
    ids = (p.council_agency, p.county_council_agency, p.police_agency, p.fire_agency)
    names = " ".join(p.agencies[i].name for i in ids if i and i in p.agencies)
    text = f" {normalise_place_name(names)} "
    return frozenset(county for key, county in COUNTIES.items() if f" {key} " in text)


def other_county(
    words: list[str], covered: Collection[int], own: Collection[str], street_words: Collection[str]
) -> str | None:
    """A county named in the words (not in a street or place name, not "Essex Close") that is not the
    area's own."""
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            if any(j in covered for j in range(i, i + n)) or (
                i + n < len(words) and words[i + n] in street_words
            ):
                continue
            county = COUNTIES.get(" ".join(words[i : i + n]))
            if county and county not in own:
                return county
    return None


@dataclass(frozen=True)
class Context:
    """What the resolver knows about the text and the area, for judging a run of words."""

    words: list[str]
    covered: frozenset[int]  # indexes inside a street, landmark, town or ward the data knows
    capitalised: frozenset[str]  # words the resident wrote with a capital letter
    uses_capitals: bool  # the resident writes some words with capitals and some without
    area_words: frozenset[str]  # every word of the area's own towns, wards and landmarks
    is_area_place: Callable[[list[str]], bool]  # the run is (a misspelling of) one of the area's places


def _name_like(word: str) -> bool:
    return word.isalpha() and len(word) >= 3 and word not in _EVERYDAY


def _in_run(word: str) -> bool:
    return _name_like(word) or word in _JOINERS or word in _MODIFIERS


def _is_unknown_place(run: list[str], ctx: Context, *, capitals: bool) -> bool:
    core = [w for w in run if w not in _JOINERS and w not in _MODIFIERS]
    phrase = " ".join(run)
    if not 1 <= len(core) <= 3 or phrase in NATIONAL or phrase in COUNTIES:
        return False
    if capitals and not all(w in ctx.capitalised for w in core):
        return False
    if all(w in ctx.area_words for w in core):
        return False
    return not ctx.is_area_place(run)


def _run_from(ctx: Context, i: int, street_words: Collection[str]) -> list[str]:
    """The name words from index i: none when a street type follows them ("Fulfen Close" is another
    street) or a thing does ("Methodist church", "Kebab shop"); "Walsall town centre" is still Walsall."""
    words, run = ctx.words, []
    while i < len(words) and i not in ctx.covered and _in_run(words[i]):
        run.append(words[i])
        i += 1
    while run and run[-1] in _JOINERS:
        run.pop()
        i -= 1
    if i < len(words) and words[i] not in SETTLEMENT and (words[i] in street_words or words[i] in THINGS):
        return []
    return run if run and run[0] not in _JOINERS else []


def _run_before(ctx: Context, start: int) -> list[str]:
    """The name words right before a span, when they open the text or follow "in"."""
    words, i = ctx.words, start - 1
    run: list[str] = []
    while i >= 0 and i not in ctx.covered and _in_run(words[i]) and words[i] != "in":
        run.insert(0, words[i])
        i -= 1
    while run and run[0] in _JOINERS:  # "the" of "the Burton upon Trent road"
        run.pop(0)
        i += 1
    if not run or run[-1] in _JOINERS or (i >= 0 and words[i] != "in"):
        return []
    return run


def names_unknown_place(ctx: Context, start: int, end: int, street_words: Collection[str]) -> bool:
    """True when words around the span words[start:end], or after a capitalised "in", name a place the
    data does not know (see the module docstring)."""
    words = ctx.words
    if end < len(words) and words[end] == "and":
        after: list[str] = []  # "Chorley Road and Ogley Hay": a junction with another street
    else:
        after = _run_from(ctx, end + (1 if end < len(words) and words[end] == "in" else 0), street_words)
    adjacent = (after, _run_before(ctx, start))
    if any(_is_unknown_place(run, ctx, capitals=ctx.uses_capitals) for run in adjacent if run):
        return True
    for i, word in enumerate(words):
        if word == "in" and i != end and not start <= i < end:
            run = _run_from(ctx, i + 1, street_words)
            if run and _is_unknown_place(run, ctx, capitals=True):
                return True
    return False


_CLAUSE_END = re.compile(r"\s[-\u2013\u2014]+\s|[.;:!?()]")


def names_unknown_town_after_comma(text: str, ctx: Context) -> bool:
    """True when the text ends ", Somewhere" (capitalised words) naming no place of the area: a town
    outside the area we have no data for ("Bore Street, Birmingham")."""
    if "," not in text:
        return False
    # The clause after the last comma, up to a dash or stop: "High Street, Brownhills - gangs again".
    raw = _CLAUSE_END.split(text.rsplit(",", 1)[1], maxsplit=1)[0].split()
    if not 1 <= len(raw) <= 3 or not all(re.fullmatch(r"[A-Z][a-z]+", w) or w in _JOINERS for w in raw):
        return False
    words = normalise_place_name(" ".join(raw)).split()
    if not words or any(not _name_like(w) and w not in _JOINERS and w not in _MODIFIERS for w in words):
        return False
    if " ".join(words) in NATIONAL or " ".join(words) in COUNTIES:
        return False
    return not ctx.is_area_place(words)
