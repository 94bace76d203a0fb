"""One partnership's configuration: the YAML schema, the place index, the cross-checks and the loader.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.partnership.loader import (
    LANDLORD_PLACEHOLDER,
    RISK_LEVELS,
    Agency,
    Partnership,
    PartnershipConfigError,
    QuietHours,
    Rule,
    load_partnership,
    normalise_postcode,
)

__all__ = [
    "Agency",
    "LANDLORD_PLACEHOLDER",
    "Partnership",
    "PartnershipConfigError",
    "QuietHours",
    "RISK_LEVELS",
    "Rule",
    "load_partnership",
    "normalise_postcode",
]
