"""The incident diary: residents add "it's happening again" to their report, and are reminded kindly.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.diary.entries import (
    ChooseReport,
    DiaryInputError,
    DiaryReportClosed,
    DiaryReportNotFound,
    DiaryRequest,
    DiaryResult,
    add_diary_entry,
    diary_entries,
    entry_as_dict,
    open_reports_of,
    parse_diary_request,
    record_diary_entry,
)
from casework.diary.reminders import queue_diary_reminders, reminders_due
from casework.diary.when import parse_when

__all__ = [
    "ChooseReport",
    "DiaryInputError",
    "DiaryReportClosed",
    "DiaryReportNotFound",
    "DiaryRequest",
    "DiaryResult",
    "add_diary_entry",
    "diary_entries",
    "entry_as_dict",
    "open_reports_of",
    "parse_diary_request",
    "queue_diary_reminders",
    "record_diary_entry",
    "reminders_due",
    "parse_when",
]
