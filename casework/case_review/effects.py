"""What each Case Review step changes on the application, and what the applicant is told about it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from casework.case_review.steps import Deadlines, StepRefused
from casework.core.models import CaseReviewApplication

Effect = Callable[..., None]


def _need(text: str, what: str) -> str:
    if not text:
        raise StepRefused(f"{what}: required")
    return text


def _decide(
    review: CaseReviewApplication,
    *,
    now: datetime,
    deadlines: Deadlines,
    met: bool | None,
    text: str,
    **_: Any,
) -> None:
    review.threshold_met = met
    review.decision_reason = _need(text, "reason for the decision")
    review.decided_at = now
    if met:
        review.meeting_due_at = deadlines.meeting_due(now)
    else:
        review.appeal_by = deadlines.appeal_by(now)


def _schedule(
    review: CaseReviewApplication,
    *,
    now: datetime,
    deadlines: Deadlines,
    meeting_at: datetime | None,
    **_: Any,
) -> None:
    if meeting_at is None:
        raise StepRefused("meeting date: required")
    review.meeting_at = meeting_at
    review.recommendations_due_at = deadlines.recommendations_due(meeting_at)
    if review.meeting_due_at is None:  # after an upheld appeal
        review.meeting_due_at = deadlines.meeting_due(now)


def _recommend(
    review: CaseReviewApplication, *, now: datetime, deadlines: Deadlines, text: str, **_: Any
) -> None:
    review.recommendations = _need(text, "recommendations")
    review.recommendations_at = now
    if review.appeal_requested_at is None:
        review.appeal_by = deadlines.appeal_by(now)


def _close(review: CaseReviewApplication, *, now: datetime, text: str, **_: Any) -> None:
    review.outcome = _need(text, "outcome")
    review.closed_at = now


def _appeal(
    review: CaseReviewApplication, *, now: datetime, deadlines: Deadlines, text: str, **_: Any
) -> None:
    review.appeal_reason = _need(text, "reason for the appeal")
    review.appeal_requested_at = now
    review.appeal_due_at = deadlines.appeal_due(now)
    review.closed_at = None


def _decide_appeal(
    review: CaseReviewApplication, *, now: datetime, upheld: bool | None, text: str, **_: Any
) -> None:
    if upheld is None:
        raise StepRefused("say whether the appeal is upheld")
    review.appeal_upheld = upheld
    review.appeal_decision = _need(text, "appeal decision")
    review.appeal_decided_at = now
    if upheld:
        review.meeting_at = None
        review.meeting_due_at = None


EFFECTS: dict[str, Effect] = {
    "decide": _decide,
    "schedule_meeting": _schedule,
    "record_recommendations": _recommend,
    "close": _close,
    "request_appeal": _appeal,
    "decide_appeal": _decide_appeal,
}


def message_for(step: str, review: CaseReviewApplication) -> tuple[str, datetime | None]:
    """The text purpose for a step and the date it may name (never the decision's words)."""
    return {
        "decide": ("cr_decision", None),
        "schedule_meeting": ("cr_meeting", review.meeting_at),
        "record_recommendations": ("cr_recommendations", None),
        "close": ("cr_closed", None),
        "request_appeal": ("cr_appeal", review.appeal_due_at),
        "decide_appeal": ("cr_appeal_decided", None),
    }[step]
