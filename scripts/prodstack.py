"""`make stack-prod`: the production stack of docker-compose.yml, without Docker, on this machine.

Against the local PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379):
  - databases `asb_prod` (casework) and `asb_rasa` (Rasa's SQL tracker store), created if missing, migrated;
  - the webhook under gunicorn (several workers), relaying to BOTH Rasa replicas (RASA_URLS);
  - two notifier processes (SKIP LOCKED claims: no message sent twice);
  - the action server; two Rasa replicas (5005, 5006) sharing the tracker store and the Redis lock store,
    so any replica can carry on any conversation.
APP_ENV=production: secrets not in the environment are generated once into var/prod-secrets.env (0600).
Every setting can be changed by environment variable or option (`python scripts/prodstack.py --help`).
Ctrl-C (or SIGTERM) stops every part.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from devstack import Part, _pump, _ready, stop, supervise  # noqa: E402

START_TIMEOUT = 600  # seconds: two Rasa replicas load TensorFlow and the model side by side on 2 cores
SECRETS_FILE = ROOT / "var" / "prod-secrets.env"
GENERATED = ("SECRET_KEY", "INTERNAL_API_TOKEN", "SENDER_ID_KEY", "TWILIO_AUTH_TOKEN")


def options(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (each defaults to an environment variable, then to the local default)."""
    env = os.environ.get
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--database-url", default=env("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/asb_prod")
    )
    ap.add_argument("--rasa-database", default=env("RASA_DB_NAME", "asb_rasa"))
    ap.add_argument("--redis-host", default=env("RASA_REDIS_HOST", "127.0.0.1"))
    ap.add_argument("--redis-port", default=env("RASA_REDIS_PORT", "6379"))
    ap.add_argument("--redis-db", default=env("RASA_REDIS_DB", "1"))
    ap.add_argument("--webhook-port", type=int, default=int(env("WEBHOOK_PORT", "8000")))
    ap.add_argument("--rasa-ports", default=env("RASA_PORTS", "5005,5006"))
    ap.add_argument("--actions-port", type=int, default=int(env("ACTIONS_PORT", "5055")))
    # Two workers per core, each with threads for the turns waiting on Rasa (measured with bench/load).
    ap.add_argument(
        "--workers", type=int, default=int(env("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
    )
    ap.add_argument("--threads", type=int, default=int(env("WEB_THREADS", "8")), help="threads per worker")
    ap.add_argument("--notifiers", type=int, default=int(env("NOTIFIERS", "2")))
    ap.add_argument("--model", default=env("RASA_MODEL", str(ROOT / "models" / "current.tar.gz")))
    return ap.parse_args(argv)


def stack_secrets() -> dict[str, str]:
    """The production secrets: from the environment, else generated once into var/prod-secrets.env."""
    stored: dict[str, str] = {}
    if SECRETS_FILE.exists():
        for line in SECRETS_FILE.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                stored[key.strip()] = value.strip()
    missing = [n for n in GENERATED if not os.environ.get(n) and not stored.get(n)]
    if missing:
        SECRETS_FILE.parent.mkdir(exist_ok=True)
        stored.update({n: secrets.token_urlsafe(32) for n in missing})
        SECRETS_FILE.write_text(
            "# Secrets for `make stack-prod`, generated on first run. Set real ones in the environment\n"
            "# (TWILIO_AUTH_TOKEN must be your Twilio account's token for inbound SMS to be accepted).\n"
            + "".join(f"{k}={v}\n" for k, v in stored.items())
        )
        SECRETS_FILE.chmod(0o600)
    return {n: os.environ.get(n) or stored[n] for n in GENERATED}


def ensure_database(url: str) -> None:
    """Create the database in `url` on its server if it does not exist yet."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}):
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
            print(f"==> created database {target.database}", flush=True)
    admin.dispose()


def stack_env(opts: argparse.Namespace) -> dict[str, str]:
    """The environment every part runs with."""
    db = make_url(opts.database_url)
    rasa_ports = [int(p) for p in opts.rasa_ports.split(",") if p.strip()]
    rasa_urls = [f"http://127.0.0.1:{p}" for p in rasa_ports]
    return {
        **os.environ,
        **stack_secrets(),
        "APP_ENV": "production",
        # Referrals go to the local agency stand-ins (loopback), which production otherwise refuses.
        "ALLOW_PLACEHOLDER_ENDPOINTS": os.environ.get("ALLOW_PLACEHOLDER_ENDPOINTS", "1"),
        "DATABASE_URL": opts.database_url,
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{opts.webhook_port}"),
        "RASA_URL": rasa_urls[0],
        "RASA_URLS": ",".join(rasa_urls),
        "ACTION_SERVER_URL": f"http://127.0.0.1:{opts.actions_port}",
        "WEBHOOK_URL": f"http://127.0.0.1:{opts.webhook_port}",
        "RASA_TRACKER_DB_URL": db.set(
            drivername="postgresql+psycopg", database=opts.rasa_database
        ).render_as_string(hide_password=False),
        # Read by bot/endpoints-local-prod.yml.
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{opts.actions_port}/webhook",
        "RASA_DB_HOST": db.host or "127.0.0.1",
        "RASA_DB_PORT": str(db.port or 5432),
        "RASA_DB_USER": db.username or "postgres",
        "RASA_DB_PASSWORD": db.password or "",
        "RASA_DB_NAME": opts.rasa_database,
        "RASA_REDIS_HOST": opts.redis_host,
        "RASA_REDIS_PORT": str(opts.redis_port),
        "RASA_REDIS_DB": str(opts.redis_db),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "SANIC_HOST": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
    }


def parts(opts: argparse.Namespace) -> list[Part]:
    """The processes of the production stack."""
    venv, bot = ROOT / ".venv" / "bin", ROOT / ".venv-bot" / "bin"
    stack: list[Part] = [
        Part(
            "actions",
            [str(bot / "rasa"), "run", "actions", "--actions", "actions", "--port", str(opts.actions_port)],
            f"http://127.0.0.1:{opts.actions_port}/health",
            cwd=ROOT / "bot",
        )
    ]
    for n, port in enumerate(p.strip() for p in opts.rasa_ports.split(",") if p.strip()):
        stack.append(
            Part(
                f"rasa-{n + 1}",
                [
                    str(bot / "rasa"),
                    "run",
                    "--model",
                    opts.model,
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    port,
                    # /version for the webhook's /healthz, as in docker-compose.yml; loopback only.
                    "--enable-api",
                    "--credentials",
                    "credentials.yml",
                    "--endpoints",
                    "endpoints-local-prod.yml",
                ],
                f"http://127.0.0.1:{port}/",
                cwd=ROOT / "bot",
            )
        )
    stack.append(
        Part(
            "webhook",
            [
                str(venv / "gunicorn"),
                "--bind",
                f"127.0.0.1:{opts.webhook_port}",
                "--workers",
                str(opts.workers),
                # Each relayed turn holds a thread while Rasa thinks, and Rasa's actions call back into the
                # webhook meanwhile: threads must comfortably exceed the conversations in flight.
                "--threads",
                str(opts.threads),
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
                "webhook:create_app()",
            ],
            f"http://127.0.0.1:{opts.webhook_port}/healthz",
        )
    )
    for n in range(opts.notifiers):
        stack.append(Part(f"notifier-{n + 1}", [str(venv / "python"), "-m", "notifier"], None))
    return stack


def prepare(opts: argparse.Namespace, env: dict[str, str]) -> None:
    """Create the databases if missing and migrate the casework one."""
    ensure_database(opts.database_url)
    ensure_database(env["RASA_TRACKER_DB_URL"])
    print("==> migrating the casework database …", flush=True)
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "casework.cli.migrate"], env=env, cwd=ROOT, check=True
    )


def main(argv: list[str] | None = None) -> int:
    """Prepare, start every part, wait until each is ready, then supervise until stopped."""
    opts = options(argv)
    if not Path(opts.model).exists():
        print(f"!! no trained model at {opts.model}: run `make model` first", flush=True)
        return 1
    env = stack_env(opts)
    prepare(opts, env)
    tty = sys.stdout.isatty()
    all_parts = parts(opts)
    stopping = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    for part in all_parts:
        part_env = dict(env)
        if part.name.startswith("notifier"):
            part_env["NOTIFIER_INSTANCE"] = part.name
        print(f"==> starting {part.name} …", flush=True)
        part.proc = subprocess.Popen(
            part.cmd,
            cwd=part.cwd,
            env=part_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(target=_pump, args=(part, tty), daemon=True).start()

    started = time.time()
    pending = [p for p in all_parts if p.ready_url]
    while pending and not stopping.is_set():
        dead = [p for p in all_parts if p.proc and p.proc.poll() is not None]
        if dead:
            print(
                f"\n!! {dead[0].name} stopped during start-up (exit code {dead[0].proc.returncode}); "  # type: ignore[union-attr]
                "stopping the rest.",
                flush=True,
            )
            stop(all_parts)
            return 1
        pending = [p for p in pending if not _ready(p.ready_url or "")]
        if time.time() - started > START_TIMEOUT:
            print(
                f"\n!! {', '.join(p.name for p in pending)} not ready within {START_TIMEOUT}s; stopping.",
                flush=True,
            )
            stop(all_parts)
            return 1
        time.sleep(1)

    if not stopping.is_set():
        print(
            f"\n  The production stack is running (took {time.time() - started:.0f}s; APP_ENV=production).\n"
            f"  Webhook (gunicorn, {opts.workers} workers): {env['WEBHOOK_URL']}\n"
            f"  Health: {env['WEBHOOK_URL']}/healthz\n"
            f"  Rasa replicas: {env['RASA_URLS']} (tracker store: PostgreSQL {opts.rasa_database}; "
            f"locks: Redis {opts.redis_host}:{opts.redis_port}/{opts.redis_db})\n"
            f"  Casework database: {make_url(opts.database_url).render_as_string(hide_password=True)}; "
            f"{opts.notifiers} notifier processes\n"
            f"  Secrets not set in the environment are in {SECRETS_FILE.relative_to(ROOT)}.\n"
            "  Press Ctrl-C to stop every part.\n",
            flush=True,
        )
    return supervise(all_parts, stopping)


if __name__ == "__main__":
    raise SystemExit(main())
