"""HTTP client for the webhook's internal API (intake, status, places, partnership).

No Rasa imports. The client is built lazily on first use (never at import time) from
WEBHOOK_URL (default http://127.0.0.1:8000) and INTERNAL_API_TOKEN.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import requests

logger = logging.getLogger(__name__)

DEFAULT_WEBHOOK_URL = "http://127.0.0.1:8000"


class WebhookUnavailable(Exception):
    """The webhook could not be reached or failed (network error, timeout, 5xx, bad token)."""


class IntakeRejected(Exception):
    """The webhook refused the report payload (400)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ReportNotFound(Exception):
    """No report with that reference was made by this conversation (404)."""


@dataclass(frozen=True)
class WebhookSettings:
    """Where the webhook is and how to authenticate."""

    base_url: str
    token: str | None
    timeout_seconds: float = 5.0

    @classmethod
    def from_env(cls) -> WebhookSettings:
        """Read WEBHOOK_URL and INTERNAL_API_TOKEN from the environment."""
        return cls(
            base_url=os.environ.get("WEBHOOK_URL", DEFAULT_WEBHOOK_URL).rstrip("/"),
            token=os.environ.get("INTERNAL_API_TOKEN") or None,
        )


def _is_success(status: int) -> bool:
    return 200 <= status < 300


class WebhookClient:
    """Calls the webhook's /api/v1 endpoints with the shared bearer token."""

    PARTNERSHIP_TTL_SECONDS = 300.0

    def __init__(self, settings: WebhookSettings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self._session = session or requests.Session()
        self._partnership: dict[str, Any] | None = None
        self._partnership_at = 0.0

    def _request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        if not self.settings.token:
            raise WebhookUnavailable("INTERNAL_API_TOKEN is not set")
        headers = {"Authorization": f"Bearer {self.settings.token}", "Accept": "application/json"}
        try:
            response = self._session.request(
                method,
                self.settings.base_url + path,
                headers=headers,
                timeout=self.settings.timeout_seconds,
                **kwargs,
            )
        except requests.RequestException as exc:
            raise WebhookUnavailable(f"{method} {path}: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 500 or response.status_code in (401, 403):
            raise WebhookUnavailable(f"{method} {path}: HTTP {response.status_code}")
        return response.status_code, body

    def file_report(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/intake; returns the filed report (201, or 200 on an idempotent replay)."""
        status, body = self._request("POST", "/api/v1/intake", json=payload)
        if _is_success(status) and isinstance(body, dict) and body.get("reference"):
            return body
        if status == 400 and isinstance(body, dict):
            raise IntakeRejected(str(body.get("error", "bad request")), body.get("field"))
        raise WebhookUnavailable(f"intake: unexpected HTTP {status}")

    def report_status(self, *, reference: str, conversation_id: str) -> dict[str, Any]:
        """GET /api/v1/status for a reference made by this conversation."""
        status, body = self._request(
            "GET", "/api/v1/status", params={"reference": reference, "conversation_id": conversation_id}
        )
        if _is_success(status) and isinstance(body, dict):
            return body
        if status in (400, 404):
            raise ReportNotFound(reference)
        raise WebhookUnavailable(f"status: unexpected HTTP {status}")

    def resolve_place(self, text: str) -> dict[str, Any]:
        """GET /api/v1/places/resolve; returns {resolved, ward, place, postcode}."""
        status, body = self._request("GET", "/api/v1/places/resolve", params={"q": text})
        if _is_success(status) and isinstance(body, dict):
            return body
        return {"resolved": False, "ward": None, "place": None, "postcode": None}

    def partnership(self) -> dict[str, Any]:
        """GET /api/v1/partnership, cached for a few minutes."""
        now = time.monotonic()
        if self._partnership is None or now - self._partnership_at > self.PARTNERSHIP_TTL_SECONDS:
            status, body = self._request("GET", "/api/v1/partnership")
            if not (_is_success(status) and isinstance(body, dict)):
                raise WebhookUnavailable(f"partnership: unexpected HTTP {status}")
            self._partnership, self._partnership_at = body, now
        return self._partnership


_client: WebhookClient | None = None


def get_client() -> WebhookClient:
    """Return the process-wide client, building it on first use."""
    global _client
    if _client is None:
        _client = WebhookClient(WebhookSettings.from_env())
    return _client


def set_client(client: WebhookClient | None) -> None:
    """Replace the process-wide client (tests use a client pointed at a local server)."""
    global _client
    _client = client
