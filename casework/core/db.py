"""Engine, sessions and the one transaction rule.

The transaction rule (the only one in this code base):

- A *use case* is a casework function that a door calls (a webhook view, a notifier job, a CLI command).
  It owns its unit of work: it takes the session factory (``sessions``) and opens
  ``with transaction(sessions) as session:``. The block commits when it ends normally and rolls back
  when it raises. A use case that must not hold locks across slow work (the outbox relay) opens several
  short transactions one after another, never one inside another.
- A *rule* function takes data or a session: it reads, adds, changes and flushes, and never commits,
  rolls back or opens a session. It can be composed into any use case and tested with any session.
- Doors (``webhook/``, ``notifier/``, ``scripts/``) never commit and never open a session or a transaction:
  they parse, call one use case and map its result (to a page, a status code, a log line). A door that
  only reads calls ``read(sessions, query, ...)``, which runs one query function as its own use case.

``tests/unit/core/test_structure.py`` checks that no door commits or opens a transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database cannot be reached; callers answer 503 and retry later."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with sensible pools for SQLite (embedded) and PostgreSQL (production)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_timeout", 5)
    kwargs.setdefault("pool_pre_ping", True)
    if url.startswith("postgresql"):
        kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory that keeps loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A use case's unit of work: commit when the block ends normally, roll back when it raises.

    An unreachable database is raised as ``DatabaseUnavailable`` (the doors answer 503 and retry later).
    """
    session = sessions()
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise DatabaseUnavailable(str(exc.orig) if exc.orig else str(exc)) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def read(sessions: sessionmaker[Session], query: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run one query function (``query(session, ...)``) as a read-only use case."""
    with transaction(sessions) as session:
        return query(session, *args, **kwargs)


def wait_for_database(engine: Engine, *, attempts: int = 20, delay: float = 0.5) -> None:
    """Bounded retry at start-up until the database answers."""
    last: Exception | None = None
    for _ in range(attempts):
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except OperationalError as exc:
            last = exc
            time.sleep(delay)
    raise DatabaseUnavailable(
        f"database at {engine.url.render_as_string(hide_password=True)} is not answering: {last}"
    )
