"""Data protection: retention, subject access and erasure, and keeping personal data out of logs.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.privacy.redaction import install_log_redaction, mask_phone_numbers, secrets_from_settings
from casework.privacy.retention import delete_trackers_for, run_retention
from casework.privacy.subject_access import (
    OpenReportsNeedConfirmation,
    erase,
    record_request,
    subject_access,
    subject_files,
)

__all__ = [
    "OpenReportsNeedConfirmation",
    "delete_trackers_for",
    "erase",
    "install_log_redaction",
    "mask_phone_numbers",
    "record_request",
    "run_retention",
    "secrets_from_settings",
    "subject_access",
    "subject_files",
]
