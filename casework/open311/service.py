"""The Open311 use cases: each call checks the api key and runs one operation in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from casework.core.db import transaction
from casework.open311.keys import check_api_key

T = TypeVar("T")


def serve(
    sessions: sessionmaker[Session],
    operation: Callable[..., T],
    *,
    api_key: str | None,
    configured: set[str],
    **kwargs: Any,
) -> T:
    """Check the api key, then run ``operation(session, client=..., **kwargs)``; commits when it returns."""
    with transaction(sessions) as session:
        client = check_api_key(session, api_key, configured=configured)
        return operation(session, client=client, **kwargs)
