"""Web chat "Use my location": the nearest named street in the imported data, for the resident to confirm."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from casework.core.bootstrap import Services
from casework.core.place_models import PlaceName


def _street_point(services: Services, name: str) -> tuple[float, float]:
    with services.sessions() as s:
        row = s.scalars(select(PlaceName).where(PlaceName.name == name)).first()
        assert row is not None
        return row.latitude, row.longitude


def test_the_nearest_street_is_offered_to_confirm(loaded: Services, client: Any) -> None:
    lat, lon = _street_point(loaded, "Curborough Road")
    resp = client.post("/chat/location", json={"lat": lat + 0.0001, "long": lon})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    [message] = resp.get_json()
    assert message["text"] == "Is it near Curborough Road? 1 Yes 2 No, I'll type it"
    yes, no = message["buttons"]
    assert yes == {"title": "1 Yes", "payload": "Curborough Road, Lichfield"}
    assert no["type_location"] is True and no["payload"] == ""


def test_outside_the_area_the_resident_is_asked_to_type_it(loaded: Services, client: Any) -> None:
    [message] = client.post("/chat/location", json={"lat": 51.5074, "long": -0.1278}).get_json()
    assert message["type_location"] is True and "type the street" in message["text"]


def test_bad_or_cross_site_location_posts_are_refused(loaded: Services, client: Any) -> None:
    assert client.post("/chat/location", json={"lat": "north"}).status_code == 400
    assert client.post("/chat/location", json={"lat": 200, "long": 0}).status_code == 400
    cross = client.post(
        "/chat/location", json={"lat": 52.7, "long": -1.8}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
