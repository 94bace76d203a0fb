"""Local stand-ins for the agencies' systems, so `make run` delivers referrals offline and shows them.

- an SMTP sink (aiosmtpd) on SMTP_HOST:SMTP_PORT (default 127.0.0.1:1025) for email referrals;
- an HTTP receiver on each loopback port used by the partnership's webhook and Open311 agencies: it checks
  the webhook's HMAC signature (as docs/agency-webhooks.md tells agencies to) and answers Open311 POSTs
  with a service_request_id.

Each referral received is printed as one line: which agency, which reference, how it came.
"""

from __future__ import annotations

import hmac
import itertools
import json
import signal
import sys
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from casework.core.settings import get_settings  # noqa: E402
from casework.partnership import Partnership, load_partnership  # noqa: E402
from notifier.agencies import signature  # noqa: E402

_ids = itertools.count(1)


class PrintingSmtpHandler:
    """Print one line per email referral received."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        msg = message_from_bytes(envelope.content)
        print(f"email referral to {', '.join(envelope.rcpt_tos)}: {msg['Subject']}", flush=True)
        return "250 Message accepted for delivery"


Routes = dict[str, tuple[str, str]]  # path prefix -> (agency id, referral method)


def make_handler(partnership: Partnership, routes: Routes) -> type[BaseHTTPRequestHandler]:
    """An HTTP handler for the given path prefixes -> (agency id, method)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - stdlib API
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            path = urlsplit(self.path).path
            match = next(((p, r) for p, r in routes.items() if path.startswith(p)), None)
            if match is None:
                self._answer(404, {"error": f"nothing configured at {path}"})
                return
            agency_id, method = match[1]
            agency = partnership.agency(agency_id)
            if method == "webhook":
                secret = agency.referral.secret() or ""
                stamp = self.headers.get("X-ASB-Timestamp", "")
                expected = "sha256=" + signature(secret, stamp, body)
                if not hmac.compare_digest(expected, self.headers.get("X-ASB-Signature", "")):
                    print(f"webhook referral for {agency_id}: REFUSED (bad signature)", flush=True)
                    self._answer(401, {"error": "bad signature"})
                    return
                doc = json.loads(body or b"{}")
                ref = doc.get("reference") or doc.get("report", {}).get("reference")
                print(f"webhook referral for {agency_id}: {ref} (signature checked)", flush=True)
                self._answer(200, {"received": True})
            else:
                fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                request_id = f"LOCAL-{next(_ids)}"
                print(
                    f"open311 referral for {agency_id}: {fields.get('service_code')} -> {request_id}",
                    flush=True,
                )
                self._answer(201, [{"service_request_id": request_id}])

    return Handler


def main() -> int:
    """Serve until interrupted."""
    settings = get_settings()
    partnership = load_partnership(settings.PARTNERSHIP)
    by_port: dict[int, Routes] = {}
    for agency in partnership.agencies.values():
        ref = agency.referral
        if ref.method in ("webhook", "open311") and ref.url:
            url = urlsplit(ref.url)
            if url.hostname in ("127.0.0.1", "localhost") and url.port:
                by_port.setdefault(url.port, {})[url.path or "/"] = (agency.id, ref.method)
    servers = []
    for port, routes in sorted(by_port.items()):
        server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(partnership, routes))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        names = ", ".join(a for a, _ in routes.values())
        print(f"agency receiver on 127.0.0.1:{port} for {names}", flush=True)
    smtp = Controller(PrintingSmtpHandler(), hostname=settings.SMTP_HOST, port=settings.SMTP_PORT)
    smtp.start()
    print(f"SMTP sink on {settings.SMTP_HOST}:{settings.SMTP_PORT} for email referrals", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    smtp.stop()
    for server in servers:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
