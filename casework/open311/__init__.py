"""Open311 GeoReport v2 (with mySociety's updates extension): api keys, requests and updates.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.open311.keys import Open311Error
from casework.open311.requests import (
    create_request,
    get_request,
    list_requests,
    service_definition,
    services_list,
    token_lookup,
)
from casework.open311.service import serve
from casework.open311.updates import list_updates, post_update

__all__ = [
    "Open311Error",
    "create_request",
    "get_request",
    "list_requests",
    "list_updates",
    "post_update",
    "serve",
    "service_definition",
    "services_list",
    "token_lookup",
]
