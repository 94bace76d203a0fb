"""The webhook: the product's only public edge (SMS, web chat, APIs, Open311, staff pages)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from sqlalchemy.exc import OperationalError

from casework.core.bootstrap import Services, build_services
from casework.core.db import DatabaseUnavailable
from casework.core.settings import load_settings
from casework.core.states import RESENDABLE, OutboxStatus, ReportStatus
from casework.insight import ImportStatus

log = logging.getLogger(__name__)

# Blueprints, one per concern; each module exposes `bp`.
BLUEPRINTS = (
    "webhook.health",
    "webhook.openapi",
    "webhook.internal_api",
    "webhook.open311",
    "webhook.staff_api",
    "webhook.auth",
    "webhook.inbox",
    "webhook.subjects",
    "webhook.admin",
    "webhook.dashboard",
    "webhook.case_reviews",
    "webhook.interventions",
    "webhook.performance",
    "webhook.public_stats",
    "webhook.sms",
    "webhook.sms_status",
    "webhook.chat",
)


def _warn_about_places(services: Services) -> None:
    """Log a warning for each hand-written place the imported official data contradicts."""
    from sqlalchemy.exc import SQLAlchemyError

    from casework.core.db import read
    from casework.places import check_against_official

    try:
        warnings = read(services.sessions, check_against_official, services.partnership)
    except SQLAlchemyError as exc:  # not migrated yet, or the database is down: the health check says so
        log.info("places: not checked against official data (%s)", type(exc).__name__)
        return
    for line in warnings:
        log.warning("places: %s", line)


def create_app(test_config: dict[str, Any] | None = None, *, services: Services | None = None) -> Flask:
    """Application factory: build services from settings (or use the given ones) and register blueprints."""
    app = Flask(__name__)
    test_config = dict(test_config or {})
    if services is None:
        overrides = {k: v for k, v in test_config.items() if k.isupper() and k in _settings_fields()}
        services = build_services(load_settings(**overrides))
    settings = services.settings
    services.check_configuration()
    if settings.is_production:
        from casework.cli.seed_demo import refuse_demo_accounts
        from casework.core.db import wait_for_database

        wait_for_database(services.engine)
        refuse_demo_accounts(services)  # their passwords are in the README
    _warn_about_places(services)
    app.config.update(
        SECRET_KEY=settings.SECRET_KEY,
        MAX_CONTENT_LENGTH=1 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.PUBLIC_BASE_URL.startswith("https://"),
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(test_config)
    app.extensions["asb"] = services
    if settings.TRUSTED_PROXY_COUNT:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.TRUSTED_PROXY_COUNT
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    import importlib

    importlib.import_module("webhook.inputs").install(app)  # id/text converters, cleaned form values
    importlib.import_module("webhook.security").init_app(app)  # headers, 413, log redaction
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)
    # Templates name states (ReportStatus.CLOSED), never spell their stored words.
    app.jinja_env.globals.update(
        ReportStatus=ReportStatus, OutboxStatus=OutboxStatus, RESENDABLE=RESENDABLE, ImportStatus=ImportStatus
    )

    @app.errorhandler(DatabaseUnavailable)
    @app.errorhandler(OperationalError)
    def _database_down(exc: Exception):  # type: ignore[no-untyped-def]
        log.error("database unavailable: %s", exc)
        resp = jsonify(error="The service is briefly unavailable (database). Please try again shortly.")
        resp.status_code = 503
        resp.headers["Retry-After"] = "5"
        return resp

    return app


def _settings_fields() -> set[str]:
    from casework.core.settings import Settings

    return set(Settings.model_fields)


def services() -> Services:
    """The current app's services (for views)."""
    from flask import current_app

    return current_app.extensions["asb"]  # type: ignore[no-any-return]
