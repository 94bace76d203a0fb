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


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STAFF_API_TOKEN", "changeme"),
        ("STAFF_API_TOKEN", "1"),
        ("STAFF_API_TOKEN", "short-but-not-a-placeholder"),
        ("STAFF_API_TOKEN", "change-me-change-me-change-me-change-me"),
        ("OPEN311_API_KEYS", "1"),
        ("OPEN311_API_KEYS", f"{STRONG}1,changeme"),
    ],
)
def test_production_refuses_weak_api_tokens_and_names_the_variable(monkeypatch, name, value):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://asb@db/asb")
    for secret in ("SECRET_KEY", "INTERNAL_API_TOKEN", "SENDER_ID_KEY"):
        monkeypatch.setenv(secret, STRONG)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name) as err:
        Settings()
    assert "32 characters" in str(err.value)


def test_production_accepts_long_random_api_tokens_and_leaves_them_optional(monkeypatch):  # type: ignore[no-untyped-def]
    import secrets

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://asb@db/asb")
    for secret in ("SECRET_KEY", "INTERNAL_API_TOKEN", "SENDER_ID_KEY"):
        monkeypatch.setenv(secret, STRONG)
    monkeypatch.setenv("STAFF_API_TOKEN", secrets.token_urlsafe(32))
    monkeypatch.setenv("OPEN311_API_KEYS", f"{secrets.token_urlsafe(32)}, {secrets.token_urlsafe(32)}")
    assert Settings().is_production
    monkeypatch.delenv("STAFF_API_TOKEN")
    monkeypatch.delenv("OPEN311_API_KEYS")
    assert Settings().is_production
