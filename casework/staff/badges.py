"""The flags on an inbox row or report page: overdue, risk, repeat, case review, diary, linked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casework.core.states import ReportStatus

REPEAT_VICTIM_REPORTS = 2
REPEAT_LOCATION_REPORTS = 3


@dataclass(frozen=True)
class Badge:
    """A short flag on a list row or report page."""

    code: str
    label: str


def is_overdue(
    *, status: str, due_at: datetime | None, first_response_at: datetime | None, now: datetime
) -> bool:
    """True when the response target has passed without a first response on an open report."""
    if due_at is None or status == ReportStatus.CLOSED or first_response_at is not None:
        return False
    return due_at < now


def has_new_diary(
    status: str, last_diary_at: datetime | None, last_public_update_at: datetime | None
) -> bool:
    """True when the resident added to an open report after the last public update they were given."""
    if last_diary_at is None or status == ReportStatus.CLOSED:
        return False
    return last_public_update_at is None or last_diary_at > last_public_update_at


def badges_for(
    *,
    risk_level: str,
    repeat_victim_count: int,
    repeat_location_count: int,
    case_review_eligible: bool,
    linked_count: int,
    overdue: bool,
    hate: bool = False,
    domestic_abuse: bool = False,
    hotspot: bool = False,
    diary_count: int = 0,
    new_diary: bool = False,
) -> list[Badge]:
    """The badges a report earns, most urgent first."""
    badges: list[Badge] = []
    if overdue:
        badges.append(Badge("overdue", "Overdue"))
    if risk_level == "high":
        badges.append(Badge("high-risk", "High risk"))
    if domestic_abuse:
        badges.append(Badge("domestic-abuse", "Domestic abuse"))
    if hate:
        badges.append(Badge("hate", "Hate"))
    if case_review_eligible:
        badges.append(Badge("case-review", "Case review eligible"))
    # Counts include the report itself; thresholds are the partnership defaults (casework.intake.repeats).
    if repeat_victim_count >= REPEAT_VICTIM_REPORTS:
        badges.append(Badge("repeat-victim", f"Repeat victim ({repeat_victim_count})"))
    if hotspot or repeat_location_count >= REPEAT_LOCATION_REPORTS:
        badges.append(Badge("repeat-location", f"Repeat location ({repeat_location_count})"))
    if new_diary:
        badges.append(Badge("new-diary", "New diary entry"))
    if diary_count:
        badges.append(Badge("diary", f"Diary ({diary_count})"))
    if linked_count:
        badges.append(Badge("linked", f"{linked_count} linked"))
    return badges
