"""Run the whole stack on loopback for `make run`: webhook, Rasa, action server, notifier.

Each part's output is prefixed with its name. A part that exits during start-up stops the rest with a
message saying which and why; Ctrl-C (or SIGTERM) stops every part cleanly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casework.core.settings import ensure_dev_secrets, get_settings  # noqa: E402

COLOURS = {"webhook": "36", "rasa": "35", "actions": "33", "notifier": "32", "agencies": "34"}
START_TIMEOUT = 300  # seconds; Rasa loads TensorFlow and the model, which takes a while on 2 cores


@dataclass
class Part:
    """One process of the stack and the URL that says it is ready."""

    name: str
    cmd: list[str]
    ready_url: str | None
    cwd: Path = ROOT
    proc: subprocess.Popen[bytes] | None = None


def _pump(part: Part, tty: bool) -> None:
    assert part.proc is not None and part.proc.stdout is not None
    label = f"{part.name:>8} | "
    if tty:
        label = f"\033[{COLOURS.get(part.name, '0')}m{label}\033[0m"
    for raw in iter(part.proc.stdout.readline, b""):
        sys.stdout.write(label + raw.decode("utf-8", "replace").rstrip() + "\n")
        sys.stdout.flush()


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    if get_settings().APP_ENV.lower() != "production":
        for key, value in ensure_dev_secrets().items():
            env.setdefault(key, value)
    env.setdefault("WEBHOOK_URL", "http://127.0.0.1:8000")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def parts() -> list[Part]:
    """The processes `make run` starts."""
    venv = ROOT / ".venv" / "bin"
    settings = get_settings()
    run_bot = ROOT / "bot" / "run.sh"
    return [
        Part("actions", ["bash", str(run_bot), "actions"], "http://127.0.0.1:5055/health"),
        Part("rasa", ["bash", str(run_bot), "rasa"], settings.RASA_URL.rstrip("/") + "/"),
        Part(
            "webhook",
            [
                str(venv / "gunicorn"),
                "--bind",
                "127.0.0.1:8000",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
                "webhook:create_app()",
            ],
            "http://127.0.0.1:8000/healthz",
        ),
        Part("notifier", [str(venv / "python"), "-m", "notifier"], None),
        # Local stand-ins for the agencies' mail server, webhook and Open311 endpoints (referrals land here).
        Part("agencies", [str(venv / "python"), str(ROOT / "scripts" / "agency_sink.py")], None),
    ]


def _ready(url: str) -> bool:
    try:
        resp = requests.get(url, timeout=2)
    except requests.RequestException:
        return False
    # /healthz answers 503 until every part is up; any answer means the webhook itself is serving.
    return resp.status_code < 500 or url.endswith("/healthz")


def _demo_logins() -> str:
    """The demo staff accounts, as lines for the start-up banner (development only)."""
    if get_settings().is_production:
        return ""
    from casework.cli.seed_demo import DEMO_STAFF

    lines = [f"      {role:7} {email}  password: {pw}\n" for email, _n, role, _a, pw in DEMO_STAFF]
    return "    demo logins:\n" + "".join(lines)


def stop(all_parts: list[Part]) -> None:
    """Stop every running part: SIGTERM, then SIGKILL after ten seconds."""
    for part in all_parts:
        if part.proc and part.proc.poll() is None:
            part.proc.send_signal(signal.SIGTERM)
    deadline = time.time() + 10
    for part in all_parts:
        if part.proc is None:
            continue
        try:
            part.proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            part.proc.kill()


def supervise(all_parts: list[Part], stopping: threading.Event) -> int:
    """Watch the running parts until stopped; one that exits stops the rest. Returns the exit code."""
    while not stopping.is_set():
        for part in all_parts:
            if part.proc and part.proc.poll() is not None:
                print(
                    f"\n!! {part.name} exited (code {part.proc.returncode}); stopping the rest.", flush=True
                )
                stop(all_parts)
                return 1
        stopping.wait(1)
    print("\n==> stopping every part …", flush=True)
    stop(all_parts)
    print("==> stopped.", flush=True)
    return 0


def main() -> int:
    """Start all parts, wait for them to be ready, print where to go, and supervise until stopped."""
    tty = sys.stdout.isatty()
    env = _child_env()
    all_parts = parts()
    stopping = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)

    for part in all_parts:
        print(f"==> starting {part.name}: {' '.join(part.cmd[:3])} …", flush=True)
        part.proc = subprocess.Popen(
            part.cmd,
            cwd=part.cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(target=_pump, args=(part, tty), daemon=True).start()

    started = time.time()
    pending = [p for p in all_parts if p.ready_url]
    while pending and not stopping.is_set():
        for part in all_parts:
            if part.proc and part.proc.poll() is not None:
                print(
                    f"\n!! {part.name} stopped during start-up (exit code {part.proc.returncode}); "
                    f"its log is above, prefixed '{part.name}'. Stopping the other parts.",
                    flush=True,
                )
                stop(all_parts)
                return 1
        pending = [p for p in pending if not _ready(p.ready_url or "")]
        if time.time() - started > START_TIMEOUT:
            names = ", ".join(p.name for p in pending)
            print(f"\n!! {names} did not become ready within {START_TIMEOUT}s; stopping.", flush=True)
            stop(all_parts)
            return 1
        time.sleep(1)

    if not stopping.is_set():
        settings = get_settings()
        sms = (
            "SMS go through Twilio."
            if settings.twilio_configured
            else "SMS go to the console transport (printed by the notifier, visible in the inbox) "
            "until TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are set."
        )
        print(
            "\n"
            f"  The stack is running (took {time.time() - started:.0f}s).\n"
            "  Chat page:   http://127.0.0.1:8000/chat\n"
            "  Staff inbox: http://127.0.0.1:8000/inbox  (sign in at /staff/login)\n"
            f"{_demo_logins()}"
            "  Health:      http://127.0.0.1:8000/healthz\n"
            "  Chat by SMS from this terminal: make sms\n"
            f"  {sms}\n"
            "  Press Ctrl-C to stop every part.\n",
            flush=True,
        )

    return supervise(all_parts, stopping)


if __name__ == "__main__":
    raise SystemExit(main())
