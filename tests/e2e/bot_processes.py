"""Run the real assistant for tests: Rasa (trained model, SQL tracker store, Redis lock store) and actions.

Tests that use it are skipped, with the reason, only when the bot environment (.venv-bot) or a trained
model is missing; `make test` trains the model first, so in CI they run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-bot" / "bin" / "rasa"
MODEL = ROOT / "models" / "current.tar.gz"
# Two replicas loading TensorFlow side by side on a busy 2-core machine can take several minutes.
READY_TIMEOUT = 900


def bot_missing() -> str | None:
    """Why the real assistant cannot run here, or None when it can."""
    if not RASA.exists():
        return f"the bot environment is missing ({RASA}); `make setup` creates it"
    if not MODEL.exists():
        return f"no trained model at {MODEL}; `make model` trains it (make test does this first)"
    return None


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_env(
    *, tracker_db_url: str, redis_db: int, actions_url: str, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Environment for bot/endpoints-local-prod.yml: tracker store and lock store from URLs."""
    from sqlalchemy.engine import make_url

    db = make_url(tracker_db_url)
    return {
        **os.environ,
        "ACTION_ENDPOINT_URL": actions_url.rstrip("/") + "/webhook",
        "RASA_DB_HOST": db.host or "127.0.0.1",
        "RASA_DB_PORT": str(db.port or 5432),
        "RASA_DB_USER": db.username or "postgres",
        "RASA_DB_PASSWORD": db.password or "",
        "RASA_DB_NAME": db.database or "",
        "RASA_REDIS_HOST": "127.0.0.1",
        "RASA_REDIS_PORT": "6379",
        "RASA_REDIS_DB": str(redis_db),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "SANIC_HOST": "127.0.0.1",
        **(extra or {}),
    }


@dataclass
class BotProcess:
    """A running Rasa or action server and how to reach it."""

    name: str
    url: str
    ready_path: str
    cmd: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process (its output goes to its log file)."""
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=ROOT / "bot",
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Wait until it answers, or fail with the end of its log."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                if requests.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise RuntimeError(f"{self.name} not ready within {timeout:.0f}s:\n{self.tail()}")

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL) and wait until its port is free."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        """The end of its log."""
        return (
            "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""
        )


def actions_server(port: int, env: dict[str, str], log_dir: Path) -> BotProcess:
    """The action server on a loopback port."""
    return BotProcess(
        "actions",
        f"http://127.0.0.1:{port}",
        "/health",
        [str(RASA), "run", "actions", "--actions", "actions", "--port", str(port)],
        env,
        log_dir / f"actions-{port}.log",
    )


def rasa_server(port: int, env: dict[str, str], log_dir: Path) -> BotProcess:
    """A Rasa replica with the production endpoints (SQL tracker store, Redis lock store)."""
    return BotProcess(
        f"rasa-{port}",
        f"http://127.0.0.1:{port}",
        "/",
        [
            str(RASA),
            "run",
            "--model",
            str(MODEL),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--credentials",
            "credentials.yml",
            "--endpoints",
            "endpoints-local-prod.yml",
        ],
        env,
        log_dir / f"rasa-{port}.log",
    )


@contextmanager
def running(*processes: BotProcess) -> Iterator[tuple[BotProcess, ...]]:
    """Start the processes together, wait for each, and stop them all at the end."""
    try:
        for p in processes:
            p.start()
        for p in processes:
            p.wait_ready()
        yield processes
    finally:
        for p in processes:
            p.stop()
