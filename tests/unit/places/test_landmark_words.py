"""Landmarks found by their words, as residents shorten or reorder their names."""

from __future__ import annotations

import pytest

from casework.places.landmarks import LandmarkWords

LANDMARKS = [
    ("samuel johnson community hospital", "Stowe", "lichfield"),
    ("lichfield garrick theatre", "St John's", "lichfield"),
    ("lichfield bus station", "St John's", "lichfield"),
    ("lichfield city station", "St John's", "lichfield"),
    ("lichfield trent valley station", "Curborough", "lichfield"),
    ("burntwood leisure centre", "Boney Hay and Central", "burntwood"),
    ("friary grange leisure centre", "Chadsmead", "lichfield"),
    ("beacon park", "Leomansley", "lichfield"),
    ("sankey corner", "Chase Terrace", "burntwood"),
]
TOWN_OF = {key: town for key, _, town in LANDMARKS}


@pytest.fixture(scope="module")
def finder() -> LandmarkWords:
    return LandmarkWords(
        ((key, key, ward) for key, ward, _ in LANDMARKS),
        town_words={"lichfield", "burntwood"},
        street_names=["beacon street", "the friary", "trent valley road"],
        in_town=lambda town, landmark: TOWN_OF[landmark.key] == town,
    )


def _find(finder: LandmarkWords, text: str, towns: tuple[str, ...] = ()) -> str | None:
    found = finder.find(text.split(), list(towns))
    return found.key if found else None


@pytest.mark.parametrize(
    ("text", "towns", "key"),
    [
        ("samuel johnson hospital", (), "samuel johnson community hospital"),
        ("the garrick", (), "lichfield garrick theatre"),
        ("bus station lichfield", ("lichfield",), "lichfield bus station"),
        ("lichfield city train station", ("lichfield",), "lichfield city station"),
        ("friary grange", (), "friary grange leisure centre"),
        ("the leisure centre in burntwood", ("burntwood",), "burntwood leisure centre"),
        ("the hospital in lichfield", ("lichfield",), "samuel johnson community hospital"),
        ("sankeys corner", (), "sankey corner"),
    ],
)
def test_a_landmark_is_found_by_the_words_that_single_it_out(
    finder: LandmarkWords, text: str, towns: tuple[str, ...], key: str
) -> None:
    assert _find(finder, text, towns) == key


@pytest.mark.parametrize(
    ("text", "towns"),
    [
        ("the train station in lichfield", ("lichfield",)),  # three stations in Lichfield: not a guess
        ("the hospital", ()),  # a kind of place with no town is not enough
        ("walsall leisure centre", ()),
        ("beacon street", ()),  # "beacon" is a street's word too
        ("the leisure centre", ()),
    ],
)
def test_no_landmark_is_guessed_from_a_kind_of_place_alone_or_among_several(
    finder: LandmarkWords, text: str, towns: tuple[str, ...]
) -> None:
    assert _find(finder, text, towns) is None
