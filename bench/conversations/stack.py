"""A private stack for one benchmark run: action server, Rasa and the webhook on free loopback ports,
with a temporary SQLite database holding only the demo staff accounts. Stopped when the run ends."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / ".venv" / "bin"
BOT = ROOT / ".venv-bot" / "bin"
START_TIMEOUT = 300


@dataclass(frozen=True)
class Stack:
    url: str
    twilio_token: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, procs: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise SystemExit(f"a part of the stack exited while starting; see {log}")
        try:
            status = requests.get(url, timeout=2).status_code
            # /healthz answers 503 while a part it watches (the notifier) is absent; it is up all the same.
            if status < 500 or url.endswith("/healthz"):
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise SystemExit(f"{url} did not answer within {START_TIMEOUT} s; see {log}")


@contextmanager
def private_stack() -> Iterator[Stack]:
    """Start the parts, yield where the webhook listens, stop them all afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="asb-bench-"))
    web, rasa, actions = _free_port(), _free_port(), _free_port()
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp / 'asb.sqlite3'}",
        "SECRET_KEY": secrets.token_hex(32),
        "INTERNAL_API_TOKEN": secrets.token_hex(32),
        "SENDER_ID_KEY": secrets.token_hex(32),
        "TWILIO_AUTH_TOKEN": token,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{web}",
        "RASA_URL": f"http://127.0.0.1:{rasa}",
        "WEBHOOK_URL": f"http://127.0.0.1:{web}",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SANIC_HOST": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
        # Every simulated resident comes from 127.0.0.1: the per-address chat limit would stop the run.
        "WEB_CHAT_RATE_PER_ADDRESS_PER_MINUTE": "100000",
        "WEB_CHAT_NEW_CONVERSATIONS_PER_MINUTE": "100000",
    }
    for key in (
        "TWILIO_ACCOUNT_SID",
        "TWILIO_FROM_NUMBER",
        "TWILIO_MESSAGING_SERVICE_SID",
        "STAFF_API_TOKEN",
    ):
        env.pop(key, None)
    (tmp / "endpoints.yml").write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{actions}/webhook"\n')
    log_path = tmp / "stack.log"
    log = log_path.open("wb")
    subprocess.run(
        [str(APP / "python"), "-m", "casework.cli.migrate"], env=env, cwd=ROOT, check=True, stdout=log
    )
    subprocess.run(
        # Without the demo place data: the scenarios' figures stay comparable with earlier runs (gazetteer).
        [str(APP / "python"), "-m", "casework.cli.seed_demo", "--no-reports", "--no-places"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=log,
    )
    commands = [
        [str(BOT / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions)],
        [
            str(BOT / "rasa"),
            "run",
            "--model",
            str(ROOT / "models" / "current.tar.gz"),
            "--endpoints",
            str(tmp / "endpoints.yml"),
            "--credentials",
            "credentials.yml",
            "--interface",
            "127.0.0.1",
            "--port",
            str(rasa),
        ],
        [
            str(APP / "gunicorn"),
            "--bind",
            f"127.0.0.1:{web}",
            "--workers",
            "2",
            "--threads",
            "4",
            "webhook:create_app()",
        ],
    ]
    cwds = [ROOT / "bot", ROOT / "bot", ROOT]
    procs = [
        subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        for cmd, cwd in zip(commands, cwds, strict=True)
    ]
    try:
        _wait(f"http://127.0.0.1:{actions}/health", procs, log_path)
        _wait(f"http://127.0.0.1:{rasa}/", procs, log_path)
        _wait(f"http://127.0.0.1:{web}/healthz", procs, log_path)
        print(f"private stack up on 127.0.0.1:{web} (log: {log_path})", flush=True)
        yield Stack(url=f"http://127.0.0.1:{web}", twilio_token=token)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()


if __name__ == "__main__":
    # Keep a private stack up for repeated runs: run.py --url URL --twilio-token TOKEN
    with private_stack() as up:
        print(f"url={up.url} twilio_token={up.twilio_token}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
