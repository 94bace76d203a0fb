"""Settings: development runs with generated secrets; production refuses missing or placeholder ones."""

from __future__ import annotations

import pytest

from casework.core.settings import ConfigurationError, Settings

STRONG = "x" * 40


def test_production_refuses_missing_and_placeholder_secrets_and_names_them(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://asb@db/asb")
    monkeypatch.setenv("SECRET_KEY", "change-me")
    monkeypatch.setenv("INTERNAL_API_TOKEN", STRONG)
    monkeypatch.delenv("SENDER_ID_KEY", raising=False)
    with pytest.raises(ConfigurationError) as err:
        Settings()
    assert "SECRET_KEY" in str(err.value) and "SENDER_ID_KEY" in str(err.value)
    assert "INTERNAL_API_TOKEN" not in str(err.value)


def test_production_refuses_the_embedded_database(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("APP_ENV", "production")
    for name in ("SECRET_KEY", "INTERNAL_API_TOKEN", "SENDER_ID_KEY"):
        monkeypatch.setenv(name, STRONG)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        Settings()


def test_production_starts_with_real_secrets(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://asb@db/asb")
    for name in ("SECRET_KEY", "INTERNAL_API_TOKEN", "SENDER_ID_KEY"):
        monkeypatch.setenv(name, STRONG)
    assert Settings().is_production
