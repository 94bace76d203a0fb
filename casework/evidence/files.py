"""Storing evidence and attaching it to reports: the notifier's MMS fetch job and web chat uploads.

A file goes to the sender's latest open report. When the sender has none yet (they sent the photo
while telling us about it for the first time), it waits with the sender's conversation and is attached
to the report filed from that conversation (``attach_waiting_files``, called when a report is filed).
Each attachment adds a line to the report's timeline; the lead agency is sent an update carrying links
to the files (which open only with the agency's own sign-in or API token).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework.core.models import EvidenceFile, Report, ReportEvent
from casework.core.settings import Settings
from casework.core.states import EvidenceStatus, ReportStatus
from casework.evidence.checks import Checked, Limits, check_file
from casework.evidence.storage import Storage, new_key

log = logging.getLogger(__name__)

KIND_WORDS = {"image": "photo", "audio": "sound recording", "video": "video"}


@dataclass(frozen=True)
class Attached:
    """Where a stored file went: the report's reference, or None while it waits for one."""

    file_id: int
    reference: str | None


def put_checked(storage: Storage, checked: Checked) -> tuple[str, str | None]:
    """Store the file and its thumbnail under fresh random keys; returns (key, thumb_key)."""
    prefix = {"image": "img", "audio": "aud", "video": "vid"}[checked.kind]
    key = new_key(prefix)
    storage.put(key, checked.data, checked.media_type)
    thumb_key = None
    if checked.thumbnail is not None:
        thumb_key = new_key("thumb")
        storage.put(thumb_key, checked.thumbnail, "image/jpeg")
    return key, thumb_key


def latest_open_report(session: Session, *, contact_id: int | None, sender_id: str) -> Report | None:
    """The sender's most recent report that is neither closed nor anonymised."""
    owner = [Report.conversation_id == sender_id]
    if contact_id is not None:
        owner.append(Report.contact_id == contact_id)
    return session.scalar(
        select(Report)
        .where(or_(*owner), Report.status != ReportStatus.CLOSED, Report.anonymised_at.is_(None))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(1)
    )


def record_stored(
    session: Session, row: EvidenceFile, checked: Checked, keys: tuple[str, str | None], now: datetime
) -> Report | None:
    """Mark the row stored and attach it to the sender's open report (if any); returns that report."""
    row.status = EvidenceStatus.STORED
    row.kind = checked.kind
    row.media_type = checked.media_type
    row.size = len(checked.data)
    row.storage_key, row.thumb_key = keys
    row.stored_at = now
    report = latest_open_report(session, contact_id=row.contact_id, sender_id=row.sender_id)
    if report is not None:
        attach(session, row, report, now=now)
    return report


def attach(session: Session, row: EvidenceFile, report: Report, *, now: datetime) -> None:
    """Attach a stored file to a report and note it on the timeline (private: staff and agencies)."""
    row.report_id = report.id
    via = "text message" if row.channel == "sms" else "web chat"
    session.add(
        ReportEvent(
            report_id=report.id,
            kind="evidence",
            public=False,
            body=f"Resident sent a {KIND_WORDS.get(row.kind or '', 'file')} by {via}.",
            data={"file_id": row.id, "kind": row.kind, "channel": row.channel},
            actor="resident",
            created_at=now,
        )
    )
    report.updated_at = now


def attach_waiting_files(session: Session, report: Report, *, now: datetime) -> int:
    """Attach files the sender sent before this report was filed (same contact or conversation)."""
    owner = [EvidenceFile.sender_id == report.conversation_id] if report.conversation_id else []
    if report.contact_id is not None:
        owner.append(EvidenceFile.contact_id == report.contact_id)
    if not owner:
        return 0
    waiting = session.scalars(
        select(EvidenceFile)
        .where(or_(*owner), EvidenceFile.report_id.is_(None), EvidenceFile.status == EvidenceStatus.STORED)
        .order_by(EvidenceFile.id)
    ).all()
    for row in waiting:
        attach(session, row, report, now=now)
    return len(waiting)


def check_bytes(settings: Settings, data: bytes) -> Checked:
    """The configured checks (Refused says why not)."""
    return check_file(data, Limits.from_settings(settings))
