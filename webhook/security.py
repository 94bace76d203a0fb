"""Response hardening for the public edge: security headers, request size limit, safe logs.

`init_app(app)` is called by `create_app`. The Content-Security-Policy allows only this site's own
scripts, styles, images and fetches: pages must not use inline scripts, inline event handlers or inline
style attributes (put them in a file under webhook/static/ instead).
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

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
# Paths whose callers speak JSON; everything else gets a short plain-text message.
JSON_PREFIXES = ("/api/", "/chat/messages", "/chat/location", "/open311/", "/healthz")


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
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        message = _too_large_message(app.config.get("MAX_CONTENT_LENGTH"))
        if request.path.startswith(JSON_PREFIXES) or request.is_json:
            resp = jsonify(error=message)
        else:
            resp = Response(message + "\n", mimetype="text/plain")
        resp.status_code = 413
        return resp

    @app.after_request
    def _headers(response: Response) -> Response:
        return security_headers(response, https=https)
