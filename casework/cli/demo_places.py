"""Demo place data: the fixture extracts in the published formats, loaded so a new user sees real places.

`make run` (through `python -m casework.cli.seed_demo`) loads them with the real import commands when the
database holds no official place data yet, so the dashboard map, the report page's place and place
resolution all work on a fresh clone. They are approximate (invented postcodes, rough ward shapes; see
tests/fixtures/open_data/README.md): for development only. The map says so while they are what is loaded.
A partnership loads its own data with `python -m casework.places import ...` (README, "Places").
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.bootstrap import Services
from casework.core.db import read
from casework.core.place_models import WardBoundary
from casework.places import (
    DEMO_PLACES_ACTOR,
    forget_official_places,
    import_onspd,
    import_open_names,
    import_wards,
)

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "open_data"
# Partnership id -> (ward boundaries, ONSPD extract, OS Open Names extract), relative to FIXTURES.
DEMO_PLACE_FILES = {
    "lichfield": ("lichfield_wards.geojson", "onspd_extract.csv", "os_open_names_extract.csv"),
    "durham": ("durham/wards.geojson", "durham/onspd_extract.csv", "durham/os_open_names_extract.csv"),
    "charnwood": (
        "charnwood/wards.geojson",
        "charnwood/onspd_extract.csv",
        "charnwood/os_open_names_extract.csv",
    ),
}
HEADER = "os_open_names_header.csv"


def _has_place_data(session: Session) -> bool:
    return session.scalar(select(WardBoundary.code).limit(1)) is not None


def load_demo_places(services: Services) -> str:
    """Import the partnership's fixture extracts unless place data is already loaded; says what it did."""
    p = services.partnership
    files = DEMO_PLACE_FILES.get(p.id)
    if files is None:
        return f"no demo place data for partnership {p.id!r}"
    paths = [FIXTURES / name for name in (*files, HEADER)]
    if not all(path.is_file() for path in paths):
        return f"demo place data not found under {FIXTURES} (a copy without tests/)"
    if read(services.sessions, _has_place_data):
        return "place data already loaded: left as it is"
    wards, onspd, names, header = paths
    common = {"partnership": p, "now": services.clock.now(), "actor": DEMO_PLACES_ACTOR}
    done = [
        import_wards(services.sessions, wards, **common),  # type: ignore[arg-type]
        import_onspd(services.sessions, onspd, **common),  # type: ignore[arg-type]
        import_open_names(services.sessions, names, header=header, **common),  # type: ignore[arg-type]
    ]
    forget_official_places()
    counts = ", ".join(f"{s.imported} {s.source}" for s in done)
    return f"demo place data loaded ({counts}): approximate fixture extracts, for development only"
