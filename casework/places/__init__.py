"""Official open data about places: import (ONSPD, OS Open Names, ONS ward boundaries) and resolution.

Other packages import only the names below.
"""

from __future__ import annotations

from casework.places.checks import check_against_official
from casework.places.formats import FormatError
from casework.places.importing import ImportSummary, import_onspd, import_open_names, import_wards
from casework.places.index import OfficialPlaces
from casework.places.mapping import WardMap, report_map, ward_map
from casework.places.service import (
    DEMO_PLACES_ACTOR,
    AreaPlacer,
    NearStreet,
    approximate_place_data,
    area_placer,
    forget_official_places,
    nearest_street,
    official_places,
    place_point,
    place_report,
    resolve_place,
)

__all__ = [
    "DEMO_PLACES_ACTOR",
    "FormatError",
    "ImportSummary",
    "AreaPlacer",
    "NearStreet",
    "approximate_place_data",
    "area_placer",
    "OfficialPlaces",
    "WardMap",
    "check_against_official",
    "forget_official_places",
    "import_onspd",
    "import_open_names",
    "import_wards",
    "nearest_street",
    "official_places",
    "place_point",
    "place_report",
    "report_map",
    "resolve_place",
    "ward_map",
]
