"""Async HTTP client for the webhook's internal API (intake, status, places, partnership).

rasa_sdk runs every action on one event loop, so each call is awaited (aiohttp) with a bounded timeout:
a slow webhook call delays only the conversation that made it, never the others.

No Rasa imports. The client is built lazily on first use (never at import time) from
WEBHOOK_URL (default http://127.0.0.1:8000) and INTERNAL_API_TOKEN.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

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


class DiaryConflict(Exception):
    """The report is closed, or several are open and none was named (the body says which)."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(str(body.get("reason")))
        self.body = body


@dataclass(frozen=True)
class WebhookSettings:
    """Where the webhook is and how to authenticate."""

    base_url: str
    token: str | None
    timeout_seconds: float = 5.0  # the whole call, connecting included
    connect_seconds: float = 2.0

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

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings
        self._partnership: dict[str, Any] | None = None
        self._partnership_at = 0.0

    async def _request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        if not self.settings.token:
            raise WebhookUnavailable("INTERNAL_API_TOKEN is not set")
        headers = {"Authorization": f"Bearer {self.settings.token}", "Accept": "application/json"}
        timeout = aiohttp.ClientTimeout(
            total=self.settings.timeout_seconds,
            connect=min(self.settings.connect_seconds, self.settings.timeout_seconds),
        )
        try:
            # One session per call: a session belongs to one event loop, and the calls are few.
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.request(
                    method, self.settings.base_url + path, headers=headers, **kwargs
                ) as response:
                    status = response.status
                    try:
                        body = await response.json(content_type=None)
                    except ValueError:
                        body = None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise WebhookUnavailable(f"{method} {path}: {type(exc).__name__} {exc}") from exc
        if status >= 500 or status in (401, 403):
            raise WebhookUnavailable(f"{method} {path}: HTTP {status}")
        return status, body

    async def file_report(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/intake; returns the filed report (201, or 200 on an idempotent replay)."""
        status, body = await self._request("POST", "/api/v1/intake", json=payload)
        if _is_success(status) and isinstance(body, dict) and body.get("reference"):
            return body
        if status == 400 and isinstance(body, dict):
            raise IntakeRejected(str(body.get("error", "bad request")), body.get("field"))
        raise WebhookUnavailable(f"intake: unexpected HTTP {status}")

    async def report_status(self, *, reference: str, conversation_id: str) -> dict[str, Any]:
        """GET /api/v1/status for a reference made by this conversation."""
        status, body = await self._request(
            "GET", "/api/v1/status", params={"reference": reference, "conversation_id": conversation_id}
        )
        if _is_success(status) and isinstance(body, dict):
            return body
        if status in (400, 404):
            raise ReportNotFound(reference)
        raise WebhookUnavailable(f"status: unexpected HTTP {status}")

    async def add_diary_entry(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/reports/diary: 201 -> the entry; 404 -> ReportNotFound; 409 -> DiaryConflict."""
        status, body = await self._request("POST", "/api/v1/reports/diary", json=payload)
        if status == 201 and isinstance(body, dict):
            return body
        if status == 404:
            raise ReportNotFound(str(payload.get("reference") or ""))
        if status == 409 and isinstance(body, dict):
            raise DiaryConflict(body)
        if status == 400 and isinstance(body, dict):
            raise IntakeRejected(str(body.get("error", "bad request")), body.get("field"))
        raise WebhookUnavailable(f"diary: unexpected HTTP {status}")

    async def my_reports(self, *, conversation_id: str) -> list[dict[str, Any]]:
        """GET /api/v1/status without a reference: this conversation's latest reports, newest first."""
        status, body = await self._request("GET", "/api/v1/status", params={"conversation_id": conversation_id})
        if _is_success(status) and isinstance(body, dict):
            return list(body.get("reports") or [])
        raise WebhookUnavailable(f"status: unexpected HTTP {status}")

    async def apply_case_review(self, *, conversation_id: str, reference: str | None = None) -> dict[str, Any]:
        """POST /api/v1/case-reviews: apply for an ASB Case Review on this conversation's own reports.

        Returns {status: applied | already_applied | no_reports, reference, decision_by, message}.
        """
        payload = {"conversation_id": conversation_id, "reference": reference}
        status, body = await self._request("POST", "/api/v1/case-reviews", json=payload)
        if status in (200, 201, 404) and isinstance(body, dict) and body.get("status"):
            return body
        raise WebhookUnavailable(f"case review: unexpected HTTP {status}")

    async def resolve_place(self, text: str) -> dict[str, Any]:
        """GET /api/v1/places/resolve; returns {resolved, ward, place, postcode}."""
        status, body = await self._request("GET", "/api/v1/places/resolve", params={"q": text})
        if _is_success(status) and isinstance(body, dict):
            return body
        return {"resolved": False, "ward": None, "place": None, "postcode": None}

    async def partnership(self) -> dict[str, Any]:
        """GET /api/v1/partnership, cached for a few minutes."""
        now = time.monotonic()
        if self._partnership is None or now - self._partnership_at > self.PARTNERSHIP_TTL_SECONDS:
            status, body = await self._request("GET", "/api/v1/partnership")
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
