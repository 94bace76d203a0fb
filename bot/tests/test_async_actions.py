"""The actions share one event loop (rasa_sdk awaits them): a slow webhook call must not stall the others."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from actions import webhook_client
from actions.status import ActionCheckStatus
from actions.submit import ActionSubmitReport
from conftest import make_tracker, texts, user_event
from rasa_sdk.executor import CollectingDispatcher

SLOW_INTAKE_SECONDS = 2.0
TOKEN = "test-token"


class _SlowIntake(BaseHTTPRequestHandler):
    """A webhook whose intake takes two seconds and whose status answers at once."""

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(SLOW_INTAKE_SECONDS)
        self._answer(201, {"reference": "ASB-7K3QXR", "lead_agency": {"name": "Lichfield District Council"}})

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        self._answer(200, {"reference": "ASB-7K3QXR", "status": "open", "status_text": "Open."})

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def slow_webhook() -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowIntake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    webhook_client.set_client(webhook_client.WebhookClient(webhook_client.WebhookSettings(url, TOKEN)))
    yield
    webhook_client.set_client(None)
    server.shutdown()


def test_a_slow_intake_call_does_not_delay_another_conversations_turn(slow_webhook: None) -> None:
    filing = make_tracker(sender_id="sms-filing", slots={"asb_type": "noise", "description": "loud music"})
    asking = make_tracker(
        sender_id="sms-asking", events=[user_event("what about ASB-7K3QXR", "check_status")]
    )
    status_dispatcher = CollectingDispatcher()

    async def both() -> tuple[float, float]:
        started = time.monotonic()

        async def file() -> float:
            await ActionSubmitReport().run(CollectingDispatcher(), filing, {})
            return time.monotonic() - started

        async def ask_a_moment_later() -> float:
            await asyncio.sleep(0.2)  # another resident's message arrives while the intake call is under way
            await ActionCheckStatus().run(status_dispatcher, asking, {})
            return time.monotonic() - started

        submit, status = await asyncio.gather(file(), ask_a_moment_later())
        return submit, status

    submit_seconds, status_seconds = asyncio.run(both())
    assert submit_seconds >= SLOW_INTAKE_SECONDS  # the intake really was slow
    assert status_seconds < 1.0, f"the status turn finished {status_seconds:.1f}s in, behind the slow intake"
    assert any("ASB-7K3QXR" in t or "Open" in t for t in texts(status_dispatcher))
