"""Shared fixtures: a fresh, migrated database per test on SQLite and (when configured) PostgreSQL.

PostgreSQL tests run when TEST_DATABASE_URL is set (`.ci/run` sets it); otherwise they are skipped and
pytest's summary says why. Each test gets empty tables; a fixed clock makes time-based rules testable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from casework.cli.migrate import upgrade
from casework.core.bootstrap import Services
from casework.core.clock import FixedClock
from casework.core.db import make_engine, make_session_factory, normalise_url
from casework.core.models import Base
from casework.core.settings import load_settings

# Wednesday 18 November 2026, 10:00 UTC: a working day, outside quiet hours.
FIXED_NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
PG_SKIP_REASON = "PostgreSQL tests skipped: TEST_DATABASE_URL is not set (bash .ci/run sets it)"


CHROMIUM = Path("/usr/bin/chromium")


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI (`REQUIRE_TOOLS=1`, set by .ci/run) the browser and compose checks must run, not skip."""
    if os.environ.get("REQUIRE_TOOLS") != "1":
        return
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    plugin = shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True)
    if not (shutil.which("docker-compose") or (plugin and plugin.returncode == 0)):
        missing.append("a docker compose client (apt-get install docker-compose)")
    if missing:
        raise pytest.UsageError("REQUIRE_TOOLS=1 but missing: " + "; ".join(missing))


def pg_url() -> str | None:
    """The PostgreSQL URL for tests, or None."""
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_url(url) if url else None


def ensure_pg_database(url: str) -> None:
    """Create the test database if it does not exist yet."""
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_migrated() -> str | None:
    url = pg_url()
    if url is None:
        return None
    ensure_pg_database(url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)
    return url


def truncate_all(url: str) -> None:
    """Empty every table (PostgreSQL), keeping the schema."""
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path) -> str:
    """A migrated, empty database: every database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(_sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_pg_migrated")
    if url is None:
        pytest.skip(PG_SKIP_REASON)
    truncate_all(url)
    return url


@pytest.fixture
def pg_db_url(_pg_migrated: str | None) -> str:
    """A migrated, empty PostgreSQL database, for tests that need PostgreSQL itself (SKIP LOCKED)."""
    if _pg_migrated is None:
        pytest.skip(PG_SKIP_REASON)
    truncate_all(_pg_migrated)
    return _pg_migrated


@pytest.fixture
def clock() -> FixedClock:
    """A clock fixed at a working-day morning; tests move it explicitly."""
    return FixedClock(FIXED_NOW)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Override in a test module to change settings (e.g. Twilio credentials)."""
    return {}


@pytest.fixture
def services(db_url: str, clock: FixedClock, settings_overrides: dict[str, object]) -> Iterator[Services]:
    """Services bound to the test database, the fixed clock and the Lichfield partnership (unless a test
    module's ``settings_overrides`` names another)."""
    defaults: dict[str, object] = {
        "DATABASE_URL": db_url,
        "PARTNERSHIP": "lichfield",
        "PUBLIC_BASE_URL": "https://asb.example.org",
        "SECRET_KEY": "test-secret-key-0123456789",
        "INTERNAL_API_TOKEN": "test-internal-token-0123456789",
        "SENDER_ID_KEY": "test-sender-key-0123456789",
        "OPEN311_API_KEYS": "test-open311-key",
        "TWILIO_AUTH_TOKEN": "test-twilio-auth-token",
    }
    settings = load_settings(**{**defaults, **settings_overrides})
    engine = make_engine(db_url)
    yield Services(settings=settings, engine=engine, sessions=make_session_factory(engine), clock=clock)
    engine.dispose()


@pytest.fixture
def app(services: Services):  # type: ignore[no-untyped-def]
    """A fresh Flask app on the test database."""
    from webhook import create_app

    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": True}, services=services)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A test client for the app."""
    return app.test_client()
