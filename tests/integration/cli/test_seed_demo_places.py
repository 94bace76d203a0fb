"""The demo shows real places: the fixture extracts are loaded (labelled approximate) and demo reports sit
on real streets of their wards, so the dashboard map and the report page's place work on a fresh clone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from casework.cli import seed_demo
from casework.cli.demo_places import load_demo_places
from casework.core.bootstrap import Services
from casework.core.models import Report
from casework.core.place_models import PlacePostcode, WardBoundary
from casework.places import place_point, resolve_place
from tests.factories import cheap_password_hashing
from tests.integration.places.conftest import load_open_data
from tests.integration.staff.test_inbox_pages import sign_in


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def _seed(services: Services, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setattr(seed_demo, "build_services", lambda: services)
    assert seed_demo.main(list(args)) == 0


def test_the_demo_loads_the_fixture_places_and_puts_reports_on_real_streets(
    services: Services, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    _seed(services, monkeypatch)
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WardBoundary)) == 22
        assert resolve_place(s, services.partnership, "Bore Street, Lichfield").ward == "Stowe"
        reports = s.scalars(select(Report)).all()
        placed = [r for r in reports if r.latitude is not None]
        assert len(reports) == 240 and len(placed) == len([r for r in reports if r.ward])
        for r in placed:
            assert r.latitude is not None and r.longitude is not None
            assert place_point(s, services.partnership, r.latitude, r.longitude).ward == r.ward, r.reference
            assert r.place_method == "street+town" and r.place_key and r.place_key in r.location_text.lower()
    sign_in(client, "triage@demo.asb.local", "demo-triage-pass")
    page = client.get("/staff/dashboard").get_data(as_text=True)
    assert page.count('<path class="ward level-') == 22 and 'id="map-demo-data"' in page
    assert "for development only" in page.lower().split('id="map-demo-data"')[1].split("</p>")[0]
    ref = placed[0].reference
    report_page = client.get(f"/staff/reports/{ref}").get_data(as_text=True)
    assert 'class="report-dot"' in report_page and "Demo place data" in report_page


def test_seeding_again_adds_nothing_and_official_data_is_never_replaced(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(services, monkeypatch, "--no-reports")
    with services.sessions() as s:
        postcodes = s.scalar(select(func.count()).select_from(PlacePostcode))
    assert load_demo_places(services) == "place data already loaded: left as it is"
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PlacePostcode)) == postcodes


def test_a_partnerships_own_data_is_not_labelled_approximate(
    services: Services, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    load_open_data(services)  # as `python -m casework.places import ...` does, not the demo's import
    _seed(services, monkeypatch, "--no-reports")
    sign_in(client, "triage@demo.asb.local", "demo-triage-pass")
    page = client.get("/staff/dashboard").get_data(as_text=True)
    assert page.count('<path class="ward level-') == 22 and 'id="map-demo-data"' not in page


def test_without_place_data_the_demo_reports_still_have_their_wards(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(services, monkeypatch, "--no-places")
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WardBoundary)) == 0
        reports = s.scalars(select(Report)).all()
    assert len(reports) == 240 and all(r.latitude is None for r in reports)
    assert {r.ward for r in reports} <= {w.name for w in services.partnership.wards}
