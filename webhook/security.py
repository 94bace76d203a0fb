"""Response hardening for the public edge: security headers, request size limit, safe logs.

`init_app(app)` is called by `create_app`. The Content-Security-Policy allows only this site's own
scripts, styles, images and fetches: pages must not use inline scripts, inline event handlers or inline
style attributes (put them in a file under webhook/static/ instead).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from casework.evidence import Limits
from casework.privacy import install_log_redaction, secrets_from_settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
# Blueprints whose answers are personal or secret (staff pages, sign-in, admin, the staff, intake and
# Open311 APIs): browsers and proxies must not keep a copy (Cache-Control: no-store).
NO_STORE_BLUEPRINTS = frozenset(
    {"staff_auth", "staff_inbox", "staff_admin", "staff_dashboard", "staff_api", "internal_api", "open311"}
)
# Paths whose callers speak JSON; everything else gets a short plain-text message.
JSON_PREFIXES = ("/api/", "/chat/messages", "/chat/upload", "/chat/location", "/open311/", "/healthz")
# Routes that take files get their own, larger body limit (the largest evidence file plus the form).
UPLOAD_PATHS = ("/chat/upload",)
FORM_ALLOWANCE = 256 * 1024


View = TypeVar("View", bound=Callable[..., object])


def body_limit(max_bytes: int) -> Callable[[View], View]:
    """Let one view accept bodies up to max_bytes instead of the app's MAX_CONTENT_LENGTH (file uploads).

    Put it directly under the route decorator. The app-wide check below reads it before any other
    before-request hook (CSRF reads the form), so the larger limit applies from the start.
    """

    def mark(view: View) -> View:
        view.body_limit = max_bytes  # type: ignore[attr-defined]
        return view

    return mark


def _limit_for_request(app: Flask) -> int | None:
    """The body size limit of the current request's route: uploads, a view's own, else the app's."""
    if request.path in UPLOAD_PATHS:
        return Limits.from_settings(app.extensions["asb"].settings).largest + FORM_ALLOWANCE
    view = app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "body_limit", None)
    return int(limit) if limit is not None else app.config.get("MAX_CONTENT_LENGTH")


def security_headers(response: Response, *, https: bool) -> Response:
    """Add the security headers every response carries (HSTS only when served over https)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if https:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _too_large_message(limit: int | None) -> str:
    size = f"{limit // 1024} KB" if limit and limit < 1024 * 1024 else f"{(limit or 0) // (1024 * 1024)} MB"
    return f"That was too large to accept (the limit is {size}). Please send something shorter."


def init_app(app: Flask) -> None:
    """Register security headers, the friendly 413 and log redaction on the app."""
    settings = app.extensions["asb"].settings
    https = settings.PUBLIC_BASE_URL.lower().startswith("https://")
    install_log_redaction(secrets_from_settings(settings))

    @app.before_request
    def _refuse_oversized_bodies() -> None:
        # Werkzeug only enforces MAX_CONTENT_LENGTH when a view reads the body; refuse it up front so
        # every route behaves the same, whether or not it reads what was sent.
        # A view marked with body_limit() has its own limit, which Werkzeug then enforces while reading.
        limit = _limit_for_request(app)
        request.max_content_length = limit
        if limit is not None and request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        message = _too_large_message(_limit_for_request(app))
        if request.path.startswith(JSON_PREFIXES) or request.is_json:
            resp = jsonify(error=message)
        else:
            resp = Response(message + "\n", mimetype="text/plain")
        resp.status_code = 413
        return resp

    @app.after_request
    def _headers(response: Response) -> Response:
        endpoint = request.endpoint or ""
        if request.blueprint in NO_STORE_BLUEPRINTS and not endpoint.endswith(".static"):
            response.headers["Cache-Control"] = "no-store"
        return security_headers(response, https=https)
