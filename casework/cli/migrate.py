"""Run Alembic migrations from code (used by `make run`, the tests and the notifier start-up)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from casework.core.settings import ROOT


def alembic_config(url: str) -> Config:
    """An Alembic config for the given database URL."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "casework" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database up to a revision."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database down to a revision."""
    command.downgrade(alembic_config(url), revision)


def main() -> int:
    """`python -m casework.cli.migrate`: migrate the configured database (DATABASE_URL) to the latest
    schema."""
    from casework.core.db import DatabaseUnavailable, make_engine, normalise_url, wait_for_database
    from casework.core.settings import VAR_DIR, get_settings

    url = normalise_url(get_settings().DATABASE_URL)
    if url.startswith("sqlite"):
        VAR_DIR.mkdir(exist_ok=True)
    try:
        wait_for_database(make_engine(url), attempts=10)
    except DatabaseUnavailable as exc:
        print(f"Cannot migrate: {exc}. Check DATABASE_URL and that the database server is running.")
        return 1
    upgrade(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
