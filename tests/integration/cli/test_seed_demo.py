"""Demo data looks like a real partnership's: nothing in the future, each step after the one before."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from casework.cli.seed_demo import DEMO_MARK, seed_reports
from casework.core.clock import LONDON
from casework.core.db import transaction
from casework.core.models import Report, ReportEvent, SurveyResponse


def test_no_demo_timestamp_is_in_the_future_and_the_order_holds(services, clock):  # type: ignore[no-untyped-def]
    # 15:00 UK time: the old seeding put reports at 22:44 "today" and closed them weeks ahead.
    clock.set(datetime(2026, 11, 29, 15, 0, tzinfo=UTC))
    now = clock.now()
    with transaction(services.sessions) as session:
        assert seed_reports(services, session, now=now) == 240
    with transaction(services.sessions) as session:
        reports = session.scalars(select(Report).where(Report.intake_key.like(f"{DEMO_MARK}%"))).all()
        events = session.scalars(select(ReportEvent)).all()
        surveys = session.scalars(select(SurveyResponse)).all()
    assert len(reports) == 240
    for r in reports:
        assert r.created_at <= now, r.reference
        assert r.updated_at <= now
        if r.first_response_at is not None:
            assert r.created_at < r.first_response_at <= now, r.reference
        if r.closed_at is not None:
            assert r.first_response_at is not None and r.first_response_at < r.closed_at <= now
        assert (r.status == "closed") == (r.closed_at is not None)
        assert (r.status == "open") == (r.first_response_at is None)
    assert all(e.created_at <= now for e in events)
    by_id = {r.id: r for r in reports}
    for s in surveys:
        closed = by_id[s.report_id].closed_at
        assert closed is not None and closed < s.created_at <= now
    # Realistic spread: more in the evening than the early morning, weekends over-represented, hotspots.
    local = [r.created_at.astimezone(LONDON) for r in reports]
    evening = sum(1 for t in local if 17 <= t.hour <= 22)
    early = sum(1 for t in local if 2 <= t.hour <= 7)
    assert evening > 3 * early
    weekend = sum(1 for t in local if t.weekday() >= 5)
    assert weekend / len(local) > 2 / 7
    hot = set(services.partnership.hotspot_wards)
    assert sum(1 for r in reports if r.ward in hot) / len(reports) > len(hot) / len(
        services.partnership.wards
    )
    assert {r.status for r in reports} == {"open", "accepted", "in_progress", "closed"}
