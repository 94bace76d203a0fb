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


@contextmanager
def running_rasa(reply: Reply = echo) -> Iterator[RasaStandIn]:
    """Start the stand-in on a free loopback port for the duration of the block."""
    state = RasaStandIn(reply=reply)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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
