"""Open311 clients: api keys (configured or issued by an admin), the client each key stands for,
and the protocol's errors."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.models import ApiKey, Report

if TYPE_CHECKING:
    pass


class Open311Error(Exception):
    """An Open311 call that cannot be answered: `code` is the HTTP status, `description` says why."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description

    def as_list(self) -> list[dict[str, Any]]:
        """The spec's error body."""
        return [{"code": self.code, "description": self.description}]


@dataclass(frozen=True)
class Client:
    """Who is calling: which api_key (for audit), and the one agency it is limited to, if any."""

    label: str
    agency_id: str | None = None

    def may_see(self, report: Report) -> bool:
        """Whether this client may read or update the report."""
        if self.agency_id is None:
            return True
        return report.lead_agency == self.agency_id or self.agency_id in (report.copied_agencies or [])

    @property
    def actor(self) -> str:
        """The actor string for audit and timeline rows."""
        return f"open311:{self.label}"


# ------------------------------------------------------------------------------------- api keys


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def check_api_key(session: Session, api_key: str | None, *, configured: set[str]) -> Client:
    """The calling client for a valid api_key; Open311Error 403 otherwise."""
    if not api_key:
        raise Open311Error(403, "api_key is required: ASB reports are private.")
    for key in configured:
        if hmac.compare_digest(key.encode(), api_key.encode()):
            return Client(label="config")
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _sha256(api_key)))
    if row is None or row.revoked_at is not None:
        raise Open311Error(403, "api_key is not valid (or has been revoked).")
    return Client(label=f"key{row.id}", agency_id=row.agency_id)
