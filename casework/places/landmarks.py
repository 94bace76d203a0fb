"""Landmarks as residents shorten or reorder their names.

"Samuel Johnson hospital" and "the Garrick" name the Samuel Johnson Community Hospital and the Lichfield
Garrick Theatre; "bus station lichfield" and "Lichfield City train station" name the Lichfield Bus Station
and Lichfield City Station; "the leisure centre in Burntwood" names the one leisure centre in Burntwood.
Three ways, tried in order, each accepted only when every landmark it finds is in one ward:
1. every word of the landmark's name is in the text, close together, in any order (extra words allowed);
2. the words that single the landmark out (not a kind of place, a town or part of a street's name) are;
3. a kind of place ("hospital", "leisure centre") and a town of the area it is in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

# Kinds of place: the words of a landmark's name that say what it is, not which one.
KINDS = frozenset(
    """
    academy arboretum bus cathedral centre church college community corner country garden gardens hall
    hill hospital junction lake leisure library market museum park pool railway reservoir river school
    shopping square station theatre town train wood
    """.split()
)
_GLUE = frozenset({"the", "of", "in", "at", "and", "on", "st", "a"})
# Said with a kind but not part of the landmark's name ("the train station" is the station).
_LOOSE = frozenset({"train", "town", "country", "community", "shopping"})


def _stem(word: str) -> str:
    """'woods' -> 'wood', "sankeys" -> 'sankey': residents add or drop a plural or possessive s."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def _at(word: str, stems: list[str]) -> int | None:
    """Where the text has the word: as written, or (five letters or more) with one letter wrong, missing,
    extra or two swapped after the first ("Garick", "liesure", "Samual")."""
    if word in stems:
        return stems.index(word)
    if len(word) < 5:
        return None
    for i, said in enumerate(stems):
        if said[:1] == word[:1] and abs(len(said) - len(word)) <= 1 and OSA.distance(said, word) <= 1:
            return i
    return None


@dataclass(frozen=True)
class Landmark:
    """A landmark's key, ward and name words (stemmed), split into the kinds and the singling words."""

    key: str
    ward: str | None
    words: tuple[str, ...]
    singling: frozenset[str]
    kinds: frozenset[str]


@dataclass(frozen=True)
class Found:
    """The landmark a text names, and where in the text (for judging the words beside it)."""

    key: str
    ward: str | None
    start: int
    end: int


class LandmarkWords:
    """Finds the landmark a text names by its words (see the module docstring)."""

    def __init__(
        self,
        landmarks: Iterable[tuple[str, str, str | None]],
        *,
        town_words: set[str],
        street_names: Iterable[str],
        in_town: Callable[[str, Landmark], bool],
    ) -> None:
        streets = [frozenset(_stem(w) for w in name.split()) for name in street_names]
        towns = {_stem(w) for w in town_words}
        self._in_town = in_town
        self.landmarks: list[Landmark] = []
        for phrase, key, ward in landmarks:
            words = tuple(_stem(w) for w in phrase.split() if w not in _GLUE)
            singling = frozenset(w for w in words if w not in KINDS and w not in towns and len(w) >= 4)
            if singling and any(singling <= s for s in streets):
                singling = frozenset()  # "Beacon" of Beacon Park is also Beacon Street
            kinds = frozenset(w for w in words if w in KINDS)
            self.landmarks.append(Landmark(key, ward, words, singling, kinds))

    def find(self, words: list[str], towns: list[str]) -> Found | None:
        """The landmark the words name, or None (none, or several in different wards)."""
        stems = [_stem(w) for w in words]
        return self._all_words(stems) or self._singling(stems) or self._kind_in_town(stems, towns)

    @staticmethod
    def _one_ward(found: list[tuple[int, Landmark, int, int]]) -> Found | None:
        if not found:
            return None
        best = max(score for score, *_ in found)
        top = [(lm, s, e) for score, lm, s, e in found if score == best]
        if len({lm.ward for lm, _, _ in top}) != 1:
            return None
        lm, start, end = top[0]
        return Found(lm.key, lm.ward, start, end)

    def _all_words(self, stems: list[str]) -> Found | None:
        found = []
        for lm in self.landmarks:
            if len(lm.words) < 2:
                continue
            at = [_at(w, stems) for w in lm.words]
            if all(i is not None for i in at):
                places = [i for i in at if i is not None]
                if max(places) - min(places) < len(lm.words) + 2:
                    found.append((len(lm.words), lm, min(places), max(places) + 1))
        return self._one_ward(found)

    def _singling(self, stems: list[str]) -> Found | None:
        """All the singling words ("Friary Grange"), or some of them with a kind the landmark is ("the Sam
        Johnson hospital")."""
        found = []
        for lm in self.landmarks:
            at = [i for w in lm.singling if (i := _at(w, stems)) is not None]
            kinds = [i for w in lm.kinds - _LOOSE if (i := _at(w, stems)) is not None]
            if at and (len(at) == len(lm.singling) or kinds):
                found.append((len(at), lm, min(at + kinds), max(at + kinds) + 1))
        return self._one_ward(found)

    def _kind_in_town(self, stems: list[str], towns: list[str]) -> Found | None:
        said = {w for w in stems if w in KINDS} - _LOOSE
        if not said or not towns:
            return None
        found = []
        for lm in self.landmarks:
            if said <= lm.kinds and any(self._in_town(t, lm) for t in towns):
                at = [stems.index(w) for w in said]
                found.append((1, lm, min(at), max(at) + 1))
        return self._one_ward(found)
