"""Badges and overdue: what makes a report stand out in the inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from casework.staff.inbox import InboxFilters, badges_for, is_overdue, parse_filters

NOW = datetime(2026, 11, 18, 10, tzinfo=UTC)


def test_overdue_means_past_the_target_with_no_response_and_still_open():
    past = NOW - timedelta(minutes=1)
    assert is_overdue(status="open", due_at=past, first_response_at=None, now=NOW)
    assert not is_overdue(status="open", due_at=past, first_response_at=past, now=NOW)
    assert not is_overdue(status="closed", due_at=past, first_response_at=None, now=NOW)
    assert not is_overdue(status="open", due_at=NOW + timedelta(hours=1), first_response_at=None, now=NOW)


def test_repeat_badges_start_at_the_partnership_thresholds():
    def codes(**kw):  # type: ignore[no-untyped-def]
        base = {
            "risk_level": "standard",
            "repeat_victim_count": 1,
            "repeat_location_count": 1,
            "case_review_eligible": False,
            "linked_count": 0,
            "overdue": False,
        }
        return [b.code for b in badges_for(**(base | kw))]

    assert codes() == []
    assert codes(repeat_victim_count=2) == ["repeat-victim"]
    assert codes(repeat_location_count=2) == [] and codes(repeat_location_count=3) == ["repeat-location"]
    assert codes(hotspot=True) == ["repeat-location"]
    assert codes(linked_count=2, risk_level="high") == ["high-risk", "linked"]


def test_filters_survive_the_round_trip_through_links():
    args = {
        "status": "active",
        "ward": "Stowe",
        "type": "noise",
        "hate": "no",
        "from": "2026-11-01",
        "sort": "due",
        "page": "3",
    }
    filters = parse_filters(args)
    assert filters.as_query() == args
    assert parse_filters(filters.as_query(page=1)) == InboxFilters(
        status="active",
        ward="Stowe",
        asb_type="noise",
        hate=False,
        date_from=filters.date_from,
        sort="due",
        page=1,
    )
