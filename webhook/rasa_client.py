"""Relay to Rasa's REST channel (`POST {RASA_URL}/webhooks/rest/webhook`) over loopback."""

from __future__ import annotations

import logging
from typing import Any

import requests

from casework.conversation import AssistantUnavailable

log = logging.getLogger(__name__)

REST_PATH = "/webhooks/rest/webhook"
# Connecting to a local Rasa is instant when it is up; fail fast when it is not.
CONNECT_TIMEOUT = 3.05


class RasaUnavailable(AssistantUnavailable):
    """Rasa did not answer usefully (refused, timed out, HTTP error or not JSON); the message says which."""


class RasaClient:
    """Sends one resident message to Rasa and returns its messages, like Rasa's REST channel."""

    def __init__(self, base_url: str, *, timeout: float) -> None:
        self.url = base_url.rstrip("/") + REST_PATH
        self.timeout = timeout

    def send(
        self, sender: str, message: str, *, channel: str, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Relay a message with the opaque sender id and the channel as metadata."""
        read_timeout = min(timeout if timeout is not None else self.timeout, self.timeout)
        payload = {"sender": sender, "message": message, "metadata": {"channel": channel}}
        try:
            resp = requests.post(
                self.url, json=payload, timeout=(min(CONNECT_TIMEOUT, read_timeout), max(read_timeout, 0.1))
            )
        except requests.Timeout as exc:
            raise RasaUnavailable(f"Rasa at {self.url} did not answer within {read_timeout:.1f}s") from exc
        except requests.RequestException as exc:
            raise RasaUnavailable(f"Rasa at {self.url} is unreachable: {type(exc).__name__}") from exc
        if not 200 <= resp.status_code < 300:
            raise RasaUnavailable(f"Rasa at {self.url} answered HTTP {resp.status_code}")
        try:
            body = resp.json()
        except ValueError as exc:
            raise RasaUnavailable(f"Rasa at {self.url} answered with something that is not JSON") from exc
        if not isinstance(body, list):
            raise RasaUnavailable(f"Rasa at {self.url} answered JSON that is not a list of messages")
        return body


def client_for(settings: Any) -> RasaClient:
    """A client for the configured RASA_URL and RASA_TIMEOUT_SECONDS (capped at 10 s: Twilio waits 15)."""
    return RasaClient(settings.RASA_URL, timeout=min(float(settings.RASA_TIMEOUT_SECONDS), 10.0))
