"""Keep personal data and secrets out of logs: phone numbers masked, secret values and tokens redacted.

Installed once per process (by the webhook's `create_app` and the notifier's `main`). The filter runs in
the log record factory rather than on one handler, so it covers every logger and every handler, including
the ones gunicorn and Flask create after installation.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

# E.164 numbers (+ then 8-15 digits), optionally URL-encoded as Twilio's form fields are (%2B…).
_E164 = re.compile(r"(?:\+|%2B)([1-9]\d{7,14})(?!\d)", re.IGNORECASE)
# UK mobiles written nationally or without the plus: 07700 900123, 07700900123, 447700900123.
_UK_MOBILE = re.compile(r"(?<![\d+])(?:44\s?7|07)\d{3}\s?\d{6}(?!\d)")
_BEARER = re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+")
_SECRET_PARAMS = re.compile(
    r"(?i)\b(api_key|token|access_token|password|auth_token|secret|signature)=([^&\s\"',]+)"
)
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/\s@]+:)([^@\s/]+)@", re.IGNORECASE)
REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 6


def mask_phone_numbers(text: str) -> str:
    """Replace every phone number in the text by a mask keeping only its last three digits."""

    def _mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return "+" + "*" * max(len(digits) - 3, 0) + digits[-3:]

    return _UK_MOBILE.sub(_mask, _E164.sub(_mask, text))


class RedactingFilter(logging.Filter):
    """A logging filter that masks phone numbers and removes secrets from a record's text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret containing another is removed whole.
        self.secrets = sorted(
            {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def redact(self, text: str) -> str:
        """The text with secrets, tokens, URL passwords and phone numbers removed or masked."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
        text = _BEARER.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
        text = _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
        return mask_phone_numbers(text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place (message, exception and stack text); never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call must still not leak its arguments
            message = f"{record.msg} {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_lock = threading.Lock()
_installed: RedactingFilter | None = None
_original_factory: Callable[..., logging.LogRecord] | None = None


def secrets_from_settings(settings: Any) -> list[str]:
    """The secret values a deployment is configured with (never to appear in a log line)."""
    names = (
        "SECRET_KEY",
        "INTERNAL_API_TOKEN",
        "SENDER_ID_KEY",
        "TWILIO_AUTH_TOKEN",
        "STAFF_API_TOKEN",
        "MEDIA_S3_SECRET_ACCESS_KEY",
    )
    values = [str(getattr(settings, n, "") or "") for n in names]
    values += list(getattr(settings, "open311_keys", set()) or ())
    for url_name in ("DATABASE_URL", "RASA_TRACKER_DB_URL", "REDIS_URL"):
        match = _URL_PASSWORD.search(str(getattr(settings, url_name, "") or ""))
        if match:
            values.append(match.group(2))
    return values


def install_log_redaction(secrets: Iterable[str] = ()) -> RedactingFilter:
    """Redact every log record created from now on in this process; safe to call more than once."""
    global _installed, _original_factory
    with _lock:
        if _installed is None:
            _installed = RedactingFilter(secrets)
            _original_factory = logging.getLogRecordFactory()
            base = _original_factory

            def _factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = base(*args, **kwargs)
                assert _installed is not None
                _installed.filter(record)
                return record

            logging.setLogRecordFactory(_factory)
        else:
            # A second app in the same process (tests) may add its own secrets.
            merged = set(_installed.secrets) | {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
            _installed.secrets = sorted(merged, key=len, reverse=True)
        return _installed
