"""Resolve a resident's description of a place against the official data (and the hand-written file).

Order: a full postcode; a street, with its town when given ("Main Street, Stonnall"); a landmark or local
name from the partnership file, or a named feature; a town; a ward; a partial postcode. Misspellings are
matched with rapidfuzz. A street in several towns with no town given is not placed: the answer lists the
candidate towns so the assistant can ask which. A town or postcode outside the area is never placed inside.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from casework.partnership import PlaceMatch, normalise_place_name
from casework.places.index import SUFFIXES, Named, OfficialPlaces

POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b")
SECTOR = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s+([0-9])\b")
DISTRICT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\b")
FUZZY_STREET, FUZZY_TOWN = 86, 86
# One-word names that are also everyday words: a place only when written with a capital letter.
COMMON_WORDS = {"wall", "hints", "green", "park", "central", "marsh", "moor", "heath", "cross", "bank", "end"}


# Words that describe where, not a town: "Bore Street, Near The Shops" is not a town outside the area.
_NOT_PLACES = {
    "near",
    "by",
    "outside",
    "opposite",
    "behind",
    "next",
    "the",
    "shops",
    "shop",
    "park",
    "flats",
    "estate",
    "centre",
    "center",
    "city",
    "town",
    "village",
    "corner",
    "end",
    "top",
    "bottom",
}
_JOINERS = {"upon", "on", "under", "in", "le", "de"}
_STREET_WORDS = {w for long, short in SUFFIXES.items() for w in (long, *short)} | {"hill", "park", "green"}


@dataclass(frozen=True)
class _Span:
    start: int
    length: int
    key: str
    score: float = 100.0

    def overlaps(self, other: _Span | None) -> bool:
        return (
            other is not None
            and self.start < other.start + other.length
            and other.start < self.start + self.length
        )


def _spans(words: list[str], phrases: dict[str, str], capitalised: set[str]) -> list[_Span]:
    found = []
    for n in range(min(6, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i : i + n])
            if phrase in phrases and not (n == 1 and phrase in COMMON_WORDS and phrase not in capitalised):
                found.append(_Span(i, n, phrases[phrase]))
    return sorted(found, key=lambda s: (-s.length, s.start))


def _fuzzy(words: list[str], keys: list[str], cutoff: int, avoid: list[_Span]) -> _Span | None:
    best: _Span | None = None
    for n in range(min(4, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            candidate = _Span(i, n, "")
            if any(candidate.overlaps(a) for a in avoid):
                continue
            phrase = " ".join(words[i : i + n])
            if len(phrase) < 6:
                continue
            hit = process.extractOne(phrase, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit and (best is None or hit[1] > best.score):
                best = _Span(i, n, hit[0], hit[1])
    return best


class Resolver:
    """Resolves text with one partnership's official data and its hand-written landmarks and aliases."""

    def __init__(self, places: OfficialPlaces) -> None:
        self.places = places
        p = places.partnership
        self.landmarks: dict[str, tuple[str, str | None]] = {}  # phrase -> (place key, ward)
        for name, landmark_ward in p.gazetteer.landmarks.items():
            key = normalise_place_name(name)
            self.landmarks[key] = (key, p.canonical_ward(landmark_ward))
        for alias, target in p.gazetteer.aliases.items():
            key = normalise_place_name(target)
            alias_ward = self.landmarks.get(key, (key, None))[1] or self._street_ward(key)
            self.landmarks[normalise_place_name(alias)] = (key, alias_ward)
        for key, feature in places.features.items():
            self.landmarks.setdefault(key, (key, feature.ward))
        self.town_phrases = {k: k for k in places.towns}
        self.town_phrases.update(
            {normalise_place_name(t): normalise_place_name(t) for t in p.gazetteer.towns}
        )
        self.ward_phrases = {
            normalise_place_name(n): n for n in {*places.ward_names.values(), *(w.name for w in p.wards)}
        }
        self.street_keys = list(places.streets)

    def _street_ward(self, key: str) -> str | None:
        wards = {s.ward for s in self.places.streets.get(key, [])}
        return next(iter(wards)) if len(wards) == 1 else None

    def resolve(self, text: str) -> PlaceMatch:
        """Where the text places the report, how it was placed and how sure that is."""
        upper = text.upper()
        pc = POSTCODE.search(upper)
        postcode = f"{pc.group(1)} {pc.group(2)}" if pc else None
        rest = text if not pc else text[: pc.start()] + " " + text[pc.end() :]
        capitalised = {w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", rest)}
        words = normalise_place_name(rest).split()
        street = next(iter(_spans(words, self.places.street_phrases, capitalised)), None)
        landmark = next((s for s in _spans(words, self._landmark_phrases(), capitalised)), None)
        if landmark and street and street.overlaps(landmark) and landmark.length >= street.length:
            street = None
        towns = [s for s in _spans(words, self.town_phrases, capitalised) if not s.overlaps(street)]
        # "Wigginton Road" names a road, not Wigginton: a town word followed by a street word is not a town.
        towns = [
            s
            for s in towns
            if s.start + s.length >= len(words) or words[s.start + s.length] not in _STREET_WORDS
        ]
        fuzzy = False
        if street is None and landmark is None:
            street = _fuzzy(
                words, self.street_keys, FUZZY_STREET, [t for t in towns if not self._outside_town(t.key)]
            )
            fuzzy = street is not None
            towns = [t for t in towns if not t.overlaps(street)]
        outside = next((s for s in towns if self._outside_town(s.key)), None)
        town = next((s for s in towns if s is not outside), outside)
        if town is None:
            town = _fuzzy(words, list(self.town_phrases), FUZZY_TOWN, [s for s in (street, landmark) if s])
            if (
                town
                and town.start + town.length < len(words)
                and words[town.start + town.length] in _STREET_WORDS
            ):
                town = None  # "Wigginton Road" (a road we do not know) is not Wigginton
        if postcode:
            found = self._postcode(postcode, street, town)
            if found is not None:
                return found
        if outside is not None and (
            street is None or not self._in_town(self.places.streets[street.key], outside.key)
        ):
            return PlaceMatch(method="town", confidence=0.9, postcode=postcode)
        if town is None and (street or landmark) and self._unknown_place_named(rest):
            return PlaceMatch(method="town", confidence=0.6, postcode=postcode)  # "Bore Street, Birmingham"
        if street is not None:
            return self._street(street, town, fuzzy=fuzzy)
        if landmark is not None:
            key, ward = self.landmarks[" ".join(words[landmark.start : landmark.start + landmark.length])]
            return self._placed(ward, key, "landmark", 0.9, town=None)
        return self._general(words, town, upper, postcode)

    def _unknown_place_named(self, text: str) -> bool:
        """True when the text ends ", Somewhere" (capitalised words) naming no place of the area: a town
        outside the area we have no data for, so a street of the same name here is not assumed."""
        if "," not in text:
            return False
        tail = text.rsplit(",", 1)[1].strip()
        raw = tail.split()
        if not 1 <= len(raw) <= 3 or not all(re.fullmatch(r"[A-Z][a-z]+", w) or w in _JOINERS for w in raw):
            return False
        words = normalise_place_name(tail).split()
        if not words or set(words) & _NOT_PLACES:
            return False
        known = {
            **self.town_phrases,
            **self._landmark_phrases(),
            **self.ward_phrases,
            **self.places.street_phrases,
        }
        if _spans(words, known, set(words)):
            return False
        return _fuzzy(words, list(self.town_phrases), FUZZY_TOWN, []) is None

    def _landmark_phrases(self) -> dict[str, str]:
        return {phrase: phrase for phrase in self.landmarks}

    def _outside_town(self, key: str) -> bool:
        known = self.places.towns.get(key)
        return (
            known is not None
            and not known.in_area
            and key not in {normalise_place_name(t) for t in self.places.partnership.gazetteer.towns}
        )

    def _postcode(self, postcode: str, street: _Span | None, town: _Span | None) -> PlaceMatch | None:
        found = self.places.postcodes.get(postcode)
        if found is None:
            if street is None and town is None:
                return PlaceMatch(postcode=postcode, method="postcode", confidence=0.9)  # not the area's
            return None
        key = street.key if street and self._street_ward(street.key) == found.ward else postcode.lower()
        town_name = self._town_of(found.ward, found.lat, found.lon)
        return PlaceMatch(
            resolved=found.ward is not None,
            ward=found.ward,
            place_key=key,
            postcode=postcode,
            town=town_name,
            precision="postcode",
            method="postcode",
            confidence=0.85 if found.terminated else 0.97,
            latitude=found.lat,
            longitude=found.lon,
        )

    def _town_of(self, ward: str | None, lat: float, lon: float) -> str | None:
        near = self.places.nearest_street(lat, lon, within_m=1500)
        if near and near.town:
            return near.town
        w = self.places.partnership.ward(ward)
        return w.town if w else None

    def _street(self, span: _Span, town: _Span | None, *, fuzzy: bool) -> PlaceMatch:
        candidates = self.places.streets[span.key]
        method, confidence = ("fuzzy", round(0.8 * span.score / 100, 2)) if fuzzy else ("street", 0.9)
        if town is not None:
            in_town = self._in_town(candidates, town.key)
            if not in_town:
                return self._town(town.key, None)  # a street we do not know in a town we do
            candidates = in_town
            method = "fuzzy" if fuzzy else "street+town"
            confidence = 0.95 if not fuzzy else confidence
        wards = {c.ward for c in candidates}
        if len(wards) == 1:
            chosen = candidates[0]
            towns = {c.town for c in candidates}
            return self._placed(
                chosen.ward,
                span.key,
                method,
                confidence,
                town=chosen.town if len(towns) == 1 else None,
                point=(chosen.lat, chosen.lon) if len(candidates) == 1 else None,
            )
        options = tuple(sorted({c.town or c.ward or "" for c in candidates}))
        # Not placed: the street's name (for the question) and the towns to choose from; no precision, so
        # the name is never used to link reports in different towns.
        return PlaceMatch(
            place_key=span.key,
            town=None,
            precision=None,
            method=method,
            confidence=round(1 / len(options), 2),
            candidates=options,
            resolved=False,
        )

    def _in_town(self, candidates: list[Named], town_key: str) -> list[Named]:
        named = [c for c in candidates if c.town and normalise_place_name(c.town) == town_key]
        if named:
            return named
        wards = self.places.town_wards.get(town_key, set())
        by_ward = [c for c in candidates if c.ward in wards]
        if by_ward:
            return by_ward
        centre = self.places.towns.get(town_key)
        if centre is None:
            return []
        from casework.places.geo import metres_between

        return [c for c in candidates if metres_between(c.lat, c.lon, centre.lat, centre.lon) < 2500]

    def _placed(
        self,
        ward: str | None,
        key: str | None,
        method: str,
        confidence: float,
        *,
        town: str | None,
        point: tuple[float, float] | None = None,
    ) -> PlaceMatch:
        w = self.places.partnership.ward(ward)
        precision = {"street+town": "street", "fuzzy": "street"}.get(method, method)
        return PlaceMatch(
            resolved=ward is not None,
            ward=ward,
            place_key=key,
            town=town or (w.town if w else None),
            precision=precision,
            method=method,
            confidence=confidence if ward else 0.0,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
        )

    def _town(self, key: str, postcode: str | None) -> PlaceMatch:
        known = self.places.towns.get(key)
        gazetteer_name = next(
            (t for t in self.places.partnership.gazetteer.towns if normalise_place_name(t) == key), None
        )
        name = gazetteer_name or (known.name if known else key.title())
        ward = self.places.town_ward(name)
        return PlaceMatch(
            resolved=ward is not None,
            ward=ward,
            place_key=None if postcode else key,
            postcode=postcode,
            town=name,
            precision="town",
            method="town",
            confidence=0.7 if ward else 0.5,
        )

    def _general(self, words: list[str], town: _Span | None, upper: str, postcode: str | None) -> PlaceMatch:
        if town is not None:
            return self._town(town.key, postcode)
        ward = next(iter(_spans(words, self.ward_phrases, set())), None)
        if ward is not None:
            name = self.ward_phrases[ward.key]
            return self._placed(name, normalise_place_name(name), "ward", 0.7, town=None)
        return self._partial_postcode(upper)

    def _partial_postcode(self, upper: str) -> PlaceMatch:
        for m in SECTOR.finditer(upper):
            counts = self.places.sectors.get(f"{m.group(1)} {m.group(2)}")
            if not counts and m.group(1) in self.places.districts:
                # Every live postcode of the area is loaded: a sector with none of them is not ours.
                return PlaceMatch(method="sector", confidence=0.7)
            if counts:
                ward, n = counts.most_common(1)[0]
                share = n / sum(counts.values())
                return self._placed(ward, None, "sector", round(0.7 * share, 2), town=None)
        for m in DISTRICT.finditer(upper):
            counts = self.places.districts.get(m.group(1))
            if counts:
                ward, n = counts.most_common(1)[0]
                if n == sum(counts.values()):
                    return self._placed(ward, None, "district", 0.5, town=None)
                return PlaceMatch(
                    town=self._district_town(m.group(1), counts),
                    precision="district",
                    method="district",
                    confidence=0.3,
                )
        return PlaceMatch()

    def _district_town(self, district: str, counts: Counter[str]) -> str:
        """The town a whole postcode district names: the file's when it says, else its commonest ward's."""
        p = self.places.partnership
        by_hand = p.gazetteer.postcode_districts.get(district)
        ward = p.ward(by_hand) if by_hand else None
        if by_hand:
            return (ward.town if ward else None) or by_hand
        towns = [found.town for name, _ in counts.most_common() if (found := p.ward(name)) and found.town]
        return towns[0] if towns else district
