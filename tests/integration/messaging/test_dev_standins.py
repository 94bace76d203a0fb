"""The dev stand-ins `make run` starts (scripts/devstack.py) accept what the notifier really sends."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from notifier.agencies import signature
from tests.integration.messaging.test_notifier_referrals import get, point_agency, refer, relay

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the agency sink exited: {proc.stdout.read() if proc.stdout else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"the agency sink never listened on {port}")


@pytest.fixture
def agency_sink(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """Start the sink with the command devstack uses, on a copy of the Lichfield file with a free port."""
    from scripts import devstack

    port = free_port()
    text = (
        (ROOT / "partnerships" / "lichfield.yml").read_text().replace("127.0.0.1:8765", f"127.0.0.1:{port}")
    )
    partnership = tmp_path / "lichfield.yml"
    partnership.write_text(text)
    [part] = [p for p in devstack.parts() if p.name == "agencies"]
    env = dict(os.environ, PARTNERSHIP=str(partnership), SMTP_PORT=str(free_port()), PYTHONUNBUFFERED="1")
    env.pop("STAFFS_POLICE_WEBHOOK_SECRET", None)
    log = tmp_path / "sink.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            part.cmd, cwd=part.cwd, env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )
        try:
            wait_for_port(port, proc)
            yield port, log
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_make_run_police_sink_accepts_a_real_signed_referral(services, agency_sink):
    port, log = agency_sink
    point_agency(services, "staffs-police", url=f"http://127.0.0.1:{port}/referrals/staffs-police")
    message_id, reference = refer(services, "staffs-police")
    assert relay(services).drain().sent == 1
    row = get(services, message_id)
    assert row.status == "delivered", row.error_message
    deadline = time.monotonic() + 5
    while f"{reference} (signature checked)" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert f"webhook referral for staffs-police: {reference} (signature checked)" in log.read_text()
    assert "REFUSED" not in log.read_text()


def test_documented_signature_recipe_matches_what_the_notifier_sends():
    """docs/agency-webhooks.md tells agencies how to check the header; the notifier must send exactly that."""
    doc = (ROOT / "docs" / "agency-webhooks.md").read_text()
    assert re.search(
        r"`X-ASB-Signature` \| `sha256=` \+ hex HMAC-SHA256 of `timestamp \+ \"\.\" \+ raw body`", doc
    )
    assert 'expected = "sha256=" + hmac.new(SECRET, timestamp.encode() + b"." + body' in doc
    secret, stamp, body = "s3cret", "1700000000", b'{"reference":"ASB-TEST"}'
    documented = (
        "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )
    assert signature(secret, stamp, body) == documented
