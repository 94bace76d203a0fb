"""The ASB Case Review as a process: applications, their steps and deadlines, and the applicant kept informed.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.case_review.applications import APPLICANTS, CHANNELS
from casework.case_review.queries import ReviewPage, ReviewRow, list_reviews, open_review
from casework.case_review.service import ResidentApplication, advance, apply_as_resident, record_application
from casework.case_review.steps import STATE_LABELS, STATES, STEP_LABELS, CaseReviewState, StepRefused

__all__ = [
    "APPLICANTS",
    "CHANNELS",
    "CaseReviewState",
    "STATES",
    "STATE_LABELS",
    "STEP_LABELS",
    "ResidentApplication",
    "ReviewPage",
    "ReviewRow",
    "StepRefused",
    "advance",
    "apply_as_resident",
    "list_reviews",
    "open_review",
    "record_application",
]
