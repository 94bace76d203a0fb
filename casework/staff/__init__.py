"""Staff: accounts and sign-in, who may see what, the inbox, triage actions, the staff API and export.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.staff import admin, desk
from casework.staff.access import (
    AccessDenied,
    Actor,
    NotFound,
    agency_involved,
    dashboard_wards,
    get_report_for,
    may_see,
    report_scope,
    require,
)
from casework.staff.accounts import ROLES, StaffInputError, create_staff
from casework.staff.api_reports import Credentials, Unauthenticated, report_for_caller, reports_for_caller
from casework.staff.evidence_files import open_evidence, open_evidence_for_caller
from casework.staff.inbox import STATUSES, InvalidFilter, london_day_start, parse_filters
from casework.staff.sign_in import sign_in, sign_out, signed_in_actor
from casework.staff.triage_steps import TriageError

__all__ = [
    "AccessDenied",
    "Actor",
    "Credentials",
    "InvalidFilter",
    "NotFound",
    "ROLES",
    "STATUSES",
    "StaffInputError",
    "TriageError",
    "Unauthenticated",
    "admin",
    "agency_involved",
    "create_staff",
    "dashboard_wards",
    "get_report_for",
    "desk",
    "get_report_for",
    "london_day_start",
    "open_evidence",
    "open_evidence_for_caller",
    "may_see",
    "parse_filters",
    "report_for_caller",
    "report_scope",
    "reports_for_caller",
    "require",
    "sign_in",
    "sign_out",
    "signed_in_actor",
]
