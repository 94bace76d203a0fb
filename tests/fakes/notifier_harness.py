"""Run real notifier processes against a local fake Twilio: used by the process tests and bench/notifier.

Seeds N distinct SMS rows, starts `python -m notifier` subprocesses pointed at the fake through
TWILIO_API_BASE_URL, and waits until every row is settled. Never used by the product itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import Engine, func, insert, select

from casework.core.models import OutboxMessage
from casework.core.settings import ROOT
from casework.partnership import partnership_path


def always_awake_partnership(directory: Path, base: str = "lichfield") -> Path:
    """A copy of a partnership file with no quiet hours, so a run at night still sends."""
    data = yaml.safe_load(Path(partnership_path(base)).read_text())
    data["quiet_hours"] = {"start": "00:00", "end": "00:00"}
    path = directory / f"{base}-no-quiet-hours.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def seed_sms(engine: Engine, count: int, *, numbers: int = 500) -> None:
    """Queue ``count`` distinct due SMS rows spread over ``numbers`` phone numbers."""
    now = datetime.now(UTC)
    rows = [
        {
            "kind": "sms",
            "transport": "sms",
            "purpose": "status_update",
            "recipient": f"+4477009{i % numbers:05d}",
            "body": f"Ref LOAD-{i:06d}: there is an update on your report.",
            "payload": {},
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "needs_attention": False,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    with engine.begin() as conn:
        for start in range(0, count, 1000):
            conn.execute(insert(OutboxMessage), rows[start : start + 1000])


def status_counts(engine: Engine) -> dict[str, int]:
    """Outbox rows per status."""
    with engine.connect() as conn:
        return {
            s: int(n)
            for s, n in conn.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
        }


def notifier_env(
    database_url: str, twilio_url: str, partnership: Path, instance: str, **extra: str
) -> dict[str, str]:
    """The environment for one notifier process sending to the fake Twilio."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "NOTIFIER_"))}
    env.update(
        DATABASE_URL=database_url,
        PARTNERSHIP=str(partnership),
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="fake-twilio-auth-token",
        TWILIO_FROM_NUMBER="+447700900001",
        TWILIO_API_BASE_URL=twilio_url,
        PUBLIC_BASE_URL="https://asb.example.org",
        NOTIFIER_INSTANCE=instance,
        NOTIFIER_RELAY_INTERVAL_SECONDS="0.2",
        NOTIFIER_SCAN_INTERVAL_SECONDS="3600",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_notifier(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start `python -m notifier` with its output in ``log_path``."""
    log = log_path.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "notifier"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def wait_until_settled(engine: Engine, total: int, timeout: float) -> float:
    """Seconds until ``total`` rows are sent (or raise TimeoutError with the counts)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        counts = status_counts(engine)
        if counts.get("sent", 0) + counts.get("delivered", 0) >= total:
            return time.monotonic() - started
        time.sleep(0.05)
    raise TimeoutError(f"not settled after {timeout}s: {status_counts(engine)}")


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> int:
    """SIGTERM and wait; the exit code (a clean stop is 0)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=timeout)
