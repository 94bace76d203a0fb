"""Process heartbeats: each notifier records that it is alive; /healthz counts the fresh ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casework.core.db import transaction
from casework.core.models import Heartbeat

# A notifier beats every 30 seconds; three missed beats and it is counted as gone.
STALE_AFTER = timedelta(seconds=90)


def beat(sessions: sessionmaker[Session], *, name: str, now: datetime) -> None:
    """Record that the process called ``name`` is alive now."""
    with transaction(sessions) as session:
        row = session.get(Heartbeat, name[:60])
        if row is None:
            session.add(Heartbeat(name=name[:60], beat_at=now, info={}))
        else:
            row.beat_at = now


def forget(sessions: sessionmaker[Session], *, name: str) -> None:
    """Remove a process's heartbeat (on a clean stop), so only running processes are counted."""
    with transaction(sessions) as session:
        row = session.get(Heartbeat, name[:60])
        if row is not None:
            session.delete(row)


def live_processes(sessions: sessionmaker[Session], *, prefix: str, now: datetime) -> int:
    """How many processes named ``prefix...`` beat within ``STALE_AFTER`` (raises if the database is down)."""
    with transaction(sessions) as session:
        beats = session.scalars(select(Heartbeat).where(Heartbeat.name.like(f"{prefix}%"))).all()
    return sum(1 for b in beats if now - b.beat_at <= STALE_AFTER)
