"""Evidence on the report page and through the staff API: who may open a file, and the audit of it.

A file opens for exactly those who may open its report (the same rule, casework.staff.access); for
anyone else it does not exist (NotFound, answered 404). Every opening, thumbnails included, is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casework.core.audit import audit
from casework.core.db import transaction
from casework.core.models import EvidenceFile
from casework.core.settings import Settings
from casework.core.states import EvidenceStatus
from casework.evidence import KIND_WORDS, StoredFileMissing, storage_for
from casework.staff.access import Actor, NotFound, get_report_for
from casework.staff.api_reports import Credentials, _caller

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


@dataclass(frozen=True)
class EvidenceItem:
    """One file as the report page lists it."""

    id: int
    kind: str
    label: str
    media_type: str
    size: int
    channel: str
    received_at: datetime
    has_thumbnail: bool


@dataclass(frozen=True)
class EvidenceBytes:
    """A file to send: its bytes, type and a download name made from the reference (never the original)."""

    data: bytes
    media_type: str
    filename: str


def files_on_report(session: Session, report_id: int) -> list[EvidenceItem]:
    """The stored files of a report, oldest first (the caller has already checked access)."""
    rows = session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.report_id == report_id, EvidenceFile.status == EvidenceStatus.STORED)
        .order_by(EvidenceFile.id)
    ).all()
    return [
        EvidenceItem(
            id=r.id,
            kind=r.kind or "file",
            label=KIND_WORDS.get(r.kind or "", "file"),
            media_type=r.media_type or "application/octet-stream",
            size=r.size,
            channel=r.channel,
            received_at=r.created_at,
            has_thumbnail=bool(r.thumb_key),
        )
        for r in rows
    ]


def _locate(
    session: Session, actor: Actor, *, reference: str, file_id: int, thumbnail: bool, now: datetime, via: str
) -> tuple[str, str, str]:
    report = get_report_for(session, actor, reference)
    row = session.get(EvidenceFile, file_id)
    key = (row.thumb_key if thumbnail else row.storage_key) if row is not None else None
    if row is None or row.report_id != report.id or row.status != EvidenceStatus.STORED or not key:
        raise NotFound(f"no file {file_id} on {reference}")
    audit(
        session,
        actor=actor.label,
        action="evidence.view",
        at=now,
        target_type="evidence_file",
        target_id=str(row.id),
        ip=actor.ip,
        detail={"report": report.reference, "thumbnail": thumbnail, "via": via},
    )
    media_type = "image/jpeg" if thumbnail else (row.media_type or "application/octet-stream")
    ext = EXTENSIONS.get(media_type, media_type.rsplit("/", 1)[-1])
    return key, media_type, f"{report.reference}-{row.id}{'-thumb' if thumbnail else ''}.{ext}"


def _read(settings: Settings, located: tuple[str, str, str]) -> EvidenceBytes:
    key, media_type, filename = located
    try:
        data = storage_for(settings).get(key)
    except StoredFileMissing as exc:
        raise NotFound("the stored file is missing") from exc
    return EvidenceBytes(data=data, media_type=media_type, filename=filename)


def open_evidence(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    actor: Actor,
    reference: str,
    file_id: int,
    thumbnail: bool,
    now: datetime,
) -> EvidenceBytes:
    """A signed-in officer opens a file (or its thumbnail) on a report they may open; audited."""
    with transaction(sessions) as session:
        located = _locate(
            session, actor, reference=reference, file_id=file_id, thumbnail=thumbnail, now=now, via="page"
        )
    return _read(settings, located)


def open_evidence_for_caller(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    credentials: Credentials,
    reference: str,
    file_id: int,
    now: datetime,
) -> EvidenceBytes:
    """The staff API: a caller with a token (or session) opens a file on a report they may see; audited."""
    with transaction(sessions) as session:
        actor, via = _caller(session, credentials)
        located = _locate(
            session, actor, reference=reference, file_id=file_id, thumbnail=False, now=now, via=via
        )
    return _read(settings, located)
