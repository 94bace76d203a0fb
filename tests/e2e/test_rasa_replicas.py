"""`make stack-prod` (scripts/prodstack.py) runs the production stack without Docker, with two Rasa replicas
sharing the SQL tracker store (PostgreSQL) and the Redis lock store: a conversation whose turns alternate
between the replicas keeps its state and files its report; the web chat relays through both replicas.

Runs the real trained assistant: skipped only when .venv-bot or a trained model is missing (`make test`
trains first, so in CI it runs). Uses a private PostgreSQL server of its own, so nothing shared is touched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, select, text

from bench.load.resident import chat_sender, converse, rasa_sender
from casework.core.models import Report
from tests.e2e.bot_processes import ROOT, bot_missing, free_port
from tests.pg_instance import pg_available, private_postgres

pytestmark = pytest.mark.slow
STACK_TIMEOUT = 1200


@pytest.fixture(scope="module")
def prod_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """scripts/prodstack.py on free ports, against a private PostgreSQL and the local Redis."""
    reason = bot_missing() or pg_available()
    if reason:
        pytest.skip(reason)
    log_path = tmp_path_factory.mktemp("prodstack") / "stack.log"
    with private_postgres() as pg:
        ports = {"webhook": free_port(), "rasa": [free_port(), free_port()], "actions": free_port()}
        env = {
            **os.environ,
            "SECRET_KEY": "replica-test-secret-key-0123456789",
            "INTERNAL_API_TOKEN": "replica-test-internal-token-0123456789",
            "SENDER_ID_KEY": "replica-test-sender-key-0123456789",
            "TWILIO_AUTH_TOKEN": "replica-test-twilio-token-0123456789",
        }
        cmd = [
            sys.executable,
            str(ROOT / "scripts" / "prodstack.py"),
            "--database-url",
            pg.url("asb_prod"),
            "--rasa-database",
            "asb_rasa",
            "--redis-db",
            "9",
            "--webhook-port",
            str(ports["webhook"]),
            "--rasa-ports",
            ",".join(str(p) for p in ports["rasa"]),
            "--actions-port",
            str(ports["actions"]),
            "--workers",
            "2",
        ]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            deadline = time.time() + STACK_TIMEOUT
            while b"stack is running" not in log_path.read_bytes():
                assert proc.poll() is None, f"the stack stopped:\n{log_path.read_text()[-4000:]}"
                assert time.time() < deadline, f"the stack did not start:\n{log_path.read_text()[-4000:]}"
                time.sleep(2)
            yield {"pg": pg, "ports": ports, "proc": proc, "log": log_path}
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


def test_a_conversation_alternating_between_replicas_keeps_its_state(prod_stack: dict[str, Any]) -> None:
    replicas = [f"http://127.0.0.1:{p}" for p in prod_stack["ports"]["rasa"]]
    sender = "sms-" + os.urandom(16).hex()
    senders = [rasa_sender(url, sender, channel="sms") for url in replicas]
    served: list[str] = []

    def alternate(message: str):  # type: ignore[no-untyped-def]
        replica = len(served) % 2
        served.append(replicas[replica])
        return senders[replica](message)

    convo = converse(sender, alternate)

    assert convo.completed, [(t.sent, t.answer, t.error) for t in convo.turns]
    assert len(convo.turns) >= 4 and set(served) == set(replicas)
    # Each replica asked the next question of the form the other one had started: the state was shared.
    asked = [" ".join(t.answer).lower() for t in convo.turns]
    assert "where is it happening" in asked[0] and "own your home or rent" in asked[1]
    engine = create_engine(prod_stack["pg"].url("asb_prod"))
    with engine.connect() as conn:
        filed = conn.execute(
            select(Report.reference, Report.asb_type).where(Report.reference == convo.reference)
        ).one()
    engine.dispose()
    assert filed.asb_type == "noise"
    tracker = create_engine(prod_stack["pg"].url("asb_rasa"))
    with tracker.connect() as conn:
        events = conn.scalar(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender})
    tracker.dispose()
    assert events and events > 20


def test_the_webhook_relays_web_chat_through_the_replicas_and_the_stack_is_healthy(
    prod_stack: dict[str, Any],
) -> None:
    webhook = f"http://127.0.0.1:{prod_stack['ports']['webhook']}"
    convos = [converse(f"chat-{n}", chat_sender(webhook)) for n in range(2)]
    assert all(c.completed for c in convos), [(c.error, [t.answer for t in c.turns][-2:]) for c in convos]
    deadline = time.time() + 60
    while True:
        health = requests.get(webhook + "/healthz", timeout=10).json()
        if health["status"] == "ok" or time.time() > deadline:
            break
        time.sleep(2)
    assert health["status"] == "ok", health
    assert health["parts"]["notifier"]["detail"] == "2 process(es)"
    assert "APP_ENV=production" in Path(prod_stack["log"]).read_text()
