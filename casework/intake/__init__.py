"""Filing a report: the intake contract, routing, risk, duplicate linking, repeats and the ASB Case Review.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.intake.case_review import (
    CaseReviewOutcome,
    NewReportFacts,
    assess_after_diary,
    assess_case_review,
)
from casework.intake.contract import Intake, IntakeError, parse_intake
from casework.intake.filing import file_report, record_report
from casework.intake.linking import LinkError, contacts_following, link_reports, root_of, unlink_report
from casework.intake.repeats import contact_incidents
from casework.intake.signposts import prompts_diary

__all__ = [
    "CaseReviewOutcome",
    "NewReportFacts",
    "assess_case_review",
    "assess_after_diary",
    "contact_incidents",
    "Intake",
    "IntakeError",
    "LinkError",
    "contacts_following",
    "file_report",
    "link_reports",
    "parse_intake",
    "prompts_diary",
    "record_report",
    "root_of",
    "unlink_report",
]
