"""Resolving places with the fixture open data: every postcode, street and ward polygon of the extracts."""

from __future__ import annotations

from typing import Any

import pytest
from shapely.geometry import shape

from casework.core.bootstrap import Services
from casework.partnership import PlaceMatch
from casework.places import nearest_street, place_point, resolve_place
from tests.integration.places.conftest import FIXTURES

LICHFIELD = "E07000194"


def _resolve(services: Services, text: str) -> PlaceMatch:
    with services.sessions() as s:
        return resolve_place(s, services.partnership, text)


def test_every_postcode_resolves_to_its_ward_and_neighbours_stay_outside(
    loaded: Services, expected: dict[str, Any]
) -> None:
    wrong = []
    for postcode, info in expected["postcodes"].items():
        for written in (postcode, postcode.replace(" ", "").lower()):
            match = _resolve(loaded, written)
            if info["lad"] == LICHFIELD:
                ok = match.ward == info["ward"] or (info["ward"] == "Longdon" and match.ward == "Longdon")
                ok = ok and match.method == "postcode" and match.confidence >= 0.8
            else:
                ok = not match.in_area and match.ward is None
            if not ok:
                wrong.append((written, info["ward"], match))
    assert wrong == []


def test_every_street_with_its_town_resolves_to_its_ward(loaded: Services, expected: dict[str, Any]) -> None:
    wrong = []
    for road in expected["roads"]:
        match = _resolve(loaded, f"{road['name']}, {road['populated_place']}")
        if match.ward != road["ward"] or match.method not in ("street+town", "street", "landmark"):
            wrong.append((road["name"], road["populated_place"], road["ward"], match))
    assert wrong == []
    assert len(expected["roads"]) == 257


def test_a_street_in_two_towns_asks_which(loaded: Services) -> None:
    match = _resolve(loaded, "Main Street")
    assert not match.resolved and match.in_area is True  # every candidate is in the area
    assert set(match.candidates) == {"Alrewas", "Clifton Campville", "Shenstone", "Stonnall", "Whittington"}
    assert _resolve(loaded, "Main Street, Stonnall").ward == "Little Aston and Stonnall"
    assert _resolve(loaded, "main st whittington").ward == "Whittington and Streethay"


def test_misspellings_landmarks_towns_and_partial_postcodes(loaded: Services) -> None:
    fuzzy = _resolve(loaded, "Curborogh Road")
    assert (fuzzy.ward, fuzzy.method) == ("Curborough", "fuzzy") and 0 < fuzzy.confidence < 0.9
    landmark = _resolve(loaded, "near the cathedral")
    assert (landmark.ward, landmark.method) == ("Stowe", "landmark")
    assert _resolve(loaded, "Chasewater").ward == "Chasetown"
    town = _resolve(loaded, "Fradley")
    assert (town.ward, town.method) == ("Alrewas and Fradley", "town")
    city = _resolve(loaded, "Lichfield")
    assert city.ward is None and city.in_area and city.town == "Lichfield"
    assert _resolve(loaded, "WS13 6").method == "sector"


def test_places_outside_the_area_are_never_placed_inside(loaded: Services) -> None:
    for text in (
        "Church Street, Tamworth",
        "Wigginton Road, Tamworth",
        "Wigginton Road",  # a Tamworth road: not the village of Wigginton
        "Norton Canes",
        "B78 3HG",
        "Bore Street, Birmingham",  # a town the data does not know, after a street of the area
        "High Street, Walsall",
        "B74 2",  # a sector with none of the area's postcodes
        "Rugeley",  # not the hand-written file's bare "Rugeley Road"
        "WS11 9AF",
    ):
        match = _resolve(loaded, text)
        assert not match.in_area and match.ward is None, text


def test_a_point_inside_every_ward_polygon_is_placed_in_it(loaded: Services) -> None:
    import json

    features = json.loads((FIXTURES / "lichfield_wards.geojson").read_text())["features"]
    with loaded.sessions() as s:
        for feature in features:
            point = shape(feature["geometry"]).representative_point()
            match = place_point(s, loaded.partnership, point.y, point.x)
            name = feature["properties"]["WD24NM"].replace(" & ", " and ")
            if feature["properties"]["LAD24CD"] == LICHFIELD:
                assert (match.ward, match.method) == (name, "polygon"), name
            else:
                assert match.ward is None and not match.in_area, name


def test_the_nearest_street_to_a_point(loaded: Services, expected: dict[str, Any]) -> None:
    with loaded.sessions() as s:
        found = nearest_street(s, loaded.partnership, 52.6886, -1.8127)
        assert found is not None and found.ward is not None
        assert nearest_street(s, loaded.partnership, 52.62, -1.70) is None  # Tamworth: outside


def test_without_official_data_the_gazetteer_is_used_unchanged(services: Services) -> None:
    for text in ("Bore Street, Lichfield", "WS13 6", "High St, Chasetown", "Chasewater", "Tamworth"):
        assert _resolve(services, text) == services.partnership.resolve_place(text)


@pytest.mark.parametrize("text", ["Bore Street", "WS14 9"])
def test_the_resolve_api_says_how_and_how_sure(loaded: Services, client: Any, text: str) -> None:
    body = client.get(
        "/api/v1/places/resolve",
        query_string={"q": text},
        headers={"Authorization": "Bearer test-internal-token-0123456789"},
    ).get_json()
    assert body["resolved"] and body["method"] in ("street", "sector") and body["confidence"] > 0
    ask = client.get(
        "/api/v1/places/resolve",
        query_string={"q": "Main Street"},
        headers={"Authorization": "Bearer test-internal-token-0123456789"},
    ).get_json()
    assert ask["resolved"] is False and "Stonnall" in ask["candidates"]


def test_start_up_warnings_name_what_the_official_data_contradicts(loaded: Services) -> None:
    from casework.places import check_against_official

    p = loaded.partnership
    gazetteer = p.gazetteer.model_copy(
        update={"streets": {**p.gazetteer.streets, "Bore Street": "Chadsmead", "Nowhere Lane": "Stowe"}}
    )
    changed = p.model_copy(update={"gazetteer": gazetteer})
    with loaded.sessions() as s:
        warnings = check_against_official(s, changed)
    assert any("gazetteer.streets.Bore Street: 'Chadsmead'" in w and "Stowe" in w for w in warnings)
    assert any("gazetteer.streets.Nowhere Lane: no street of that name" in w for w in warnings)
    with loaded.sessions() as s:
        assert check_against_official(s, p) == [
            "partnerships/lichfield.yml: wards: the imported boundaries have 'Longdon', "
            "which the file does not list"
        ]
