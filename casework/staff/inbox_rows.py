"""What an inbox list shows: its rows with their badges, and the page around them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from casework.staff.badges import Badge

if TYPE_CHECKING:
    from casework.staff.inbox import InboxFilters

COUNT_CAP = 1_000


@dataclass
class InboxRow:
    """One line of the inbox."""

    id: int
    reference: str
    asb_type: str
    status: str
    lead_agency: str
    ward: str | None
    risk_level: str
    hate: bool
    domestic_abuse: bool
    created_at: datetime
    due_at: datetime | None
    linked_to_reference: str | None
    badges: list[Badge] = field(default_factory=list)


@dataclass
class InboxPage:
    """A page of the inbox and how to reach the others."""

    rows: list[InboxRow]
    total: int  # exact up to COUNT_CAP, then COUNT_CAP
    filters: InboxFilters
    has_next: bool = False

    @property
    def total_capped(self) -> bool:
        """True when there are at least COUNT_CAP matches (the exact number is not counted)."""
        return self.total >= COUNT_CAP

    @property
    def pages(self) -> int | None:
        """How many pages the filtered list has, or None when the count was capped."""
        if self.total_capped:
            return None
        return max(1, -(-self.total // self.filters.per_page))
