"""scripts/sms_console.py: a person texts through the real signed /sms/inbound path from a terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from casework.core.bootstrap import Services
from casework.core.clock import SystemClock
from casework.core.db import make_engine, make_session_factory
from casework.core.settings import load_settings
from tests.rasa_standin import RasaStandIn, running_rasa

ROOT = Path(__file__).resolve().parents[2]
SECRET = "console-test-secret-key-0123456789"


@pytest.fixture
def live(tmp_path: Path, _sqlite_template: Path) -> Iterator[tuple[str, RasaStandIn]]:
    """The webhook on a loopback port with no TWILIO_AUTH_TOKEN (development signing token)."""
    from webhook import create_app

    path = tmp_path / "console.sqlite3"
    shutil.copy(_sqlite_template, path)
    with running_rasa() as rasa:
        settings = load_settings(
            DATABASE_URL=f"sqlite:///{path}",
            SECRET_KEY=SECRET,
            TWILIO_AUTH_TOKEN="",
            SENDER_ID_KEY="console-sender-key-0123",
            INTERNAL_API_TOKEN="console-token-0123",
            RASA_URL=rasa.url,
            PARTNERSHIP="lichfield",
        )
        engine = make_engine(settings.DATABASE_URL)
        services = Services(
            settings=settings, engine=engine, sessions=make_session_factory(engine), clock=SystemClock()
        )
        server = make_server("127.0.0.1", 0, create_app({"TESTING": True}, services=services), threaded=True)
        url = f"http://127.0.0.1:{server.server_port}"
        settings.PUBLIC_BASE_URL = url
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield url, rasa
        finally:
            server.shutdown()
            engine.dispose()


def run_console(url: str, lines: str, *, secret: str = SECRET) -> str:
    env = {
        **os.environ,
        "PUBLIC_BASE_URL": url,
        "SECRET_KEY": secret,
        "TWILIO_AUTH_TOKEN": "",
        "SENDER_ID_KEY": "x" * 20,
        "INTERNAL_API_TOKEN": "y" * 20,
        "APP_ENV": "development",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sms_console.py"), "--url", url],
        input=lines,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_console_chats_through_the_signed_path(live):
    url, rasa = live
    out = run_console(url, "HELP\nthere is noise\n")
    assert "sms> This is the Lichfield District CSP number" in out
    assert "sms> You said: there is noise" in out
    assert "segment(s), GSM-7" in out
    assert rasa.messages() == ["there is noise"]
    assert rasa.calls[0]["sender"].startswith("sms-")


def test_the_console_with_the_wrong_secret_is_refused(live):
    url, rasa = live
    out = run_console(url, "hello\n", secret="another-secret-key-0123456789")
    assert "403: signature refused" in out
    assert rasa.calls == []
