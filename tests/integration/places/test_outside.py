"""Ways an outside place could be placed inside, with the fixture open data loaded: none of them is.

A postcode sector or district that straddles the boundary, a neighbouring town named beside a street the
area also has (even misspelt), a county other than the area's, and coordinates just outside the area's
wards. Each with the in-area phrase it must not break.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from shapely.geometry import shape
from shapely.ops import unary_union
from sqlalchemy import select

from casework.core.bootstrap import Services
from casework.core.models import Report
from casework.partnership import PlaceMatch
from casework.places import place_point, place_report, resolve_place
from tests.integration.places.conftest import FIXTURES

LICHFIELD = "E07000194"


def _resolve(services: Services, text: str) -> PlaceMatch:
    with services.sessions() as s:
        return resolve_place(s, services.partnership, text)


def _outside(match: PlaceMatch) -> bool:
    return not match.in_area and match.ward is None and not match.candidates


def test_a_sector_or_district_that_straddles_the_boundary_is_not_placed(loaded: Services) -> None:
    # B78 3 holds Fazeley's postcodes and three of Tamworth's Castle ward; B79 is Mease Valley and Tamworth.
    for text in ("B78 3", "B78", "B79", "near B78 3"):
        assert _outside(_resolve(loaded, text)), text
    assert _resolve(loaded, "B78 3HG").method == "postcode" and _outside(_resolve(loaded, "B78 3HG"))
    # Sectors and districts wholly inside are placed as before.
    assert _resolve(loaded, "WS7 9").ward == "Highfield"
    assert _resolve(loaded, "WS7").town == "Burntwood" and _resolve(loaded, "WS7").in_area
    fazeley = _resolve(loaded, "Coleshill Street B78 3")
    assert fazeley.ward == "Fazeley"  # the street says which side


@pytest.mark.parametrize(
    "text",
    [
        "Oakley Road, Norton Canes",  # a Chasetown street 2 km from Norton Canes
        "Mill Lane, Tamworth",  # Fazeley has a Mill Lane: Tamworth named alone is Tamworth
        "Church Street Tamwroth",
        "Nortn Canes",
        "Tamwroth town centre",
        "Whittington, Worcestershire",
        "Main Street, Whittington, Shropshire",
        "Walsall Arboretum",  # the hand-written "the Arboretum" is the National Memorial Arboretum
        "Cannock Road, Heath Hayes",
    ],
)
def test_a_neighbouring_town_or_county_named_beside_a_place_of_the_area_is_outside(
    loaded: Services, text: str
) -> None:
    assert _outside(_resolve(loaded, text)), _resolve(loaded, text)


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("Hopwas, Tamworth", "Bourne Vale"),  # Tamworth as the postal town of a village of the area
        ("Coleshill Street, Fazeley, Tamworth", "Fazeley"),
        ("Bore Street, Lichfield, Staffs", "Stowe"),
        ("Shropshire Brook Road", "Armitage with Handsacre"),  # a county's name inside a street's
        ("Samuel Johnson hospital", "Stowe"),
        ("the bus station in Lichfield", "St John's"),
        ("the leisure centre in Burntwood", "Boney Hay and Central"),
    ],
)
def test_the_areas_own_places_stay_inside(loaded: Services, text: str, ward: str) -> None:
    assert _resolve(loaded, text).ward == ward


def _just_outside_the_area() -> list[tuple[float, float]]:
    """Twenty points all round the district, 0.0007 degrees (50-80 m) outside its outer boundary."""
    features = json.loads((FIXTURES / "lichfield_wards.geojson").read_text())["features"]
    area = unary_union([shape(f["geometry"]) for f in features if f["properties"]["LAD24CD"] == LICHFIELD])
    ring = area.buffer(0.0007).exterior
    points = [ring.interpolate(i / 20, normalized=True) for i in range(20)]
    assert all(not area.contains(p) and area.distance(p) > 0.0006 for p in points)
    return [(p.y, p.x) for p in points]


def test_coordinates_just_outside_the_areas_wards_are_not_placed(loaded: Services) -> None:
    points = _just_outside_the_area()
    with loaded.sessions() as s:
        for lat, lon in points:
            match = place_point(s, loaded.partnership, lat, lon)
            assert match.method == "polygon" and not match.in_area, (lat, lon)
            # The text names a street of the area; the point says it is not there.
            report = place_report(s, loaded.partnership, "Viscount Road", (lat, lon))
            assert report.ward is None and not report.in_area, (lat, lon)


def test_an_open311_request_pinned_just_outside_is_not_placed_by_its_street_name(
    loaded: Services, client: Any
) -> None:
    lat, lon = _just_outside_the_area()[0]
    resp = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": "test-open311-key",
            "service_code": "litter_flytipping",
            "description": "Bags of rubbish dumped on the verge.",
            "address_string": "Church Street",
            "lat": f"{lat:.6f}",
            "long": f"{lon:.6f}",
        },
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    reference = resp.get_json()[0]["service_request_id"]
    with loaded.sessions() as s:
        report = s.scalars(select(Report).where(Report.reference == reference)).one()
        assert report.ward is None and report.place_method == "polygon"


STREET_FORMS = ("{s}, {t}", "{t} {s}", "{s} in {t}", "{sl} {tl}", "outside 12 {s}, {t}, Staffs")
NEAR_BY = ("Brownhills", "Aldridge", "Sutton Coldfield", "Burton upon Trent", "Streetly", "Tamworth")
OUTSIDE_FORMS = ("{s}, {t}", "{s} {t}", "{t} {s}", "{sl} in {tl}")


def test_every_street_with_its_town_in_the_forms_residents_write(
    loaded: Services, expected: dict[str, Any]
) -> None:
    wrong = []
    with loaded.sessions() as s:
        for road in expected["roads"]:
            name, town = road["name"], road["populated_place"]
            for form in STREET_FORMS:
                text = form.format(s=name, t=town, sl=name.lower(), tl=town.lower())
                if resolve_place(s, loaded.partnership, text).ward != road["ward"]:
                    wrong.append((text, road["ward"]))
    assert wrong == []


def test_every_street_name_of_several_towns_beside_a_town_nearby_outside_is_outside(
    loaded: Services, expected: dict[str, Any]
) -> None:
    placed = []
    with loaded.sessions() as s:
        for name in expected["duplicated_street_names"]:
            for town in NEAR_BY:
                for form in OUTSIDE_FORMS:
                    text = form.format(s=name, t=town, sl=name.lower(), tl=town.lower())
                    if resolve_place(s, loaded.partnership, text).in_area:
                        placed.append(text)
    assert placed == []
