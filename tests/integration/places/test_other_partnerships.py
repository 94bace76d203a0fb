"""Durham and Charnwood with their fixture extracts loaded: every street and postcode resolves to the right
ward, a point in every ward polygon is placed in it, and the neighbours' places stay outside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape

from casework.core.bootstrap import Services
from casework.partnership import PlaceMatch
from casework.places import (
    check_against_official,
    forget_official_places,
    import_onspd,
    import_open_names,
    import_wards,
    place_point,
    resolve_place,
)
from tests.integration.places.conftest import FIXTURES


@pytest.fixture(params=["durham", "charnwood"])
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    """Each test runs once for each partnership."""
    return {"PARTNERSHIP": request.param}


@pytest.fixture
def area(services: Services) -> tuple[Services, dict[str, Any], Path]:
    """Services with the partnership's fixture extracts imported, its oracle and its folder."""
    folder = FIXTURES / services.partnership.id
    forget_official_places()
    common: dict[str, Any] = {
        "partnership": services.partnership,
        "now": services.clock.now(),
        "actor": "test",
    }
    import_wards(services.sessions, folder / "wards.geojson", **common)
    import_onspd(services.sessions, folder / "onspd_extract.csv", **common)
    import_open_names(
        services.sessions,
        folder / "os_open_names_extract.csv",
        header=FIXTURES / "os_open_names_header.csv",
        **common,
    )
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return services, expected, folder


def _resolve(services: Services, text: str) -> PlaceMatch:
    with services.sessions() as s:
        return resolve_place(s, services.partnership, text)


def test_every_postcode_resolves_to_its_ward_and_the_neighbours_stay_outside(area: Any) -> None:
    services, expected, _ = area
    own = set(services.partnership.local_authority_codes)
    wrong = []
    for postcode, info in expected["postcodes"].items():
        match = _resolve(services, postcode.replace(" ", "").lower())
        ok = match.ward == info["ward"] if info["lad"] in own else not match.in_area and match.ward is None
        if not ok:
            wrong.append((postcode, info["ward"], match.ward))
    assert wrong == [] and len(expected["postcodes"]) > 100


def test_every_street_with_its_town_resolves_to_its_ward(area: Any) -> None:
    services, expected, _ = area
    wrong = [
        (road["name"], road["populated_place"], road["ward"], match.ward)
        for road in expected["roads"]
        if (match := _resolve(services, f"{road['name']}, {road['populated_place']}")).ward != road["ward"]
    ]
    assert wrong == [] and len(expected["roads"]) > 50
    assert len(expected["duplicated_street_names"]) >= 5


def test_a_street_of_several_towns_asks_which_and_a_neighbours_street_is_outside(area: Any) -> None:
    services, expected, _ = area
    name, towns = next(iter(expected["duplicated_street_names"].items()))
    asked = _resolve(services, name)
    assert not asked.resolved and asked.in_area and set(asked.candidates) == set(towns)
    neighbour_town = next(
        o["name"]
        for o in expected["other_names"]
        if o["kind"] == "populatedPlace" and o["lad"] not in services.partnership.local_authority_codes
    )
    outside = _resolve(services, f"{name}, {neighbour_town}")
    assert not outside.in_area and outside.ward is None


def test_a_point_in_every_ward_polygon_is_placed_in_it(area: Any) -> None:
    services, _, folder = area
    own = set(services.partnership.local_authority_codes)
    features = json.loads((folder / "wards.geojson").read_text(encoding="utf-8"))["features"]
    with services.sessions() as s:
        for feature in features:
            point = shape(feature["geometry"]).representative_point()
            match = place_point(s, services.partnership, point.y, point.x)
            if feature["properties"]["LAD24CD"] in own:
                assert (match.ward, match.method) == (feature["properties"]["WD24NM"], "polygon")
            else:
                assert match.ward is None and not match.in_area


def test_the_partnership_file_agrees_with_its_extracts(area: Any) -> None:
    services, _, _ = area
    with services.sessions() as s:
        warnings = check_against_official(s, services.partnership)
    # Only the file's town names that are not settlements ("Durham City", "Loughborough town centre").
    assert all("gazetteer.towns." in w and "not a settlement" in w for w in warnings), warnings


STRADDLING = {"durham": "DL5 7", "charnwood": "LE4 8"}


def test_the_sector_that_straddles_the_boundary_is_not_placed(area: Any) -> None:
    services, expected, _ = area
    sector = STRADDLING[services.partnership.id]
    assert _resolve(services, sector).in_area is False
    # A sector with at least one live postcode, all of them inside; sorted so every run picks the same one
    # (a sector holding only terminated postcodes is not a place any more).
    live = {p: v for p, v in expected["postcodes"].items() if v["live"]}
    inside = next(
        s
        for s in sorted({p[:-2] for p in live})
        if s not in STRADDLING.values()
        and all(
            v["lad"] in services.partnership.local_authority_codes for p, v in live.items() if p.startswith(s)
        )
    )
    assert _resolve(services, inside).ward is not None
