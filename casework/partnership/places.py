"""The place index: match a resident's free text to a postcode, street, landmark, town or ward.

Built once per partnership from its gazetteer (``Partnership.resolve_place`` uses it).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casework.partnership.place_words import (
    COMMON_WORD_PLACES,
    DISTRICT_RE,
    POSTCODE_RE,
    SECTOR_RE,
    STREET_SUFFIXES,
    _contains_phrase,
    _norm,
    _street_variants,
    said_as_place,
)

if TYPE_CHECKING:
    from casework.partnership.loader import Partnership


@dataclass(frozen=True)
class PlaceMatch:
    """Where a resident's description of a place resolved to.

    ``resolved`` is true when a ward was found. ``place_key`` is the normalised street, landmark, postcode
    or town used to link duplicates and count repeat locations; ``precision`` says which of those it is
    (``postcode``, ``street``, ``landmark``, ``town``, ``ward``, ``sector``, ``district``) so a caller can
    decide how far to trust it.
    """

    resolved: bool = False
    ward: str | None = None
    place_key: str | None = None
    postcode: str | None = None
    town: str | None = None
    precision: str | None = None
    # How it was placed (postcode, street+town, street, landmark, fuzzy, polygon, town, sector, ward) and how
    # sure that is (0-1); the candidate towns when a street exists in several; the point when known.
    method: str | None = None
    confidence: float = 0.0
    candidates: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None

    @property
    def in_area(self) -> bool:
        """In the partnership's area: a ward, or at least one of its towns or villages ("Curborough Road,
        Lichfield" when the street is not in the gazetteer), or a street of the area in several towns (the
        candidates). District duties can be routed on this."""
        return self.ward is not None or self.town is not None or bool(self.candidates)


def _gazetteer_match(
    ward: str | None, place_key: str | None, postcode: str | None, town: str | None, precision: str | None
) -> PlaceMatch:
    """A gazetteer resolution, saying it was made by what matched and how sure that is."""
    return PlaceMatch(
        resolved=ward is not None,
        ward=ward,
        place_key=place_key,
        postcode=postcode,
        town=town,
        precision=precision,
        method=precision,
        confidence=_GAZETTEER_CONFIDENCE.get(precision or "", 0.0) if (ward or town) else 0.0,
    )


@dataclass(frozen=True)
class _Entry:
    phrase: tuple[str, ...]
    kind: str  # street | landmark | town | ward
    key: str  # canonical normalised name (the place_key)
    ward: str | None
    town: str | None
    qualifier: tuple[str, ...] = ()  # "High Street (Chasetown)": the text must also say "Chasetown"


# How sure a gazetteer match is, by what it matched.
_GAZETTEER_CONFIDENCE = {
    "postcode": 0.8,
    "street": 0.8,
    "landmark": 0.8,
    "town": 0.6,
    "ward": 0.7,
    "sector": 0.6,
    "district": 0.4,
}
_NO_QUALIFIER: tuple[str, ...] = ()
# Earlier kinds win when several match; within a kind, the longer phrase wins.
_KIND_RANK = {"street": 0, "landmark": 0, "town": 1, "ward": 2}


@dataclass
class _PostcodeArea:
    """What a postcode, sector or district in the text says, and the text without it."""

    rest: str  # upper-cased, codes removed
    plain: str  # as written, a full postcode removed
    postcode: str | None = None
    sector_ward: str | None = None
    district_ward: str | None = None
    town: str | None = None


class _PlaceIndex:
    """Indexes a partnership's gazetteer for matching free text."""

    def __init__(self, p: Partnership) -> None:
        self.p = p
        self.entries: list[_Entry] = []
        towns = {_norm(name): name for name in p.gazetteer.towns}
        for name, ward in p.gazetteer.streets.items():
            self._add("street", name, ward, None, variants=True)
        for name, ward in p.gazetteer.landmarks.items():
            self._add("landmark", name, ward, None, variants=True)
        for name, town_ward in p.gazetteer.towns.items():
            self._add("town", name, town_ward, name, variants=False)
        by_key = {e.key: e for e in self.entries if e.kind in ("street", "landmark")}
        for alias, target in p.gazetteer.aliases.items():
            found = by_key.get(_norm(target))
            if found is not None:
                for v in _street_variants(_norm(alias)):
                    phrase = tuple(v.split())
                    self.entries.append(_Entry(phrase, found.kind, found.key, found.ward, found.town))
        for w in p.wards:
            self._add("ward", w.name, w.name, w.town, variants=False)
        self.towns = towns
        self.sectors = {k.upper(): v for k, v in p.gazetteer.postcode_sectors.items()}
        self.districts = {k.upper(): v for k, v in p.gazetteer.postcode_districts.items()}

    def _add(self, kind: str, name: str, ward: str | None, town: str | None, *, variants: bool) -> None:
        key = _norm(name)
        if not key:
            return
        qualified = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", name)
        base, qualifier = key, _NO_QUALIFIER
        if qualified:
            base, qualifier = _norm(qualified.group(1)), tuple(_norm(qualified.group(2)).split())
        canonical_ward = self.p.canonical_ward(ward)
        town = town or self._town_of(canonical_ward)
        for v in _street_variants(base) if variants else {base}:
            self.entries.append(_Entry(tuple(v.split()), kind, key, canonical_ward, town, qualifier))

    def _town_of(self, ward: str | None) -> str | None:
        found = self.p.ward(ward)
        return found.town if found else None

    def _area(self, value: str | None) -> tuple[str | None, str | None]:
        """A district/sector value is a ward or a town name: (ward, town)."""
        if not value:
            return None, None
        ward = self.p.canonical_ward(value)
        if ward:
            return ward, self._town_of(ward)
        town_key = _norm(value)
        if town_key in self.towns:
            town_name = self.towns[town_key]
            return self.p.canonical_ward(self.p.gazetteer.towns[town_name]), town_name
        return None, value

    def _exact(self, words: list[str], capitalised: set[str]) -> list[tuple[int, int, _Entry]]:
        found = []
        for entry in self.entries:
            n = len(entry.phrase)
            small = n == 1 and entry.phrase[0] in COMMON_WORD_PLACES and entry.phrase[0] not in capitalised
            if entry.qualifier and not _contains_phrase(words, list(entry.qualifier)):
                continue
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) == entry.phrase and not (small and not said_as_place(words, i)):
                    found.append((i, n, entry))
        return found

    def _fuzzy(self, words: list[str], covered: set[int]) -> list[tuple[int, int, _Entry]]:
        """Near matches (a letter or two wrong) in words not already matched exactly."""
        found = []
        for entry in self.entries:
            phrase = " ".join(entry.phrase)
            n = len(entry.phrase)
            if len(phrase) < 6 or (n == 1 and phrase in COMMON_WORD_PLACES):
                continue
            if entry.qualifier and not _contains_phrase(words, list(entry.qualifier)):
                continue
            cutoff = 0.84 if len(phrase) >= 8 else 0.83
            for i in range(len(words) - n + 1):
                if covered.intersection(range(i, i + n)):
                    continue
                candidate = " ".join(words[i : i + n])
                matcher = difflib.SequenceMatcher(None, phrase, candidate)
                if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
                    if matcher.ratio() >= cutoff:
                        found.append((i, n, entry))
        return found

    @staticmethod
    def _best(
        found: list[tuple[int, int, _Entry]], kinds: set[str], outside: tuple[int, int] | None = None
    ) -> tuple[int, int, _Entry] | None:
        """The best match of these kinds, ignoring any inside the span (start, length) already used."""
        candidates = [f for f in found if f[2].kind in kinds]
        if outside is not None:
            start, length = outside
            candidates = [f for f in candidates if f[0] + f[1] <= start or f[0] >= start + length]
        if not candidates:
            return None
        candidates.sort(key=lambda f: (_KIND_RANK[f[2].kind], -f[1], f[0]))
        return candidates[0]

    def resolve(self, text: str) -> PlaceMatch:
        """Place free text: its postcode (or sector or district), the best street or landmark named, and the
        best town or ward named outside it."""
        area = self._postcode_area(text)
        specific, general = self._named_places(area.rest, area.plain)
        return self._combine(area, specific, general)

    def _postcode_area(self, text: str) -> _PostcodeArea:
        """A full postcode with its sector's ward and district's town; without one, a known sector and
        district written on their own ("WS7 1", "WS7")."""
        upper = text.upper()
        area = _PostcodeArea(rest=upper, plain=text)
        pc = POSTCODE_RE.search(upper)
        if pc:
            outward, inward = pc.group(1), pc.group(2)
            area.postcode = f"{outward} {inward}"
            area.sector_ward, area.town = self._area(self.sectors.get(f"{outward} {inward[0]}"))
            area.district_ward, district_town = self._area(self.districts.get(outward))
            area.town = area.town or district_town
            area.rest = upper[: pc.start()] + " " + upper[pc.end() :]
            area.plain = text[: pc.start()] + " " + text[pc.end() :]
            return area
        for m in SECTOR_RE.finditer(upper):
            sector = f"{m.group(1)} {m.group(2)}"
            if sector in self.sectors:
                area.sector_ward, area.town = self._area(self.sectors[sector])
                area.rest = upper[: m.start()] + " " + upper[m.end() :]
                break
        for m in DISTRICT_RE.finditer(area.rest):
            if m.group(1) in self.districts:
                area.district_ward, district_town = self._area(self.districts[m.group(1)])
                area.town = area.town or district_town
                break
        return area

    def _named_places(self, rest: str, plain: str) -> tuple[_Entry | None, _Entry | None]:
        """The best street or landmark named, and the best town or ward named outside it."""
        capitalised = {w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", plain)}
        words = _norm(rest).split()
        found = self._exact(words, capitalised)
        if not self._best(found, {"street", "landmark"}):
            covered = {i for start, n, _ in found for i in range(start, start + n)}
            found += self._fuzzy(words, covered)
        best_specific = self._best(found, {"street", "landmark"})
        span = (best_specific[0], best_specific[1]) if best_specific else None
        best_general = self._best(found, {"town", "ward"}, outside=span)
        specific = best_specific[2] if best_specific else None
        general = best_general[2] if best_general else None
        if specific is None and general is None and len(words) <= 4:
            specific = self._bare_street(words)
        return specific, general

    def _combine(self, area: _PostcodeArea, specific: _Entry | None, general: _Entry | None) -> PlaceMatch:
        """One answer from the postcode area and the places named: a postcode's sector gives the ward, a
        street or landmark the place key, and the coarser clues fill what is still missing."""
        postcode, ward, town = area.postcode, None, area.town
        place_key = precision = None
        if postcode and area.sector_ward:
            ward, precision = area.sector_ward, "postcode"
        if specific:
            ward = ward or specific.ward
            place_key = specific.key
            town = town or specific.town
            precision = precision or specific.kind
            # A town named alongside a street ("Bore Street, Lichfield") names the town only if it agrees.
            if general and general.kind == "town" and general.ward in (None, ward):
                town = general.town
        elif general:
            ward = ward or general.ward
            town = (general.town if general.kind == "town" else None) or town or general.town
            if not postcode:
                place_key = general.key
            precision = precision or general.kind
        if postcode:
            place_key = place_key or postcode.lower()
            precision = precision or "postcode"
        if ward is None and area.sector_ward:
            ward, precision = area.sector_ward, precision or "sector"
        if ward is None and area.district_ward:
            ward, precision = area.district_ward, precision or "district"
        if town is None and ward:
            town = self._town_of(ward)
        if precision is None and town:
            precision = "district"
        return _gazetteer_match(ward, place_key, postcode, town, precision)

    def _bare_street(self, words: list[str]) -> _Entry | None:
        """A street named without its 'street'/'road' word ("bore" alone), only when unambiguous."""
        core = [w for w in words if not re.fullmatch(r"\d+[a-z]?", w)]
        if not core:
            return None
        hits = {
            e.key: e
            for e in self.entries
            if e.kind == "street"
            and len(e.phrase) >= 2
            and e.phrase[-1] in STREET_SUFFIXES
            and list(e.phrase[:-1]) == core
        }
        return next(iter(hits.values())) if len(hits) == 1 else None
