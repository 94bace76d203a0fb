"""Relay to Rasa's REST channel (`POST {RASA_URL}/webhooks/rest/webhook`) over loopback."""

from __future__ import annotations

import logging
import zlib
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from casework.conversation import AssistantUnavailable

log = logging.getLogger(__name__)

REST_PATH = "/webhooks/rest/webhook"
# Connecting to a local Rasa is instant when it is up; fail fast when it is not.
CONNECT_TIMEOUT = 3.05


class RasaUnavailable(AssistantUnavailable):
    """Rasa did not answer usefully (refused, timed out, HTTP error or not JSON); the message says which."""


class RasaRefused(RasaUnavailable):
    """Rasa could not be reached at all: the message was certainly not delivered (safe to send elsewhere)."""


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
        except requests.ConnectTimeout as exc:
            raise RasaRefused(f"Rasa at {self.url} did not accept a connection") from exc
        except requests.Timeout as exc:
            raise RasaUnavailable(f"Rasa at {self.url} did not answer within {read_timeout:.1f}s") from exc
        except requests.ConnectionError as exc:
            if _never_connected(exc):
                raise RasaRefused(f"Rasa at {self.url} is unreachable: connection refused") from exc
            raise RasaUnavailable(f"Rasa at {self.url} is unreachable: {type(exc).__name__}") from exc
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


def _never_connected(exc: requests.ConnectionError) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


class ReplicatedRasaClient:
    """Several Rasa replicas sharing a tracker store and a lock store, behind one `send`.

    Each conversation goes to the replica its sender id hashes to, so its turns usually meet warm caches;
    when that replica refuses connections (stopped, restarting) the message goes to the next one, which
    reads the same conversation from the tracker store. A timeout or an HTTP error is NOT retried
    elsewhere: the first replica may have processed the message, and it must not be processed twice.
    """

    def __init__(self, base_urls: list[str], *, timeout: float) -> None:
        self.replicas = [RasaClient(url, timeout=timeout) for url in base_urls]

    def order_for(self, sender: str) -> list[RasaClient]:
        """The replicas in the order to try for this sender: its own first, then the others."""
        start = zlib.crc32(sender.encode("utf-8")) % len(self.replicas)
        return self.replicas[start:] + self.replicas[:start]

    def send(
        self, sender: str, message: str, *, channel: str, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Relay to the sender's replica, or to the next one when it cannot be reached."""
        refused: RasaRefused | None = None
        for replica in self.order_for(sender):
            try:
                return replica.send(sender, message, channel=channel, timeout=timeout)
            except RasaRefused as exc:
                log.warning("%s; trying the next Rasa replica", exc)
                refused = exc
        assert refused is not None
        raise refused


def client_for(settings: Any) -> RasaClient | ReplicatedRasaClient:
    """A client for RASA_URL (or the RASA_URLS replicas); timeout at most 10 s, as Twilio waits 15."""
    timeout = min(float(settings.RASA_TIMEOUT_SECONDS), 10.0)
    urls = settings.rasa_urls
    if len(urls) > 1:
        return ReplicatedRasaClient(urls, timeout=timeout)
    return RasaClient(urls[0], timeout=timeout)
