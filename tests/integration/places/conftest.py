"""The fixture extracts of the official open data (tests/fixtures/open_data), loaded with the importers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from casework.core.bootstrap import Services
from casework.places import forget_official_places, import_onspd, import_open_names, import_wards

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "open_data"


def load_open_data(services: Services) -> None:
    """Import the three fixture files for Lichfield (wards first: names are placed by polygon)."""
    forget_official_places()
    common: dict[str, Any] = {
        "partnership": services.partnership,
        "now": services.clock.now(),
        "actor": "test",
    }
    import_wards(services.sessions, FIXTURES / "lichfield_wards.geojson", **common)
    import_onspd(services.sessions, FIXTURES / "onspd_extract.csv", **common)
    import_open_names(
        services.sessions,
        FIXTURES / "os_open_names_extract.csv",
        header=FIXTURES / "os_open_names_header.csv",
        **common,
    )


@pytest.fixture
def expected() -> dict[str, Any]:
    """The fixtures' oracle: the ward of every postcode and named place."""
    return json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def loaded(services: Services) -> Services:
    """Services whose database holds the fixture open data."""
    load_open_data(services)
    return services
