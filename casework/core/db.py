"""Engine, sessions and the unit of work: every change commits explicitly or rolls back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker


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
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session; roll back unless the caller committed."""
    session = factory()
    try:
        yield session
    except OperationalError as exc:
        session.rollback()
        raise DatabaseUnavailable(str(exc.orig) if exc.orig else str(exc)) from exc
    finally:
        session.rollback()
        session.close()


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
