"""Production refuses to start (web and notifier) while the README's demo accounts exist."""

from __future__ import annotations

import logging

import pytest

from casework.cli.seed_demo import DEMO_STAFF, seed_staff
from casework.core.bootstrap import Services
from casework.core.db import make_engine, make_session_factory
from casework.core.settings import ConfigurationError, get_settings, load_settings
from tests.conftest import FIXED_NOW
from tests.factories import cheap_password_hashing, make_staff

STRONG = "s3cr3t-" + "q" * 40
PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": STRONG,
    "INTERNAL_API_TOKEN": STRONG + "i",
    "SENDER_ID_KEY": STRONG + "s",
    # The shipped partnership's agency endpoints are stand-ins, refused in production by their own check;
    # these tests are about the demo accounts.
    "ALLOW_PLACEHOLDER_ENDPOINTS": True,
}


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def _production_services(url: str) -> Services:
    settings = load_settings(DATABASE_URL=url, **PRODUCTION)
    engine = make_engine(url)
    return Services(settings=settings, engine=engine, sessions=make_session_factory(engine))


def test_the_web_refuses_to_start_in_production_while_demo_accounts_exist(pg_db_url):  # type: ignore[no-untyped-def]
    from webhook import create_app

    services = _production_services(pg_db_url)
    with services.sessions() as db:
        make_staff(db, "admin", email="real.admin@lichfield.example")
        db.commit()
    assert create_app(services=services) is not None  # real accounts only: starts
    with services.sessions() as db:
        seed_staff(db, now=FIXED_NOW)
        db.commit()
    with pytest.raises(ConfigurationError) as err:
        create_app(services=services)
    message = str(err.value)
    assert all(email in message for email, *_ in DEMO_STAFF)
    assert "real.admin@lichfield.example" not in message
    assert "python -m casework.cli.seed_demo --remove" in message
    services.engine.dispose()


def test_the_notifier_refuses_to_start_in_production_while_demo_accounts_exist(  # type: ignore[no-untyped-def]
    pg_db_url, monkeypatch, caplog
):
    from notifier.main import main

    services = _production_services(pg_db_url)
    with services.sessions() as db:
        seed_staff(db, now=FIXED_NOW)
        db.commit()
    services.engine.dispose()
    for name, value in {**PRODUCTION, "DATABASE_URL": pg_db_url, "PARTNERSHIP": "lichfield"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.CRITICAL, logger="notifier"):
            assert main([]) == 2
    finally:
        get_settings.cache_clear()
    assert "admin@demo.asb.local" in caplog.text


def test_demo_accounts_are_removed_by_the_documented_command_even_in_production(  # type: ignore[no-untyped-def]
    pg_db_url, monkeypatch
):
    from casework.cli.seed_demo import demo_accounts, main

    services = _production_services(pg_db_url)
    with services.sessions() as db:
        seed_staff(db, now=FIXED_NOW)
        make_staff(db, "admin", email="real.admin@lichfield.example")
        db.commit()
    for name, value in {**PRODUCTION, "DATABASE_URL": pg_db_url}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        assert main(["--remove"]) == 0
        assert main([]) == 2  # seeding itself is still refused in production
    finally:
        get_settings.cache_clear()
    with services.sessions() as db:
        assert demo_accounts(db) == []
        from sqlalchemy import select

        from casework.core.models import StaffUser

        assert db.scalars(select(StaffUser.email)).all() == ["real.admin@lichfield.example"]
    services.engine.dispose()
