"""Load the SMS edge: signed messages from many numbers, concurrently, with Twilio-style retries.

Starts a stand-in Rasa (local HTTP server), expects the webhook already running (e.g. gunicorn) with
RASA_URL pointing at the printed URL; or pass --spawn to start gunicorn here. Prints latency percentiles,
throughput, and checks that every MessageSid reached Rasa exactly once.

    .venv/bin/python bench/sms_inbound.py --spawn --workers 4 --database postgresql://postgres@127.0.0.1/bench_sms
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.rasa_standin import running_rasa  # noqa: E402


def main() -> int:
    """Run the load and print figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--numbers", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--retries", type=int, default=200, help="duplicate deliveries of already-sent SIDs")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--database", default="")
    ap.add_argument("--spawn", action="store_true")
    args = ap.parse_args()
    token, base = "bench-auth-token", f"http://127.0.0.1:{args.port}"
    with running_rasa() as rasa:
        proc = None
        if args.spawn:
            env = {
                **os.environ,
                "RASA_URL": rasa.url,
                "TWILIO_AUTH_TOKEN": token,
                "PUBLIC_BASE_URL": base,
                "SMS_RATE_PER_NUMBER_PER_HOUR": "100000",
                "SMS_RATE_GLOBAL_PER_MINUTE": "100000",
            }
            if args.database:
                env["DATABASE_URL"] = args.database
                subprocess.run([sys.executable, "-m", "casework.cli.migrate"], env=env, cwd=ROOT, check=True)
            proc = subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "-w",
                    str(args.workers),
                    "--threads",
                    "4",
                    "-b",
                    f"127.0.0.1:{args.port}",
                    "webhook:create_app()",
                ],
                env=env,
                cwd=ROOT,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(100):
                try:
                    requests.get(base + "/chat", timeout=1)
                    break
                except requests.RequestException:
                    time.sleep(0.2)
        validator = RequestValidator(token)
        sids: list[tuple[str, str]] = [
            ("SM" + uuid.uuid4().hex, f"+4477009{i % args.numbers:05d}") for i in range(args.messages)
        ]

        def post(item: tuple[str, str]) -> tuple[float, int]:
            sid, number = item
            form = {
                "MessageSid": sid,
                "From": number,
                "To": "+447700900999",
                "Body": f"noise report {sid[-6:]}",
            }
            sig = validator.compute_signature(base + "/sms/inbound", form)
            started = time.perf_counter()
            resp = requests.post(
                base + "/sms/inbound", data=form, headers={"X-Twilio-Signature": sig}, timeout=30
            )
            return time.perf_counter() - started, resp.status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(post, sids))
            retried = list(pool.map(post, sids[: args.retries]))
        wall = time.perf_counter() - started
        if proc:
            proc.terminate()
            proc.wait(10)
    lat = sorted(r[0] for r in results)
    codes = {c for _, c in results + retried}
    relayed = rasa.messages()
    print(
        f"{args.messages} messages + {args.retries} retries, concurrency {args.concurrency}: "
        f"{wall:.1f}s wall, "
        f"{(args.messages + args.retries) / wall:.0f} req/s; status codes {sorted(codes)}"
    )
    print(
        f"latency p50 {statistics.median(lat) * 1000:.0f} ms, p95 {lat[int(len(lat) * 0.95)] * 1000:.0f} ms, "
        f"max {lat[-1] * 1000:.0f} ms"
    )
    print(
        f"Rasa received {len(relayed)} messages for {args.messages} unique MessageSids "
        f"({len(set(relayed))} distinct): {'OK, none twice' if len(relayed) == args.messages else 'MISMATCH'}"
    )
    return 0 if len(relayed) == args.messages and codes == {200} else 1


if __name__ == "__main__":
    sys.exit(main())
