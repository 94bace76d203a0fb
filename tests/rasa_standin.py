"""A real local HTTP server standing in for Rasa's REST channel (the port, not the code under test).

It answers `POST /webhooks/rest/webhook` like Rasa: a JSON list of {"recipient_id", "text", "buttons"?},
records every call, and can be switched down (HTTP 503), slow (sleeps past the client's timeout) or up.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[str, str, dict[str, Any]], list[dict[str, Any]]]


def echo(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """Answer every message with 'You said: <message>'."""
    return [{"recipient_id": sender, "text": f"You said: {message}"}]


@dataclass
class RasaStandIn:
    """The running server: its URL, the calls it received and its behaviour switches."""

    url: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)
    mode: str = "up"  # up | down | slow
    slow_seconds: float = 3.0
    reply: Reply = echo
    lock: threading.Lock = field(default_factory=threading.Lock)

    def messages(self) -> list[str]:
        """The messages relayed so far, in order."""
        with self.lock:
            return [c["message"] for c in self.calls]


def _handler(state: RasaStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            return

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            body = b'{"version": "3.6.21"}'
            self.send_response(200 if state.mode == "up" else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/webhooks/rest/webhook":
                self.send_error(404)
                return
            if state.mode == "down":
                self.send_error(503, "Rasa is down")
                return
            with state.lock:
                state.calls.append(payload)
            if state.mode == "slow":
                time.sleep(state.slow_seconds)
            answer = state.reply(
                payload.get("sender", ""), payload.get("message", ""), payload.get("metadata") or {}
            )
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the slow case)

    return Handler


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) drops connections under load and TCP retries them a second later.
    request_queue_size = 256


@contextmanager
def running_rasa(reply: Reply = echo) -> Iterator[RasaStandIn]:
    """Start the stand-in on a free loopback port for the duration of the block."""
    state = RasaStandIn(reply=reply)
    server = _Server(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def free_port_url() -> str:
    """A loopback URL nothing listens on (connection refused: Rasa not started)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class ScriptedReport:
    """A stand-in conversation that walks a noise report and files it through the real intake API.

    Like the real bot's actions, it calls `POST {webhook}/api/v1/intake` with the internal token and
    tells the resident the reference the casework core returned.
    """

    def __init__(self, webhook_url: str, internal_token: str, *, asb_type: str = "noise") -> None:
        self.webhook_url = webhook_url.rstrip("/")
        self.token = internal_token
        self.asb_type = asb_type
        self.slots: dict[str, dict[str, Any]] = {}

    def __call__(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Answer one turn of the scripted report conversation."""
        import requests

        slots = self.slots.setdefault(sender, {"step": 0})
        step = slots["step"]
        slots["step"] = step + 1
        if step == 0:
            slots["description"] = message
            return [
                {
                    "text": "I'm sorry that is happening. Where is it happening? "
                    "A street, landmark or postcode is best."
                }
            ]
        if step == 1:
            slots["location"] = message
            return [{"text": "When did it happen, and is it still going on?"}]
        if step == 2:
            slots["occurred"] = message
            return [
                {
                    "text": "Is it happening to you, or did you see it happen to someone else?",
                    "buttons": [
                        {"title": "It's happening to me", "payload": "/victim"},
                        {"title": "I saw it", "payload": "/witness"},
                    ],
                }
            ]
        if step == 3:
            slots["role"] = "witness" if message == "/witness" else "victim"
            return [
                {
                    "text": "Shall I send your report now?",
                    "buttons": [
                        {"title": "Yes, send it", "payload": "/affirm"},
                        {"title": "Not yet", "payload": "/deny"},
                    ],
                }
            ]
        if message != "/affirm":
            slots["step"] = step
            return [{"text": "OK, I'll wait. Say yes when you want to send it."}]
        payload = {
            "conversation_id": sender,
            "submission_id": "1",
            "channel": metadata.get("channel", "web"),
            "asb_type": self.asb_type,
            "description": slots["description"],
            "location": slots["location"],
            "occurred": slots["occurred"],
            "reporter_role": slots["role"],
        }
        resp = requests.post(
            f"{self.webhook_url}/api/v1/intake",
            json=payload,
            timeout=10,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        resp.raise_for_status()
        filed = resp.json()
        return [
            {
                "text": f"Thank you. Your reference is {filed['reference']}. {filed['lead_agency']['name']} "
                f"will respond {filed['respond_by_text']}. If anyone is in danger, call 999."
            }
        ]
