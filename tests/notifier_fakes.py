"""Helpers for the notifier's tests: reports and contacts in the database, and a local HTTP receiver."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.orm import Session

from casework.core.models import Contact, Report

_seq = itertools.count(1)


def make_contact(
    session: Session, now: datetime, *, phone: str | None = "+447700900123", **kw: Any
) -> Contact:
    """A contact reachable by SMS (or not, with phone=None)."""
    n = next(_seq)
    contact = Contact(
        sender_id=f"sms:test{n}",
        channel="sms" if phone else "web",
        phone=phone,
        created_at=now,
        updated_at=now,
        **kw,
    )
    session.add(contact)
    session.flush()
    return contact


def make_report(session: Session, now: datetime, *, contact: Contact | None = None, **kw: Any) -> Report:
    """An open report that wants updates by text, with identifying details a text must never carry."""
    n = next(_seq)
    values: dict[str, Any] = {
        "reference": f"ASB-{n:05d}",
        "asb_type": "noise",
        "nsir_class": "nuisance",
        "description": "John Smith at number 12 plays drum and bass every night",
        "location_text": "12 Elm Street, Chasetown",
        "ward": "Chasetown",
        "postcode": "WS7 1AA",
        "lead_agency": "ldc",
        "channel": "sms",
        "wants_updates": True,
        "text_safe": True,
        "created_at": now,
        "updated_at": now,
        "contact_id": contact.id if contact else None,
    }
    values.update(kw)
    report = Report(**values)
    session.add(report)
    session.flush()
    return report


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """A real local HTTP server in a thread that records POSTs and answers a configurable status."""

    status: int = 200
    answer: bytes = b"{}"
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        state = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                state.received.append(Received(self.path, dict(self.headers.items()), body))
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(state.answer)))
                self.end_headers()
                self.wfile.write(state.answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the receiver."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> HttpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
