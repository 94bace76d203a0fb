"""A local stand-in for Twilio's Messages API, for tests and `bench/notifier` (never for production).

It answers the two calls the notifier makes (create a message; list messages to a number) in Twilio's
JSON shape, records every create request, and can be told to refuse numbers with Twilio error codes.
Run alone: ``python -m tests.fakes.twilio --port 4599`` (prints one line per message).
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeTwilio:
    """The recorded state: every message created, and the refusals to give."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    # To number -> (HTTP status, Twilio error code, message) to answer instead of creating.
    refuse: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    # Seconds to wait before answering a create, like the real API's round trip (0 = answer at once).
    latency: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, account: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Create (record) a message, or answer an error as Twilio would."""
        if self.latency:
            time.sleep(self.latency)
        to = form.get("To", "")
        if not to or not (form.get("From") or form.get("MessagingServiceSid")):
            return 400, _error(21604, "A 'To' and a 'From' or 'MessagingServiceSid' are required.")
        if to in self.refuse:
            status, code, text = self.refuse[to]
            return status, _error(code, text, status)
        now = datetime.now(UTC)
        body = form.get("Body", "")
        message: dict[str, Any] = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": account,
            "to": to,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": body,
            "status": "queued",
            "num_segments": "1" if len(body) <= 160 else str(-(-len(body) // 153)),
            "num_media": "0",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": format_datetime(now),
            "date_updated": format_datetime(now),
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "GBP",
            "uri": f"/2010-04-01/Accounts/{account}/Messages/x.json",
            "subresource_uris": {},
            "_status_callback": form.get("StatusCallback"),
            "_smart_encoded": form.get("SmartEncoded"),
            "_created": now,
        }
        message["uri"] = f"/2010-04-01/Accounts/{account}/Messages/{message['sid']}.json"
        with self.lock:
            self.messages.append(message)
        return 201, _public(message)

    def list(self, account: str, query: dict[str, str]) -> dict[str, Any]:
        """Messages to a number, newest first (the filter the notifier's reconciliation uses)."""
        to = query.get("To")
        size = int(query.get("PageSize", "50"))
        with self.lock:
            found = [m for m in self.messages if to is None or m["to"] == to]
        found = sorted(found, key=lambda m: m["_created"], reverse=True)[:size]
        uri = f"/2010-04-01/Accounts/{account}/Messages.json"
        return {
            "messages": [_public(m) for m in found],
            "end": max(len(found) - 1, 0),
            "first_page_uri": uri,
            "next_page_uri": None,
            "page": 0,
            "page_size": size,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if not k.startswith("_")}


def _error(code: int, message: str, status: int = 400) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _handler(state: FakeTwilio, verbose: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; without NODELAY, Nagle plus delayed ACKs add ~40 ms
        # to every keep-alive request and the benchmark would measure that instead of the notifier.
        disable_nagle_algorithm = True

        def _account(self) -> str | None:
            parts = urlsplit(self.path).path.split("/")
            # /2010-04-01/Accounts/{sid}/Messages.json
            if (
                len(parts) == 5
                and parts[1] == "2010-04-01"
                and parts[2] == "Accounts"
                and parts[4] == "Messages.json"
            ):
                return parts[3]
            return None

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            account = self._account()
            if account is None:
                return self._answer(404, _error(20404, "not found", 404))
            if not self.headers.get("Authorization", "").startswith("Basic "):
                return self._answer(401, _error(20003, "Authenticate", 401))
            form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            status, payload = state.create(account, form)
            if verbose:
                print(f"{status} {form.get('To')} {form.get('Body')}", flush=True)
            self._answer(status, payload)

        def do_GET(self) -> None:  # noqa: N802
            account = self._account()
            if account is None:
                return self._answer(404, _error(20404, "not found", 404))
            query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            self._answer(200, state.list(account, query))

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


class FakeTwilioServer:
    """The fake on a local port, served from a background thread."""

    def __init__(self, port: int = 0, *, verbose: bool = False, latency: float = 0.0) -> None:
        self.state = FakeTwilio(latency=latency)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.state, verbose))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give as TWILIO_API_BASE_URL."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeTwilioServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    """Serve the fake until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=4599)
    args = parser.parse_args()
    with FakeTwilioServer(port=args.port, verbose=True) as server:
        print(f"fake Twilio on {server.url}", flush=True)
        server.thread.join()


if __name__ == "__main__":
    main()
