"""Coordinates go to a ward by polygon: police.uk rows (no text matching) and Open311 lat/long."""

from __future__ import annotations

import json
from typing import Any

from shapely.geometry import shape
from sqlalchemy import select

from casework.core.bootstrap import Services
from casework.core.db import read
from casework.core.models import ImportedIncident, Report
from casework.insight.imports import police_uk_rows
from casework.places import area_placer
from tests.integration.insight.test_import_files import import_text
from tests.integration.places.conftest import FIXTURES

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)
FORCE = "Staffordshire Police,Staffordshire Police"
TAIL = "E0,Lichfield 008B,Anti-social behaviour,,"


def _inside(name: str) -> tuple[float, float]:
    for f in json.loads((FIXTURES / "lichfield_wards.geojson").read_text())["features"]:
        if f["properties"]["WD24NM"] == name:
            p = shape(f["geometry"]).representative_point()
            return p.y, p.x
    raise KeyError(name)


def test_police_uk_rows_with_coordinates_are_placed_by_polygon_not_by_their_text(loaded: Services) -> None:
    chasetown, castle = _inside("Chasetown"), _inside("Castle")
    rows = [
        # The text names a Stowe street; the point is in Chasetown: the point wins.
        f"a1,2026-10,{FORCE},{chasetown[1]},{chasetown[0]},On or near Bore Street,{TAIL}",
        # In Tamworth: outside the area, not placed (whatever the text says).
        f"a2,2026-10,{FORCE},{castle[1]},{castle[0]},On or near Bore Street,{TAIL}",
        # No coordinates: placed by its text as before.
        f"a3,2026-10,{FORCE},,,On or near Bore Street,{TAIL}",
    ]
    text = "\n".join([HEADER, *rows]) + "\n"
    placer = read(loaded.sessions, area_placer, loaded.partnership)
    import_text(loaded, lambda t: police_uk_rows(t, loaded.partnership, placer), text)
    with loaded.sessions() as s:
        wards = dict(s.execute(select(ImportedIncident.source_id, ImportedIncident.ward)).all())
    assert wards == {"a1": "Chasetown", "a2": None, "a3": "Stowe"}


def test_an_open311_request_with_only_lat_long_finds_its_ward(loaded: Services, client: Any) -> None:
    lat, lon = _inside("Boley Park")
    resp = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": "test-open311-key",
            "service_code": "graffiti",
            "description": "Tags on the underpass.",
            "lat": f"{lat:.6f}",
            "long": f"{lon:.6f}",
        },
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    reference = resp.get_json()[0]["service_request_id"]
    with loaded.sessions() as s:
        report = s.scalars(select(Report).where(Report.reference == reference)).one()
        assert (report.ward, report.place_method) == ("Boley Park", "polygon")
        assert report.place_confidence and report.place_confidence > 0.9
