"""Real notifier processes on PostgreSQL against a local fake Twilio: nothing sent twice, nothing lost."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from casework.core.db import make_engine
from casework.core.models import Heartbeat, OutboxMessage
from tests.fakes.notifier_harness import (
    always_awake_partnership,
    notifier_env,
    seed_sms,
    start_notifier,
    status_counts,
    stop,
    wait_until_settled,
)
from tests.fakes.twilio import FakeTwilioServer

pytestmark = pytest.mark.slow


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilioServer]:
    with FakeTwilioServer() as server:
        yield server


def outbox_ids_sent(fake: FakeTwilioServer) -> list[int]:
    """The outbox id carried by each message's status callback, one per create request Twilio received."""
    return [int(parse_qs(urlsplit(m["_status_callback"]).query)["outbox"][0]) for m in fake.state.messages]


def assert_each_sent_exactly_once(engine, fake: FakeTwilioServer, total: int) -> None:  # type: ignore[no-untyped-def]
    ids = outbox_ids_sent(fake)
    twice = [i for i, n in Counter(ids).items() if n > 1]
    assert twice == [], f"sent twice: {twice[:10]}"
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.provider_id)).all()
    assert len(rows) == total
    assert set(ids) == {r.id for r in rows}, "some rows never reached Twilio"
    by_sid = {
        m["sid"]: int(parse_qs(urlsplit(m["_status_callback"]).query)["outbox"][0])
        for m in fake.state.messages
    }
    assert all(r.status == "sent" and by_sid[r.provider_id] == r.id for r in rows)


def test_two_notifier_processes_send_5000_messages_none_twice_none_lost(
    pg_db_url, fake_twilio, tmp_path: Path
):
    engine = make_engine(pg_db_url)
    seed_sms(engine, 5000)
    partnership = always_awake_partnership(tmp_path)
    procs = [
        start_notifier(notifier_env(pg_db_url, fake_twilio.url, partnership, f"p{n}"), tmp_path / f"p{n}.log")
        for n in (1, 2)
    ]
    try:
        wait_until_settled(engine, 5000, timeout=240)
        with engine.connect() as conn:  # each beats as soon as it starts (read by /healthz)
            assert set(conn.scalars(select(Heartbeat.name))) == {"notifier:p1", "notifier:p2"}
    finally:
        codes = [stop(p) for p in procs]
    assert codes == [0, 0], "notifiers did not stop cleanly on SIGTERM"
    with engine.connect() as conn:  # a clean stop takes the process out of /healthz's count at once
        assert list(conn.scalars(select(Heartbeat.name))) == []
    assert_each_sent_exactly_once(engine, fake_twilio, 5000)
    with engine.connect() as conn:
        senders = Counter(conn.scalars(select(OutboxMessage.claimed_by)))
    assert set(senders) == {"p1", "p2"} and min(senders.values()) > 500, senders
    assert "stopped" in (tmp_path / "p1.log").read_text()
    engine.dispose()


def test_a_notifier_killed_mid_batch_and_restarted_loses_nothing_and_sends_nothing_twice(
    pg_db_url, fake_twilio, tmp_path: Path
):
    engine = make_engine(pg_db_url)
    total = 3000
    seed_sms(engine, total)
    partnership = always_awake_partnership(tmp_path)
    extra = {
        "NOTIFIER_LEASE_SECONDS": "4",
        "NOTIFIER_RECONCILE_INTERVAL_SECONDS": "1",
        "NOTIFIER_BATCH_SIZE": "100",
    }
    first = start_notifier(
        notifier_env(pg_db_url, fake_twilio.url, partnership, "first", **extra), tmp_path / "first.log"
    )
    try:
        deadline = time.monotonic() + 120
        while len(fake_twilio.state.messages) < 800 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    left = status_counts(engine)
    assert left.get("sending", 0) > 0, f"the kill did not land mid-batch: {left}"
    second = start_notifier(
        notifier_env(pg_db_url, fake_twilio.url, partnership, "second", **extra), tmp_path / "second.log"
    )
    try:
        wait_until_settled(engine, total, timeout=240)
    finally:
        assert stop(second) == 0
    assert_each_sent_exactly_once(engine, fake_twilio, total)
    with engine.connect() as conn:
        notes = Counter(
            conn.scalars(select(OutboxMessage.error_message).where(OutboxMessage.error_message.is_not(None)))
        )
    # Rows Twilio had already accepted were confirmed by looking them up, not sent again.
    assert any("confirmed with the provider" in (n or "") for n in notes) or left.get("sending", 0) > 0
    engine.dispose()
