"""Resolve a resident's description of a place against the official data (and the hand-written file).

Order: a full postcode; a street, with its town when given ("Main Street, Stonnall"); a landmark or local
name from the partnership file, or a named feature (also by its words: "Samuel Johnson hospital"); a town;
a ward; a partial postcode. Misspellings are matched with rapidfuzz. A street in several towns with no town
given is not placed: the answer lists the candidate towns so the assistant can ask which.

A place outside the area is never placed inside. Outside means: a postcode, sector or district that is not
(only) the area's; a town outside the area, even misspelt ("Church Street, Tamwroth"), unless a town of the
area is named too ("Hopwas, Tamworth": Tamworth is the postal town); a county other than the area's
("Whittington, Shropshire"); or a place the data does not know right beside a street or landmark
("Brownhills High Street", "Station Road in Aldridge", "Bore Street, Birmingham"; see ``qualifiers``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from casework.partnership import PlaceMatch, normalise_place_name
from casework.places.geo import metres_between
from casework.places.index import Named, OfficialPlaces
from casework.places.landmarks import Landmark, LandmarkWords
from casework.places.matching import (
    AREA_PLACE_LIKENESS,
    FUZZY_STREET,
    FUZZY_TOWN,
    POSTCODE,
    STREET_WORDS,
    Span,
    a_letter_out,
    capitalised_words,
    fuzzy,
    names_a_street,
    spans,
    uses_capitals,
)
from casework.places.postcodes import full_postcode, partial_postcode, placed
from casework.places.qualifiers import (
    Context,
    area_counties,
    names_unknown_place,
    names_unknown_town_after_comma,
    other_county,
)


@dataclass
class _Reading:
    """What the text names: its words and the street, landmark and towns found in them."""

    text: str
    words: list[str]
    capitalised: set[str]
    street: Span | None = None
    landmark: Span | None = None
    landmark_ward: str | None = None
    town: Span | None = None  # a town of the area
    outside: Span | None = None  # a town outside the area
    fuzzy: bool = False


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
        self.landmark_phrases = {phrase: phrase for phrase in self.landmarks}
        self.town_phrases = {k: k for k in places.towns}
        self.town_phrases.update(
            {normalise_place_name(t): normalise_place_name(t) for t in p.gazetteer.towns}
        )
        self.ward_phrases = {
            normalise_place_name(n): n for n in {*places.ward_names.values(), *(w.name for w in p.wards)}
        }
        self.street_keys = list(places.streets)
        area_towns = [k for k in self.town_phrases if not self._outside_town(k)]
        self.area_places = [*area_towns, *self.ward_phrases, *self.landmarks]
        self.area_words = frozenset(w for phrase in self.area_places for w in phrase.split())
        self.counties = area_counties(p)
        self.known_phrases = {**self.landmark_phrases, **self.ward_phrases, **places.street_phrases}
        self.known_phrases.update({k: k for k in self.area_places})
        self.by_words = LandmarkWords(
            ((phrase, key, ward) for phrase, (key, ward) in self.landmarks.items()),
            town_words={w for k in area_towns for w in k.split()},
            street_names=self.street_keys,
            in_town=self._landmark_in_town,
        )

    def _street_ward(self, key: str) -> str | None:
        wards = {s.ward for s in self.places.streets.get(key, [])}
        return next(iter(wards)) if len(wards) == 1 else None

    def _town_wards(self, town_key: str) -> set[str]:
        wards = set(self.places.town_wards.get(town_key, set()))
        by_hand = self.places.town_ward(town_key)
        return wards | {by_hand} if by_hand else wards

    def _landmark_in_town(self, town_key: str, landmark: Landmark) -> bool:
        return f" {town_key} " in f" {landmark.key} " or landmark.ward in self._town_wards(town_key)

    def resolve(self, text: str) -> PlaceMatch:
        """Where the text places the report, how it was placed and how sure that is."""
        upper = text.upper()
        pc = POSTCODE.search(upper)
        postcode = f"{pc.group(1)} {pc.group(2)}" if pc else None
        rest = text if not pc else text[: pc.start()] + " " + text[pc.end() :]
        r = self._read(rest)
        if postcode:
            found = self._postcode(postcode, r)
            if found is not None:
                return found
        if self._outside(r):
            return PlaceMatch(method="town", confidence=0.9 if r.outside else 0.6, postcode=postcode)
        if r.street is not None:
            return self._street(r.street, r.town, fuzzy=r.fuzzy)
        if r.landmark is not None:
            return placed(self.places, r.landmark_ward, r.landmark.key, "landmark", 0.9, town=None)
        found = self._general(r.words, r.town, upper, postcode)
        return found if found.method or found.candidates else self._hand_written_landmark(r, found)

    def _hand_written_landmark(self, r: _Reading, nothing: PlaceMatch) -> PlaceMatch:
        """When nothing official matched, a landmark or local name of the partnership file may still
        (misspelt, say), unless the words beside it name a place we do not know ("Walsall Arboretum")."""
        by_hand = self.places.partnership.resolve_place(r.text)
        if by_hand.precision != "landmark" or not by_hand.place_key:
            return nothing
        names = [phrase for phrase, (key, _) in self.landmarks.items() if key == by_hand.place_key]
        r.landmark = fuzzy(r.words, names or [by_hand.place_key], 60, [])
        if r.landmark is not None and self._outside(r):
            return PlaceMatch(method="town", confidence=0.6)
        return by_hand

    def _read(self, rest: str) -> _Reading:
        capitalised = capitalised_words(rest)
        words = normalise_place_name(rest).split()
        r = _Reading(rest, words, capitalised)
        r.street = next(iter(spans(words, self.places.street_phrases, capitalised)), None)
        r.landmark = next(iter(spans(words, self.landmark_phrases, capitalised)), None)
        if r.landmark and r.street and r.street.overlaps(r.landmark) and r.landmark.length >= r.street.length:
            r.street = None
        if r.landmark:
            key, r.landmark_ward = self.landmarks[" ".join(words[r.landmark.start : r.landmark.end])]
            r.landmark = Span(r.landmark.start, r.landmark.length, key)
        towns = [
            s
            for s in spans(words, self.town_phrases, capitalised)
            if not s.overlaps(r.street) and not names_a_street(words, s, r.street)
        ]
        if r.street is None and r.landmark is None:
            self._by_words_orfuzzy(r, towns)
            towns = [t for t in towns if not t.overlaps(r.street)]
        r.outside = next((s for s in towns if self._outside_town(s.key)), None)
        r.town = next((s for s in towns if not self._outside_town(s.key)), None)
        if r.town is None and r.street is not None:
            r.town = self._town_of_the_street(r)
        if r.town is None and r.outside is None:
            avoid = [s for s in (r.street, r.landmark) if s]
            town = fuzzy(words, list(self.town_phrases), FUZZY_TOWN, avoid)
            if town and not names_a_street(words, town, r.street):
                r.outside, r.town = (town, None) if self._outside_town(town.key) else (None, town)
        return r

    def _town_of_the_street(self, r: _Reading) -> Span | None:
        """One of the street's own towns named in any case or a letter out: "green lane wall" is Green Lane
        in Wall, "Watling Street, Hnits" in Hints (only where it picks one of the street's towns)."""
        assert r.street is not None
        towns = {normalise_place_name(c.town) for c in self.places.streets.get(r.street.key, []) if c.town}
        for n in (3, 2, 1):
            for i in range(len(r.words) - n + 1):
                span = Span(i, n, "")
                said = " ".join(r.words[i : i + n])
                town = next((t for t in sorted(towns) if said == t or a_letter_out(said, t)), None)
                if town and not span.overlaps(r.street):
                    return Span(i, n, town)
        return None

    def _by_words_orfuzzy(self, r: _Reading, towns: list[Span]) -> None:
        """A landmark by its words ("the Garrick") or a misspelt street ("Curborogh Road"): the street
        first when the text has a street type word ("Hill Cret Drive" is no hill)."""
        area_towns = [t for t in towns if not self._outside_town(t.key)]
        if any(w in STREET_WORDS for w in r.words):
            r.street = fuzzy(r.words, self.street_keys, FUZZY_STREET, area_towns)
            r.fuzzy = r.street is not None
            if r.street is not None:
                return
        found = self.by_words.find(r.words, [t.key for t in area_towns])
        span = Span(found.start, found.end - found.start, found.key) if found else None
        if found is not None and span is not None and not names_a_street(r.words, span, None):
            r.landmark, r.landmark_ward = span, found.ward  # "Garrick Road" is a road, not the Garrick
            return
        r.street = fuzzy(r.words, self.street_keys, FUZZY_STREET, area_towns)
        r.fuzzy = r.street is not None

    def _outside(self, r: _Reading) -> bool:
        """True when the text places itself outside the area (see the module docstring)."""
        covered = self._covered(r.words, r.capitalised)
        if other_county(r.words, covered, self.counties, STREET_WORDS):
            return True
        if r.town is not None:
            return False  # a town of the area named: another town named is its postal town
        if r.outside is not None:
            return True
        anchor = r.street or r.landmark
        if anchor is None:
            return False
        ctx = Context(
            words=r.words,
            covered=frozenset(covered),
            capitalised=frozenset(r.capitalised),
            uses_capitals=uses_capitals(r.text),
            area_words=self.area_words,
            is_area_place=self._is_area_place,
        )
        return names_unknown_place(ctx, anchor.start, anchor.end, STREET_WORDS) or (
            names_unknown_town_after_comma(r.text, ctx)
        )

    def _covered(self, words: list[str], capitalised: set[str]) -> set[int]:
        """Indexes of the words inside any street, landmark, town or ward the data knows."""
        covered: set[int] = set()
        every = (self.places.street_phrases, self.landmark_phrases, self.town_phrases, self.ward_phrases)
        for phrases in every:
            for s in spans(words, phrases, capitalised):
                covered.update(range(s.start, s.end))
        return covered

    def _is_area_place(self, run: list[str]) -> bool:
        """The words are (a misspelling of) a town, ward, landmark or street of the area."""
        if spans(run, self.known_phrases, set(run)):
            return True
        for n in range(len(run), 0, -1):
            for i in range(len(run) - n + 1):
                phrase = " ".join(run[i : i + n])
                hit = len(phrase) >= 4 and process.extractOne(
                    phrase, self.area_places, scorer=fuzz.ratio, score_cutoff=AREA_PLACE_LIKENESS
                )
                if hit or any(a_letter_out(phrase, place) for place in self.area_places):
                    return True
        return False

    def _outside_town(self, key: str) -> bool:
        known = self.places.towns.get(key)
        return (
            known is not None
            and not known.in_area
            and key not in {normalise_place_name(t) for t in self.places.partnership.gazetteer.towns}
        )

    def _postcode(self, postcode: str, r: _Reading) -> PlaceMatch | None:
        found = full_postcode(self.places, postcode, r.street.key if r.street else None)
        if found is None and r.street is None and r.town is None:
            return PlaceMatch(postcode=postcode, method="postcode", confidence=0.9)  # not the area's
        return found

    def _street(self, span: Span, town: Span | None, *, fuzzy: bool) -> PlaceMatch:
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
            return placed(
                self.places,
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
        return [c for c in candidates if metres_between(c.lat, c.lon, centre.lat, centre.lon) < 2500]

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

    def _general(self, words: list[str], town: Span | None, upper: str, postcode: str | None) -> PlaceMatch:
        if town is not None:
            return self._town(town.key, postcode)
        wards = (s for s in spans(words, self.ward_phrases, set()) if not names_a_street(words, s, None))
        ward = next(wards, None)  # "Fazeley Street, Birmingham" names a street, not the ward
        if ward is not None:
            name = ward.key  # spans() gives the ward's own name, the value of ward_phrases
            return placed(self.places, name, normalise_place_name(name), "ward", 0.7, town=None)
        return partial_postcode(self.places, upper)
