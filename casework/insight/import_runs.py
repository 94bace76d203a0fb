"""Running an import: the batch is recorded, then its rows are stored in a background thread.

Each chunk of rows is its own short transaction, so the import page can show progress and a failure
keeps what was stored (the batch says where it stopped). Parsing the files is in ``imports``.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casework.core.db import transaction
from casework.core.models import ImportBatch, ImportedIncident
from casework.insight.csv_files import CsvFile, CsvSource, ImportFileError, check_row_count
from casework.insight.imports import (
    CHUNK,
    ImportStatus,
    Incident,
    RowResult,
    mark_stalled,
    recent_batches,
    start_batch,
)


@dataclass
class _Progress:
    source: str
    reasons: Counter[str] = field(default_factory=Counter)
    imported: int = 0
    duplicates: int = 0
    processed: int = 0


def _store_chunk(
    session: Session, batch_id: int, pending: list[Incident], progress: _Progress, stamp: datetime
) -> None:
    """Add the chunk's new incidents (a source id already stored is a duplicate)."""
    ids = {inc.source_id for inc in pending}
    existing = set()
    if ids:
        existing = set(
            session.scalars(
                select(ImportedIncident.source_id).where(
                    ImportedIncident.source == progress.source, ImportedIncident.source_id.in_(ids)
                )
            )
        )
    for inc in pending:
        if inc.source_id in existing:
            progress.duplicates += 1
            continue
        existing.add(inc.source_id)
        session.add(
            ImportedIncident(
                batch_id=batch_id,
                source=progress.source,
                source_id=inc.source_id,
                asb_type=inc.asb_type,
                ward=inc.ward,
                location=inc.location,
                latitude=inc.latitude,
                longitude=inc.longitude,
                occurred_at=inc.occurred_at,
                created_at=stamp,
            )
        )
        progress.imported += 1


def _record_progress(
    session: Session, batch_id: int, progress: _Progress, stamp: datetime, final: bool
) -> None:
    batch = session.get(ImportBatch, batch_id)
    assert batch is not None
    batch.processed_rows = progress.processed
    batch.imported, batch.duplicates = progress.imported, progress.duplicates
    batch.skipped, batch.skip_reasons = sum(progress.reasons.values()), dict(progress.reasons)
    batch.updated_at = stamp
    if final:
        batch.status = ImportStatus.DONE
        batch.finished_at = stamp


def _mark_failed(
    sessions: sessionmaker[Session], batch_id: int, progress: _Progress, exc: Exception, at: datetime
) -> None:
    with transaction(sessions) as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is not None:
            batch.status = ImportStatus.FAILED
            batch.skip_reasons = {
                **dict(progress.reasons),
                f"import stopped: {type(exc).__name__}: {exc}"[:200]: 1,
            }
            batch.finished_at = at


def run_import(
    sessions: sessionmaker[Session],
    *,
    batch_id: int,
    rows: Iterator[RowResult],
    now: Callable[[], datetime],
    chunk: int = CHUNK,
) -> ImportBatch:
    """Store the rows for a batch, one transaction per chunk; marks the batch done (or failed)."""
    with transaction(sessions) as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise ImportFileError(f"no import batch {batch_id}")
        progress = _Progress(source=batch.source)
    pending: list[Incident] = []

    def flush(final: bool) -> None:
        with transaction(sessions) as session:
            stamp = now()
            _store_chunk(session, batch_id, pending, progress, stamp)
            _record_progress(session, batch_id, progress, stamp, final)
        pending.clear()

    try:
        for result in rows:
            progress.processed += 1
            if isinstance(result, str):
                progress.reasons[result] += 1
            else:
                pending.append(result)
            if progress.processed % chunk == 0:
                flush(final=False)
        flush(final=True)
    except Exception as exc:
        _mark_failed(sessions, batch_id, progress, exc, now())
        raise
    with transaction(sessions) as session:
        done = session.get(ImportBatch, batch_id)
        assert done is not None
        return done


def start_import(
    sessions: sessionmaker[Session],
    *,
    source: str,
    filename: str,
    csv_file: CsvSource,
    rows: Iterator[RowResult],
    created_by: int | None,
    actor: str,
    ip: str | None,
    now: Callable[[], datetime],
) -> int:
    """The upload use case: record the batch, then store its rows in a background thread; the batch id.

    ImportFileError (nothing imported) for a file over MAX_ROWS. An uploaded file (CsvFile) is removed
    when the import ends, or at once when it is refused.
    """
    try:
        total_rows = check_row_count(csv_file)
        with transaction(sessions) as session:
            batch = start_batch(
                session,
                source=source,
                filename=filename,
                total_rows=total_rows,
                created_by=created_by,
                now=now(),
                actor=actor,
                ip=ip,
            )
            session.flush()
            batch_id = batch.id
    except BaseException:
        _remove(csv_file)
        raise
    worker = threading.Thread(
        target=_import_then_remove,
        name=f"import-{batch_id}",
        daemon=True,
        args=(csv_file,),
        kwargs={"sessions": sessions, "batch_id": batch_id, "rows": rows, "now": now},
    )
    worker.start()
    return batch_id


def _remove(csv_file: CsvSource) -> None:
    if isinstance(csv_file, CsvFile):
        csv_file.remove()


def _import_then_remove(csv_file: CsvSource, **kwargs: Any) -> None:
    try:
        run_import(**kwargs)
    finally:
        _remove(csv_file)


def batches(sessions: sessionmaker[Session], *, now: datetime) -> list[ImportBatch]:
    """The latest imports, newest first (imports that stopped storing progress are marked failed)."""
    with transaction(sessions) as session:
        mark_stalled(session, now=now)
        return recent_batches(session)


def batch_progress(sessions: sessionmaker[Session], batch_id: int, *, now: datetime) -> ImportBatch | None:
    """One import's progress and summary, or None when there is no such import."""
    with transaction(sessions) as session:
        mark_stalled(session, now=now)
        return session.get(ImportBatch, batch_id)
