"""Load: simulated residents completing reports concurrently over signed /sms/inbound and /chat/messages.

In one run: the same conversations (same script, concurrency and pauses) straight to Rasa's REST
channel (the baseline) and through the edge (half by SMS, half by web chat), alternating in rounds.
Prints turns per second, p50/p95/p99 turn latency, the error rate, and the edge's overhead as the ratio
of its mean turn latency to the baseline's. Targets on a 2-core machine: 20 concurrent conversations,
no errors, p95 < 1 s, overhead ratio < 1.2.

Runs against the production stack (`make stack-prod`) when its webhook answers; otherwise it starts one
(scripts/prodstack.py) for the run and stops it afterwards.

    .venv/bin/python bench/load/run.py [--conversations 20] [--think 10] [--rounds 2] [--webhook URL]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load.resident import (  # noqa: E402
    Conversation,
    chat_sender,
    converse,
    rasa_sender,
    sms_sender,
    summary,
)

TARGET_P95 = 1.0
TARGET_RATIO = 1.2


def read_secret(name: str) -> str:
    """A secret from the environment or the production stack's var/prod-secrets.env."""
    if os.environ.get(name):
        return os.environ[name]
    path = ROOT / "var" / "prod-secrets.env"
    for line in path.read_text().splitlines() if path.exists() else []:
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1].strip()
    raise SystemExit(f"{name} is not set and not in {path}; start the stack with `make stack-prod` first")


def webhook_up(url: str) -> bool:
    """True when the webhook answers /healthz (whatever the parts' state)."""
    try:
        requests.get(url.rstrip("/") + "/healthz", timeout=3)
        return True
    except requests.RequestException:
        return False


def start_stack(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """Start scripts/prodstack.py on the given ports and wait until it says it is running."""
    port = args.webhook.rsplit(":", 1)[1].rstrip("/")
    log = open(ROOT / "var" / "bench-load-stack.log", "wb")  # noqa: SIM115 - kept open for the child
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "prodstack.py"),
            "--webhook-port",
            port,
            "--rasa-ports",
            args.rasa_ports,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 900
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the stack stopped during start-up; see {log.name}")
        if b"stack is running" in (ROOT / "var" / "bench-load-stack.log").read_bytes():
            return proc
        time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    raise SystemExit("the stack did not start within 15 minutes")


def run_phase(name: str, senders: list[tuple[str, object]], think: float) -> tuple[list[Conversation], float]:
    """Run every conversation at once; returns them and the wall time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(senders)) as pool:
        futures = []
        for n, (sender_id, send) in enumerate(senders):
            futures.append(pool.submit(_staggered, n, sender_id, send, think))
        conversations = [f.result() for f in futures]
    return conversations, time.perf_counter() - started


def _staggered(n: int, sender_id: str, send: object, think: float) -> Conversation:
    # Residents do not all start in the same millisecond.
    time.sleep(random.uniform(0, think or 0.2))
    return converse(sender_id, send, think=think)  # type: ignore[arg-type]


def report(name: str, conversations: list[Conversation], wall: float) -> dict[str, float]:
    """Print one phase's figures and return them."""
    turns = [t for c in conversations for t in c.turns]
    ok = [t.seconds for t in turns if t.ok]
    errors = [t for t in turns if not t.ok]
    stats = summary(ok)
    completed = sum(c.completed for c in conversations)
    rate = len(errors) / len(turns) if turns else 1.0
    print(
        f"{name:<26} conversations {completed}/{len(conversations)} completed, turns {len(turns)}, "
        f"{len(turns) / wall:5.1f} turns/s, errors {len(errors)} ({rate:.1%})"
    )
    if stats["n"]:
        print(
            f"{'':<26} turn latency p50 {stats['p50'] * 1000:6.0f} ms, p95 {stats['p95'] * 1000:6.0f} ms, "
            f"p99 {stats['p99'] * 1000:6.0f} ms, mean {stats['mean'] * 1000:6.0f} ms"
        )
    for c in conversations:
        if c.error:
            print(f"{'':<26} ! {c.sender}: {c.error} (after {len(c.turns)} turns)")
    return {"error_rate": rate, "completed": completed, **{k: v for k, v in stats.items() if k != "n"}}


def main(argv: list[str] | None = None) -> int:
    """Run the baseline and the edge phases; print the figures and whether the targets are met."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--conversations", type=int, default=20, help="concurrent residents (half SMS, half chat)"
    )
    # A resident answering by text takes 10-30 s to read and type; 10 s is the quick end of that.
    ap.add_argument("--think", type=float, default=10.0, help="seconds a resident takes to answer")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of (straight to Rasa, through the edge)")
    ap.add_argument("--webhook", default=os.environ.get("WEBHOOK_URL", "http://127.0.0.1:8000"))
    ap.add_argument("--rasa-ports", default=os.environ.get("RASA_PORTS", "5005,5006"))
    ap.add_argument("--public-url", default=os.environ.get("PUBLIC_BASE_URL", ""))
    args = ap.parse_args(argv)
    stack = None
    if not webhook_up(args.webhook):
        print(
            f"==> no webhook at {args.webhook}: starting the production stack (takes a few minutes) …",
            flush=True,
        )
        stack = start_stack(args)
    try:
        token = read_secret("TWILIO_AUTH_TOKEN")
        public = args.public_url or args.webhook
        rasa_urls = [f"http://127.0.0.1:{p.strip()}" for p in args.rasa_ports.split(",") if p.strip()]
        n = args.conversations
        run_id = uuid.uuid4().hex[:8]
        print(
            f"==> {n} concurrent residents, think time {args.think:.1f}s, {args.rounds} rounds, "
            f"webhook {args.webhook}, Rasa {', '.join(rasa_urls)}",
            flush=True,
        )
        # Warm both replicas (first turns load caches) so neither phase pays for it.
        for i, url in enumerate(rasa_urls):
            converse(f"bench-warm-{run_id}-{i}", rasa_sender(url, f"bench-warm-{run_id}-{i}", channel="web"))
        base_convos: list[Conversation] = []
        edge_convos: list[Conversation] = []
        base_wall = edge_wall = 0.0
        # Alternate the two modes in rounds, so a change in the machine's other load during the run
        # falls on both alike rather than on whichever phase ran at that moment.
        for round_no in range(args.rounds):
            direct = []
            for i in range(n):
                sender_id = f"bench-{run_id}-r{round_no}-direct-{i}"
                channel = "sms" if i % 2 == 0 else "web"
                direct.append(
                    (sender_id, rasa_sender(rasa_urls[i % len(rasa_urls)], sender_id, channel=channel))
                )
            convos, wall = run_phase("direct", direct, args.think)
            base_convos += convos
            base_wall += wall
            edge = []
            for i in range(n):
                if i % 2 == 0:
                    number = f"+4477009{random.randint(0, 99999):05d}"
                    edge.append((f"sms {number[:-3]}***", sms_sender(args.webhook, public, token, number)))
                else:
                    edge.append((f"chat {round_no}-{i}", chat_sender(args.webhook)))
            convos, wall = run_phase("edge", edge, args.think)
            edge_convos += convos
            edge_wall += wall
            print(f"    round {round_no + 1}/{args.rounds} done", flush=True)

        print()
        base = report("straight to Rasa (REST)", base_convos, base_wall)
        sms = report(
            "edge: SMS /sms/inbound", [c for c in edge_convos if c.sender.startswith("sms")], edge_wall
        )
        chat = report(
            "edge: web /chat/messages", [c for c in edge_convos if c.sender.startswith("chat")], edge_wall
        )
        both = report("edge: all", edge_convos, edge_wall)
        ratio = both["mean"] / base["mean"] if base.get("mean") and both.get("mean") else float("inf")
        ratio_p50 = both["p50"] / base["p50"] if base.get("p50") and both.get("p50") else float("inf")
        print(
            f"\nedge overhead ratio (mean turn latency, edge / straight to Rasa): {ratio:.2f} "
            f"(p50: {ratio_p50:.2f})"
        )
        met = both["error_rate"] == 0 and both.get("p95", 99) < TARGET_P95 and ratio < TARGET_RATIO
        print(
            f"targets: no errors [{'ok' if both['error_rate'] == 0 else 'MISSED'}], "
            f"p95 < {TARGET_P95:.0f} s [{'ok' if both.get('p95', 99) < TARGET_P95 else 'MISSED'}], "
            f"overhead < {TARGET_RATIO} [{'ok' if ratio < TARGET_RATIO else 'MISSED'}]"
        )
        del sms, chat
        return 0 if met else 1
    finally:
        if stack is not None:
            os.killpg(stack.pid, signal.SIGTERM)
            stack.wait(timeout=60)


if __name__ == "__main__":
    raise SystemExit(main())
