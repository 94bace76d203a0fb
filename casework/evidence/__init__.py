"""Evidence: photos, recordings and videos residents send by MMS or web chat, checked, cleaned and stored.

Other packages import only the names below; the modules behind them may change.
"""

from __future__ import annotations

from casework.evidence.checks import ACCEPTED_WORDS, Checked, Limits, Refused, check_file
from casework.evidence.fetching import FetchFailed, FetchRun, MediaSource, fetch_sms_media
from casework.evidence.files import (
    KIND_WORDS,
    attach_waiting_files,
    check_bytes,
    put_checked,
    record_stored,
)
from casework.evidence.purge import mark_files_for_purge, purge_files
from casework.evidence.sms_media import MediaItem, media_items, media_url_problem, take_sms_media
from casework.evidence.storage import LocalStorage, S3Storage, Storage, StoredFileMissing, storage_for
from casework.evidence.updates import queue_evidence_update

__all__ = [
    "ACCEPTED_WORDS",
    "Checked",
    "FetchFailed",
    "FetchRun",
    "KIND_WORDS",
    "Limits",
    "LocalStorage",
    "MediaItem",
    "MediaSource",
    "Refused",
    "S3Storage",
    "Storage",
    "StoredFileMissing",
    "attach_waiting_files",
    "check_bytes",
    "check_file",
    "fetch_sms_media",
    "mark_files_for_purge",
    "media_items",
    "media_url_problem",
    "purge_files",
    "put_checked",
    "queue_evidence_update",
    "record_stored",
    "storage_for",
    "take_sms_media",
]
