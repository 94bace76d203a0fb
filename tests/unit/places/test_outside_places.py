"""Places outside the area are never placed inside, on a small hand-built index (no database).

The index has the streets a neighbouring town shares with the area: High Street in Chasetown and in Chase
Terrace, Church Road in Shenstone and Stonnall, and Viscount Road (Chase Terrace only).
"""

from __future__ import annotations

import pytest

from casework.partnership import PlaceMatch, load_partnership, normalise_place_name
from casework.places.geo import WardShapes
from casework.places.index import Named, OfficialPlaces, street_variants
from casework.places.resolve import Resolver

STREETS = [
    ("High Street", "Chasetown", "Chasetown", 52.672, -1.923),
    ("High Street", "Chase Terrace", "Chase Terrace", 52.683, -1.925),
    ("Church Road", "Shenstone", "Shenstone", 52.639, -1.843),
    ("Church Road", "Stonnall", "Little Aston and Stonnall", 52.622, -1.889),
    ("Viscount Road", "Chase Terrace", "Chase Terrace", 52.684, -1.931),
]
TOWNS = [
    ("Chasetown", "Chasetown", True),
    ("Chase Terrace", "Chase Terrace", True),
    ("Shenstone", "Shenstone", True),
    ("Stonnall", "Little Aston and Stonnall", True),
    ("Tamworth", None, False),
]


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    places = OfficialPlaces(partnership=load_partnership("lichfield"), shapes=WardShapes([]), ward_names={})
    for name, town, ward, lat, lon in STREETS:
        key = normalise_place_name(name)
        places.streets[key].append(Named(name, key, "street", ward, town, lat, lon))
        for variant in street_variants(key):
            places.street_phrases.setdefault(variant, key)
        places.town_wards[normalise_place_name(town)].add(ward)
    for name, ward, in_area in TOWNS:
        key = normalise_place_name(name)
        places.towns[key] = Named(name, key, "town", ward, name, 52.6, -1.8, in_area, "Town")
    return Resolver(places)


def _outside(match: PlaceMatch) -> bool:
    return not match.in_area and match.ward is None and not match.candidates


@pytest.mark.parametrize(
    "text",
    [
        "Pelsall high street",  # an unknown town before a street the area has in two towns, no comma
        "High Street Pelsall",
        "church road aldridge",  # all lower case: no capitals to go by
        "Church Road in Aldridge",
        "in Pelsall on the High Street",
        "Aldridge, Church Road",
        "Viscount Road Sutton Coldfield",  # a street only the area has, in a town the data does not know
        "High Street, Walsall Wood",
        "Church Road Burton upon Trent",
        "High St West Bromwich",
        "Church Road, Shenstone, Shropshire",  # a county that is not the area's
        "Church Road Tamwroth",  # a neighbouring town, misspelt
    ],
)
def test_a_place_the_data_does_not_know_beside_a_street_of_the_area_is_not_placed_inside(
    resolver: Resolver, text: str
) -> None:
    assert _outside(resolver.resolve(text)), resolver.resolve(text)


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("Viscount Road garages", "Chase Terrace"),
        ("Viscount Road Chemist", "Chase Terrace"),
        ("viscount road kids on bikes", "Chase Terrace"),
        ("Viscount Road Methodist church", "Chase Terrace"),
        ("outside Greggs, Viscount Road", "Chase Terrace"),
        ("the Kings Head on Viscount Road", "Chase Terrace"),
        ("Viscount Road by the Co-op", "Chase Terrace"),
        ("Viscount Road Fulfen Close", "Chase Terrace"),  # a street the data lacks, not a town
        ("Chasetown High Street", "Chasetown"),
        ("High Street, Chase Terrace, Staffs", "Chase Terrace"),  # the area's own county
        ("Church Road, Stonnall, West Midlands, UK", "Little Aston and Stonnall"),
        ("Church Road Stonnal", "Little Aston and Stonnall"),  # the area's town, misspelt
    ],
)
def test_everyday_words_and_the_areas_own_names_beside_a_street_keep_it_inside(
    resolver: Resolver, text: str, ward: str
) -> None:
    assert resolver.resolve(text).ward == ward


def test_a_street_in_two_towns_with_no_town_named_still_asks_which(resolver: Resolver) -> None:
    match = resolver.resolve("High Street")
    assert match.in_area and set(match.candidates) == {"Chasetown", "Chase Terrace"}


def test_a_ward_named_alone_places_the_report_in_that_ward(resolver: Resolver) -> None:
    """A resident who names only a ward ("up by Summerfield and All Saints") is placed in it; this once
    raised KeyError (the span carries the ward's own name) and the resident got no answer."""
    match = resolver.resolve("lads on bikes up by summerfield and all saints again")
    assert match.ward == "Summerfield and All Saints"
    assert match.in_area


@pytest.mark.parametrize(
    "text",
    [
        "High Street, Pelsall - kids on bikes again",  # the town's clause ends at a dash
        "Church Road, Aldridge. Every night.",
        "Shenstone Avenue, Coventry",  # a street named after a ward of the area, in a town outside it
        "shenstone avenue coventry",
    ],
)
def test_streets_named_after_the_area_or_followed_by_more_words_stay_outside(
    resolver: Resolver, text: str
) -> None:
    match = resolver.resolve(text)
    assert not match.in_area and match.ward is None, match
