"""One partnership's configuration: the YAML schema, the place index, the cross-checks and the loader.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.partnership.endpoints import placeholder_endpoints
from casework.partnership.loader import (
    PARTNERSHIPS_DIR,
    Partnership,
    available_partnerships,
    clear_partnership_cache,
    load_partnership,
    parse_partnership,
    partnership_path,
)
from casework.partnership.place_words import normalise_place_name, normalise_postcode, said_as_place
from casework.partnership.places import PlaceMatch
from casework.partnership.schema import (
    LANDLORD_PLACEHOLDER,
    RISK_LEVELS,
    Agency,
    CaseReviewDeadlines,
    InterventionKind,
    PartnershipConfigError,
    QuietHours,
    Rule,
)

__all__ = [
    "Agency",
    "CaseReviewDeadlines",
    "InterventionKind",
    "LANDLORD_PLACEHOLDER",
    "PARTNERSHIPS_DIR",
    "Partnership",
    "PartnershipConfigError",
    "PlaceMatch",
    "QuietHours",
    "RISK_LEVELS",
    "Rule",
    "available_partnerships",
    "clear_partnership_cache",
    "load_partnership",
    "normalise_place_name",
    "normalise_postcode",
    "parse_partnership",
    "partnership_path",
    "placeholder_endpoints",
    "said_as_place",
]
