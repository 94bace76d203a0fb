"""The ASB Case Review as a state machine, with its deadlines: pure rules, no database.

States: ``applied`` -> ``threshold_met`` | ``threshold_not_met`` (the partnership's decision) ->
``review_meeting`` (a date) -> ``recommendations`` -> ``closed``. The applicant may appeal once, after a
decision that the threshold is not met, after the recommendations, or after closure while the appeal
window is open: ``appeal_requested`` -> ``appeal_decided``; an upheld appeal may lead to a (new) review
meeting, and either way the review is then closed.

Deadlines are working days from the partnership's ``case_review.deadlines`` (``casework.core.workdays``):
a decision within ``decision`` working days of the application, the meeting within ``meeting`` of the
decision, recommendations within ``recommendations`` of the meeting, an appeal asked for within
``appeal_request`` of the decision or recommendations, and decided within ``appeal_decision``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from casework.core.workdays import add_working_days

if TYPE_CHECKING:
    from casework.partnership import CaseReviewDeadlines


class CaseReviewState(StrEnum):
    """Where an application is in the process (the module docstring gives the order)."""

    APPLIED = "applied"
    THRESHOLD_MET = "threshold_met"
    THRESHOLD_NOT_MET = "threshold_not_met"
    REVIEW_MEETING = "review_meeting"
    RECOMMENDATIONS = "recommendations"
    CLOSED = "closed"
    APPEAL_REQUESTED = "appeal_requested"
    APPEAL_DECIDED = "appeal_decided"


STATES = tuple(CaseReviewState)
STATE_LABELS: dict[str, str] = {
    CaseReviewState.APPLIED: "Applied",
    CaseReviewState.THRESHOLD_MET: "Threshold met",
    CaseReviewState.THRESHOLD_NOT_MET: "Threshold not met",
    CaseReviewState.REVIEW_MEETING: "Review meeting",
    CaseReviewState.RECOMMENDATIONS: "Recommendations sent",
    CaseReviewState.CLOSED: "Closed",
    CaseReviewState.APPEAL_REQUESTED: "Appeal requested",
    CaseReviewState.APPEAL_DECIDED: "Appeal decided",
}
Step = Literal[
    "decide", "schedule_meeting", "record_recommendations", "close", "request_appeal", "decide_appeal"
]
# Each step, and the states it may be taken from.
STEPS: dict[str, tuple[CaseReviewState, ...]] = {
    "decide": (CaseReviewState.APPLIED,),
    "schedule_meeting": (
        CaseReviewState.THRESHOLD_MET,
        CaseReviewState.REVIEW_MEETING,
        CaseReviewState.APPEAL_DECIDED,
    ),
    "record_recommendations": (CaseReviewState.REVIEW_MEETING,),
    "close": (
        CaseReviewState.THRESHOLD_NOT_MET,
        CaseReviewState.RECOMMENDATIONS,
        CaseReviewState.APPEAL_DECIDED,
    ),
    "request_appeal": (
        CaseReviewState.THRESHOLD_NOT_MET,
        CaseReviewState.RECOMMENDATIONS,
        CaseReviewState.CLOSED,
    ),
    "decide_appeal": (CaseReviewState.APPEAL_REQUESTED,),
}
STEP_LABELS = {
    "decide": "Record the threshold decision",
    "schedule_meeting": "Set the review meeting date",
    "record_recommendations": "Record the recommendations",
    "close": "Close the Case Review",
    "request_appeal": "Record an appeal request",
    "decide_appeal": "Record the appeal decision",
}


class StepRefused(Exception):
    """The step cannot be taken now; the message says why, for the officer."""


@dataclass(frozen=True)
class ReviewState:
    """What the rules need to know about an application."""

    state: str
    appealed: bool = False  # an appeal was already asked for (one appeal only)
    appeal_upheld: bool | None = None
    appeal_by: datetime | None = None
    meeting_at: datetime | None = None


def allowed_steps(review: ReviewState, now: datetime) -> list[str]:
    """The steps that may be taken now, in the order of the process."""
    return [step for step in STEPS if _why_not(review, step, now) is None]


def _why_not(review: ReviewState, step: str, now: datetime) -> str | None:
    if step not in STEPS:
        return f"unknown step {step!r}"
    if review.state not in STEPS[step]:
        return f"{STEP_LABELS[step]}: not possible while the Case Review is '{STATE_LABELS[review.state]}'"
    if step == "request_appeal":
        if review.appealed:
            return "An appeal has already been asked for; there is one appeal."
        if review.appeal_by is not None and now > review.appeal_by:
            return "The time to ask for an appeal has passed."
    if (
        step == "schedule_meeting"
        and review.state == CaseReviewState.APPEAL_DECIDED
        and not review.appeal_upheld
    ):
        return "The appeal was not upheld: close the Case Review."
    if step == "record_recommendations" and (review.meeting_at is None or review.meeting_at > now):
        return "Record the recommendations once the review meeting has taken place."
    return None


def next_state(review: ReviewState, step: str, now: datetime, *, met: bool | None = None) -> CaseReviewState:
    """The state after taking ``step``; StepRefused when the step is not allowed now."""
    reason = _why_not(review, step, now)
    if reason:
        raise StepRefused(reason)
    if step == "decide":
        if met is None:
            raise StepRefused("Say whether the threshold is met.")
        return CaseReviewState.THRESHOLD_MET if met else CaseReviewState.THRESHOLD_NOT_MET
    return {
        "schedule_meeting": CaseReviewState.REVIEW_MEETING,
        "record_recommendations": CaseReviewState.RECOMMENDATIONS,
        "close": CaseReviewState.CLOSED,
        "request_appeal": CaseReviewState.APPEAL_REQUESTED,
        "decide_appeal": CaseReviewState.APPEAL_DECIDED,
    }[step]


@dataclass(frozen=True)
class Deadlines:
    """Working-day deadlines of the partnership, as functions of when each step happened."""

    days: CaseReviewDeadlines
    tz: str = "Europe/London"

    def decision_due(self, applied_at: datetime) -> datetime:
        """When the threshold decision is due."""
        return add_working_days(applied_at, self.days.decision, self.tz)

    def meeting_due(self, decided_at: datetime) -> datetime:
        """When the review meeting should have been held."""
        return add_working_days(decided_at, self.days.meeting, self.tz)

    def recommendations_due(self, meeting_at: datetime) -> datetime:
        """When the recommendations should reach the applicant."""
        return add_working_days(meeting_at, self.days.recommendations, self.tz)

    def appeal_by(self, told_at: datetime) -> datetime:
        """The last moment to ask for an appeal after a decision or recommendations given at ``told_at``."""
        return add_working_days(told_at, self.days.appeal_request, self.tz)

    def appeal_due(self, requested_at: datetime) -> datetime:
        """When the appeal decision is due."""
        return add_working_days(requested_at, self.days.appeal_decision, self.tz)


def due_for_state(
    state: str,
    *,
    decision_due_at: datetime | None,
    meeting_due_at: datetime | None,
    recommendations_due_at: datetime | None,
    appeal_due_at: datetime | None,
) -> datetime | None:
    """The deadline the current state is working towards (None when nothing is due)."""
    due: dict[str, datetime | None] = {
        CaseReviewState.APPLIED: decision_due_at,
        CaseReviewState.THRESHOLD_MET: meeting_due_at,
        CaseReviewState.REVIEW_MEETING: recommendations_due_at,
        CaseReviewState.APPEAL_REQUESTED: appeal_due_at,
    }
    return due.get(state)
