"""Run Alembic migrations from code (used by `make run`, the tests and the notifier start-up)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from casework.settings import ROOT


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
