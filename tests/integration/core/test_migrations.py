"""Migrations build the schema the models describe, and unwind cleanly, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from casework.cli.migrate import downgrade, upgrade
from casework.core.models import Base


def test_models_match_the_migrations(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; run `make migration m='...'`: {diff}"


def test_an_empty_database_migrates_down_and_up_again(db_url: str) -> None:
    downgrade(db_url, "base")
    engine = create_engine(db_url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade(db_url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM reports")) == 0
    engine.dispose()
