"""Deleting evidence: rows are marked ``purge`` inside the caller's transaction (retention, erasure),
then ``purge_files`` deletes the stored objects and the rows, after that transaction has committed.

Two steps, so a rolled-back erasure deletes nothing, and a store that is briefly down leaves the rows
marked for the next run (the notifier's daily retention job runs ``purge_files`` too).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from casework.core.bootstrap import Services
from casework.core.db import transaction
from casework.core.models import EvidenceFile
from casework.core.states import EvidenceStatus
from casework.evidence.storage import storage_for

log = logging.getLogger(__name__)


def mark_files_for_purge(session: Session, where: ColumnElement[bool], *, now: datetime) -> int:
    """Mark matching files for deletion and detach them from reports and contacts; returns how many."""
    result = session.execute(
        update(EvidenceFile)
        .where(where, EvidenceFile.status != EvidenceStatus.PURGE)
        .values(status=EvidenceStatus.PURGE, report_id=None, contact_id=None, refusal=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def purge_files(services: Services, *, limit: int = 500) -> int:
    """Delete the stored objects of files marked ``purge``, then their rows; returns files deleted.

    A file still held by Twilio (its delete failed earlier) keeps its row until the MMS job deletes it
    there; the stored copy goes now.
    """
    with transaction(services.sessions) as session:
        rows = session.execute(
            select(EvidenceFile.id, EvidenceFile.storage_key, EvidenceFile.thumb_key, EvidenceFile.source_url)
            .where(EvidenceFile.status == EvidenceStatus.PURGE)
            .order_by(EvidenceFile.id)
            .limit(limit)
        ).all()
    if not rows:
        return 0
    storage = storage_for(services.settings)
    done: list[int] = []
    emptied: list[int] = []
    for row_id, key, thumb, source_url in rows:
        try:
            for k in (key, thumb):
                if k:
                    storage.delete(k)
        except Exception:  # the store is down: keep the row, try again on the next run
            log.warning("evidence purge: could not delete the objects of file %s", row_id, exc_info=True)
            continue
        (emptied if source_url else done).append(row_id)
    with transaction(services.sessions) as session:
        if done:
            session.execute(delete(EvidenceFile).where(EvidenceFile.id.in_(done)))
        if emptied:
            session.execute(
                update(EvidenceFile)
                .where(EvidenceFile.id.in_(emptied))
                .values(storage_key=None, thumb_key=None)
                .execution_options(synchronize_session=False)
            )
    return len(done) + len(emptied)
