"""A local stand-in for Twilio's MMS Media API, for tests (never for production).

It serves media the way Twilio does: ``GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/
{MediaSid}`` needs HTTP Basic auth with the account SID and auth token (401 without), then redirects to a
short-lived storage URL on the same server (as Twilio redirects to its media store) which serves the
bytes; ``DELETE .../Media/{MediaSid}.json`` removes the item (204; 404 once gone). Every request is
recorded, so a test can show that a forged URL was never fetched and that each item was deleted.
"""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-twilio-auth-token"


def sid(prefix: str) -> str:
    """A Twilio-shaped SID: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass
class MediaStore:
    """Media items by path, the storage redirects, and every request seen."""

    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    items: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    blobs: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[tuple[str, str, bool]] = field(default_factory=list)  # (method, path, authorised)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def authorised(self, header: str) -> bool:
        """True when the Authorization header carries the account's Basic credentials."""
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"


def _handler(store: MediaStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(
            self, status: int, body: bytes = b"", content_type: str = "application/json", **headers: str
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _record(self) -> tuple[str, bool]:
            path = urlsplit(self.path).path
            ok = store.authorised(self.headers.get("Authorization", ""))
            with store.lock:
                store.requests.append((self.command, path, ok))
            return path, ok

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path, ok = self._record()
            if path.startswith("/storage/"):
                blob = store.blobs.pop(path, None)  # short-lived: one download per redirect
                return self._send(200, blob[0], blob[1]) if blob else self._send(404, b"{}")
            if not ok:
                return self._send(
                    401, b'{"code": 20003, "message": "Authenticate"}', WWW_Authenticate="Basic"
                )
            item = store.items.get(path)
            if item is None:
                return self._send(404, b'{"code": 20404, "message": "not found"}')
            blob_path = f"/storage/{secrets.token_hex(12)}"
            with store.lock:
                store.blobs[blob_path] = item
            host = self.headers.get("Host", "")
            self._send(307, b"", Location=f"http://{host}{blob_path}")

        def do_DELETE(self) -> None:  # noqa: N802
            path, ok = self._record()
            if not ok:
                return self._send(401, b'{"code": 20003, "message": "Authenticate"}')
            with store.lock:
                gone = store.items.pop(path.removesuffix(".json"), None)
            self._send(204 if gone else 404)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


class FakeTwilioMediaServer:
    """The media stand-in on a local port (give ``url`` as TWILIO_API_BASE_URL)."""

    def __init__(self) -> None:
        self.store = MediaStore()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.store))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add(self, message_sid: str, data: bytes, content_type: str) -> str:
        """Hold one media item for a message; returns its MediaUrl as Twilio would send it."""
        path = f"/2010-04-01/Accounts/{self.store.account_sid}/Messages/{message_sid}/Media/{sid('ME')}"
        with self.store.lock:
            self.store.items[path] = (data, content_type)
        return self.url + path

    def held(self) -> int:
        """How many items Twilio still holds."""
        with self.store.lock:
            return len(self.store.items)

    def __enter__(self) -> FakeTwilioMediaServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
