"""Contract: the notifier's real Twilio requests satisfy Twilio's published OpenAPI description.

Stoplight Prism serves `../shared/twilio/twilio_api_v2010.yaml` as a validating mock (`--errors`: any request
that breaks the schema is answered 422, which the client raises). Prism is installed from the npm registry
into the git-ignored `var/tools/prism` on first run; without npm the test is skipped, saying why.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

from casework.core.settings import ROOT, load_settings
from casework.messaging.send_types import Claimed
from notifier.sms import LookupUnavailable, TwilioSmsSender

SPEC = ROOT.parent / "shared" / "twilio" / "twilio_api_v2010.yaml"
PRISM_DIR = ROOT / "var" / "tools" / "prism"
PRISM = PRISM_DIR / "node_modules" / ".bin" / "prism"
ACCOUNT = "AC" + "0" * 32

pytestmark = pytest.mark.slow


def ensure_prism() -> Path:
    """Prism's executable, installed with npm if missing; skip with the reason when that cannot be done."""
    if PRISM.exists():
        return PRISM
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("Twilio contract test skipped: npm is not installed, so Stoplight Prism cannot be set up")
    PRISM_DIR.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(PRISM_DIR), "@stoplight/prism-cli@5"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0 or not PRISM.exists():
        pytest.skip(f"Twilio contract test skipped: npm could not install prism-cli: {result.stderr[-500:]}")
    return PRISM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not SPEC.exists():
        pytest.skip(f"Twilio contract test skipped: {SPEC} is missing")
    executable = ensure_prism()
    port = free_port()
    log = (tmp_path_factory.mktemp("prism") / "prism.log").open("w")
    proc = subprocess.Popen(
        [str(executable), "mock", "-p", str(port), "--errors", str(SPEC)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                requests.get(url, timeout=5)
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Prism did not start: see {log.name}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def sender(prism_url: str, **overrides: str) -> TwilioSmsSender:
    settings = load_settings(
        TWILIO_ACCOUNT_SID=ACCOUNT,
        TWILIO_AUTH_TOKEN="contract-test-token",
        TWILIO_API_BASE_URL=prism_url,
        PUBLIC_BASE_URL="https://asb.example.org",
        **overrides,
    )
    return TwilioSmsSender(settings)


def message(
    body: str = "Ref ASB-26-4F7K: there is an update on your report. For details call 01543 308000.",
    to: str = "+447700900123",
) -> Claimed:
    return Claimed(
        id=41,
        kind="sms",
        transport="sms",
        purpose="status_update",
        recipient=to,
        body=body,
        payload={},
        report_id=1,
        contact_id=1,
        agency_id=None,
        attempts=1,
        claimed_at=datetime.now(UTC),
        claimed_by="contract",
    )


def test_sending_from_a_number_matches_twilios_schema(prism):
    receipt = sender(prism, TWILIO_FROM_NUMBER="+447700900001").send(message())
    assert receipt.provider_id and receipt.provider_id.startswith("SM")
    assert receipt.delivery_status == "queued"


def test_sending_through_a_messaging_service_matches_twilios_schema(prism):
    receipt = sender(prism, TWILIO_MESSAGING_SERVICE_SID="MG" + "1" * 32).send(message())
    assert receipt.provider_id and receipt.provider_id.startswith("SM")


def test_a_long_unicode_text_matches_twilios_schema(prism):
    body = "Ref ASB-1: " + "Diolch \u2014 mae gennym eich adroddiad. " * 8
    assert sender(prism, TWILIO_FROM_NUMBER="+447700900001").send(message(body=body)).provider_id


def test_looking_a_message_up_after_a_crash_matches_twilios_schema(prism):
    # Prism's canned list example breaks Twilio's own schema (relative URIs where format "uri" is required),
    # so with --errors the mock answers 500 about its RESPONSE; the request must still have no violation.
    try:
        found = sender(prism, TWILIO_FROM_NUMBER="+447700900001").lookup(message())
    except LookupUnavailable as exc:
        problem = str(exc)
        assert '"location":["request' not in problem, problem
        assert '"location":["response' in problem, problem
    else:
        assert found == []  # the example message has another number and text


def test_the_mock_really_rejects_a_request_that_breaks_the_schema(prism):
    """Control: proves the contract above can fail (a malformed field is refused by the schema)."""
    resp = requests.post(
        f"{prism}/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
        auth=(ACCOUNT, "x"),
        data={"To": "+447700900123", "Body": "x", "ValidityPeriod": "soon"},
        timeout=10,
    )
    assert resp.status_code == 422 and "ValidityPeriod" in resp.text
    broken = sender(prism, TWILIO_FROM_NUMBER="+447700900001")
    with pytest.raises(TwilioRestException) as refused:
        broken.client.messages.create(
            to="+447700900123", from_="+447700900001", body="x", validity_period="soon"
        )
    assert refused.value.status == 422
