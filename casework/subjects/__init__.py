"""Subjects: the people, households and addresses reports are about, recorded once by staff and linked
across reports, with repeat subjects and locations. Staff only: never shown to residents, never in a text.
Access follows the reports (an agency sees subjects and reports through the reports it may open).

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.subjects.directory import RepeatLocation
from casework.subjects.privacy import purge_subjects
from casework.subjects.records import KINDS, SubjectError, SubjectPage, SubjectSummary, label
from casework.subjects.service import (
    ReportSubjects,
    api_subjects,
    erase_subject,
    link_subject,
    record_subject,
    report_section,
    subject_access,
    subject_page,
    subjects_index,
    unlink_subject,
)

__all__ = [
    "KINDS",
    "RepeatLocation",
    "ReportSubjects",
    "SubjectError",
    "SubjectPage",
    "SubjectSummary",
    "api_subjects",
    "erase_subject",
    "label",
    "link_subject",
    "purge_subjects",
    "record_subject",
    "report_section",
    "subject_access",
    "subject_page",
    "subjects_index",
    "unlink_subject",
]
