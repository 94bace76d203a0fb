"""Inbox benchmark at real size: 200,000 reports in PostgreSQL, list and report pages through Flask.

Generates reports (with contacts, timeline events, texts and referrals) into the database `bench_inbox`
by COPY, then signs in as a triage officer and as an agency officer and times the inbox list with common
filters and the report page through the Flask test client (whole request: routing, queries, templates).
Prints median and p95 per case; `--check` exits 1 if any median is 200 ms or more.

    bench/inbox                  # build the data if missing, then measure
    bench/inbox --rebuild        # drop and regenerate the data
    bench/inbox --reports 50000  # a smaller run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from casework.cli.migrate import upgrade  # noqa: E402
from casework.core.asb_types import ASB_TYPES  # noqa: E402
from casework.core.bootstrap import Services  # noqa: E402
from casework.core.clock import FixedClock  # noqa: E402
from casework.core.db import make_engine, make_session_factory, normalise_url  # noqa: E402
from casework.core.models import Report, StaffUser  # noqa: E402
from casework.core.references import ALPHABET  # noqa: E402
from casework.core.settings import load_settings  # noqa: E402
from casework.partnership import load_partnership  # noqa: E402
from casework.staff import create_staff  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1/bench_inbox"
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
PASSWORD = "bench-password-123"
LEADS = {
    "noise": "ldc",
    "litter_flytipping": "ldc",
    "graffiti": "ldc",
    "animal_problems": "ldc",
    "abandoned_vehicle": "ldc",
    "neighbour_nuisance": "ldc",
    "deliberate_fire": "staffs-fire",
}


def reference(n: int) -> str:
    """A distinct reference per row number."""
    body = ""
    for _ in range(6):
        n, digit = divmod(n, len(ALPHABET))
        body = ALPHABET[digit] + body
    return "ASB-" + body


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database."""
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


def generate(url: str, count: int) -> None:
    """Fill the database with `count` reports spread over three years, by COPY."""
    p = load_partnership("lichfield")
    rng = random.Random(7)
    wards = [w.name for w in p.wards]
    hot = list(p.hotspot_wards)
    types = list(ASB_TYPES)
    weights = [30 if t in ("noise", "litter_flytipping") else 5 for t in types]
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        contacts = count // 2
        with cur.copy(
            "COPY contacts (id, sender_id, channel, phone, sms_opted_out, number_invalid, text_safe, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, contacts + 1):
                copy.write_row(
                    (i, f"sms:bench{i}", "sms", f"+4477009{i:05d}"[:13], False, False, True, NOW, NOW)
                )
        cols = (
            "id, reference, asb_type, nsir_class, description, location_text, occurred_text, ward, "
            "place_key, reporter_role, hate, domestic_abuse, risk_level, risk_answers, risk_reasons, status, "
            "lead_agency, copied_agencies, routing_reasons, linked_to_id, contact_id, anonymous, "
            "wants_updates, text_safe, "
            "channel, conversation_id, transcript, repeat_victim_count, repeat_location_count, hotspot, "
            "case_review_explained, case_review_eligible, due_at, first_response_at, closed_at, "
            "created_at, updated_at"
        )
        span = 3 * 365 * 24 * 3600
        with cur.copy(f"COPY reports ({cols}) FROM STDIN") as copy:
            for i in range(1, count + 1):
                created = NOW - timedelta(seconds=span * (1 - i / count) + rng.uniform(0, 60))
                asb_type = rng.choices(types, weights)[0]
                ward = rng.choice(hot * 4 + wards)
                lead = LEADS.get(asb_type, "staffs-police")
                age_days = (NOW - created).days
                status = (
                    "closed"
                    if age_days > 60 and rng.random() < 0.95
                    else rng.choice(["open", "accepted", "in_progress", "waiting", "closed"])
                )
                risk = rng.choices(["standard", "medium", "high"], [80, 15, 5])[0]
                contact = rng.randint(1, contacts) if rng.random() < 0.7 else None
                linked = rng.randint(max(1, i - 500), i - 1) if i > 1 and rng.random() < 0.05 else None
                responded = created + timedelta(hours=rng.uniform(1, 150)) if status != "open" else None
                copy.write_row(
                    (
                        i,
                        reference(i),
                        asb_type,
                        ASB_TYPES[asb_type].nsir_class,
                        "Loud music and shouting from the house opposite, most nights after midnight.",
                        f"Street {rng.randrange(400)}, {ward}",
                        "last night",
                        ward,
                        f"street {rng.randrange(400)} {ward}".lower(),
                        "victim",
                        rng.random() < 0.04,
                        rng.random() < 0.02,
                        risk,
                        "{}",
                        json.dumps([f"{risk} risk (bench)"]),
                        "linked" if linked else status,
                        lead,
                        json.dumps(
                            ["partnership-hub"] if risk == "high" else (["ldc"] if rng.random() < 0.1 else [])
                        ),
                        json.dumps([f"{asb_type} → {lead}: type rule"]),
                        linked,
                        contact,
                        contact is None,
                        contact is not None,
                        True,
                        "sms" if contact else "web",
                        f"sms:bench{contact}" if contact else None,
                        "[]",
                        rng.choice([1, 1, 1, 2, 3]),
                        rng.choice([1, 1, 2, 3, 4]),
                        rng.random() < 0.05,
                        False,
                        rng.random() < 0.02,
                        created + timedelta(days=5),
                        responded,
                        responded + timedelta(days=4) if status == "closed" and responded else None,
                        created,
                        created,
                    )
                )
        with cur.copy(
            "COPY report_events (report_id, kind, public, body, data, actor, created_at) FROM STDIN"
        ) as copy:
            for i in range(1, count + 1):
                copy.write_row((i, "created", False, "Report filed.", "{}", "system", NOW))
        with cur.copy(
            "COPY outbox (kind, transport, purpose, report_id, contact_id, agency_id, recipient, body, "
            "payload, status, attempts, next_attempt_at, needs_attention, created_at, updated_at) "
            "FROM STDIN"
        ) as copy:
            for i in range(1, count + 1):
                copy.write_row(
                    (
                        "referral",
                        "email",
                        "referral_new",
                        i,
                        None,
                        "ldc",
                        "asb@example.org",
                        "referral",
                        "{}",
                        "sent",
                        1,
                        NOW,
                        False,
                        NOW,
                        NOW,
                    )
                )
                if i % 2:
                    copy.write_row(
                        (
                            "sms",
                            "sms",
                            "ack",
                            i,
                            None,
                            None,
                            "+447700900000",
                            f"Ref {reference(i)}: thank you, we have your report.",
                            "{}",
                            "failed" if i % 997 == 0 else "sent",
                            1,
                            NOW,
                            i % 997 == 0,
                            NOW,
                            NOW,
                        )
                    )
        for table in ("contacts", "reports", "report_events", "outbox"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.commit()
    # What autovacuum would have done by now on a live database (visibility map for index-only scans).
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"generated {count:,} reports in {time.perf_counter() - started:.1f} s")


def measure(url: str, repeats: int) -> dict[str, tuple[float, float]]:
    """Median and p95 milliseconds per page, signed in through the real login form."""
    import re

    from webhook import create_app

    settings = load_settings(
        DATABASE_URL=url, PARTNERSHIP="lichfield", SECRET_KEY="bench-secret-key-0123456789"
    )
    engine = make_engine(url)
    services = Services(
        settings=settings, engine=engine, sessions=make_session_factory(engine), clock=FixedClock(NOW)
    )
    with services.sessions() as db:
        for role, email, agency in (
            ("triage", "bench-triage@example.org", None),
            ("agency", "bench-agency@example.org", "ldc"),
        ):
            if db.scalar(select(StaffUser.id).where(StaffUser.email == email)) is None:
                create_staff(
                    db,
                    email=email,
                    name=f"Bench {role}",
                    password=PASSWORD,
                    role=role,
                    agency_id=agency,
                    now=NOW,
                )
        total = db.scalar(select(func.count()).select_from(Report))
        refs = [r for (r,) in db.execute(select(Report.reference).order_by(func.random()).limit(repeats))]
        db.commit()
    app = create_app({"TESTING": True}, services=services)
    results: dict[str, tuple[float, float]] = {}

    def sign_in(email: str):  # type: ignore[no-untyped-def]
        client = app.test_client()
        token = re.search(
            r'name="csrf_token" value="([^"]+)"', client.get("/staff/login").get_data(as_text=True)
        )
        resp = client.post(
            "/staff/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert resp.status_code == 302, resp.status_code
        return client

    def run(name: str, client, paths: list[str]) -> None:  # type: ignore[no-untyped-def]
        client.get(paths[0])  # warm caches (templates, partnership) outside the figures
        times = []
        for i in range(repeats):
            path = paths[i % len(paths)]
            t0 = time.perf_counter()
            resp = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200, (path, resp.status_code)
        times.sort()
        results[name] = (statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)])

    triage = sign_in("bench-triage@example.org")
    agency = sign_in("bench-agency@example.org")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{total:,} reports in the database; {repeats} requests per case; "
        f"load average {load} on {os.cpu_count()} CPUs\n"
    )
    run("inbox, newest first", triage, ["/staff/inbox"])
    run("inbox, not closed", triage, ["/staff/inbox?status=active"])
    run("inbox, ward + type", triage, ["/staff/inbox?ward=Stowe&type=noise"])
    run("inbox, high risk, due soonest", triage, ["/staff/inbox?risk=high&sort=due"])
    run("inbox, hate, last 30 days", triage, ["/staff/inbox?hate=yes&from=2026-10-19&to=2026-11-18"])
    run("inbox, lead agency + status", triage, ["/staff/inbox?agency=staffs-police&status=open"])
    run("inbox, page 40", triage, ["/staff/inbox?page=40"])
    run("inbox, search by reference", triage, [f"/staff/inbox?q={r}" for r in refs])
    run("inbox, agency officer (ldc)", agency, ["/staff/inbox"])
    run("report page", triage, [f"/staff/reports/{r}" for r in refs])
    engine.dispose()
    return results


def main() -> int:
    """Build the data if needed, measure, print the figures."""
    parser = argparse.ArgumentParser(description="Inbox benchmark on PostgreSQL")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--rebuild", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--check", action="store_true", help="exit 1 if any median is 200 ms or more")
    args = parser.parse_args()
    url = normalise_url(args.url)
    present = 0
    if not args.rebuild:
        try:
            probe = create_engine(url)
            with probe.connect() as conn:
                present = conn.scalar(text("SELECT count(*) FROM reports")) or 0
            probe.dispose()
        except Exception:  # noqa: BLE001 - no database or no table yet: build it
            present = 0
    if present != args.reports:
        recreate_database(url)
        upgrade(url)
        generate(url, args.reports)
    else:
        upgrade(url)  # new indexes from later migrations
    results = measure(url, args.repeats)
    width = max(len(k) for k in results)
    print(f"{'case':<{width}}  median ms   p95 ms")
    for name, (median, p95) in results.items():
        print(f"{name:<{width}}  {median:9.1f}  {p95:7.1f}")
    slow = [k for k, (median, _) in results.items() if median >= 200]
    print("\nall medians under 200 ms" if not slow else f"\nmedian 200 ms or more: {', '.join(slow)}")
    return 1 if args.check and slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
