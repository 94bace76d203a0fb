"""The ASB Case Review state machine and its working-day deadlines (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from casework.case_review.steps import (
    STATES,
    STEPS,
    Deadlines,
    ReviewState,
    StepRefused,
    allowed_steps,
    next_state,
)
from casework.partnership import load_partnership
from casework.partnership.schema import CaseReviewDeadlines

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # Wednesday


def test_the_whole_process_runs_from_application_to_appeal_and_closure() -> None:
    s = ReviewState("applied")
    assert allowed_steps(s, NOW) == ["decide"]
    state = next_state(s, "decide", NOW, met=True)
    assert state == "threshold_met"
    assert allowed_steps(ReviewState(state), NOW) == ["schedule_meeting"]
    state = next_state(ReviewState(state), "schedule_meeting", NOW)
    assert state == "review_meeting"
    meeting = ReviewState(state, meeting_at=NOW - timedelta(hours=1))
    assert next_state(meeting, "record_recommendations", NOW) == "recommendations"
    rec = ReviewState("recommendations", appeal_by=NOW + timedelta(days=20))
    assert allowed_steps(rec, NOW) == ["close", "request_appeal"]
    assert next_state(rec, "request_appeal", NOW) == "appeal_requested"
    assert (
        next_state(ReviewState("appeal_requested", appealed=True), "decide_appeal", NOW) == "appeal_decided"
    )
    upheld = ReviewState("appeal_decided", appealed=True, appeal_upheld=True)
    assert allowed_steps(upheld, NOW) == ["schedule_meeting", "close"]
    not_upheld = ReviewState("appeal_decided", appealed=True, appeal_upheld=False)
    assert allowed_steps(not_upheld, NOW) == ["close"]


def test_threshold_not_met_can_be_appealed_once_and_only_in_time() -> None:
    assert next_state(ReviewState("applied"), "decide", NOW, met=False) == "threshold_not_met"
    open_window = ReviewState("threshold_not_met", appeal_by=NOW + timedelta(days=1))
    assert "request_appeal" in allowed_steps(open_window, NOW)
    late = ReviewState("threshold_not_met", appeal_by=NOW - timedelta(minutes=1))
    with pytest.raises(StepRefused, match="time to ask for an appeal has passed"):
        next_state(late, "request_appeal", NOW)
    closed_after_appeal = ReviewState("closed", appealed=True, appeal_by=NOW + timedelta(days=5))
    with pytest.raises(StepRefused, match="one appeal"):
        next_state(closed_after_appeal, "request_appeal", NOW)


def test_steps_out_of_order_are_refused_with_a_reason() -> None:
    with pytest.raises(StepRefused, match="not possible while"):
        next_state(ReviewState("applied"), "close", NOW)
    with pytest.raises(StepRefused, match="Say whether"):
        next_state(ReviewState("applied"), "decide", NOW)
    future_meeting = ReviewState("review_meeting", meeting_at=NOW + timedelta(days=2))
    with pytest.raises(StepRefused, match="once the review meeting has taken place"):
        next_state(future_meeting, "record_recommendations", NOW)
    with pytest.raises(StepRefused, match="unknown step"):
        next_state(ReviewState("applied"), "delete", NOW)


def test_every_state_is_reachable_and_closed_is_final_but_for_an_appeal() -> None:
    reachable = {"applied"} | {"threshold_met", "threshold_not_met"}
    reachable |= {"review_meeting", "recommendations", "closed", "appeal_requested", "appeal_decided"}
    assert reachable == set(STATES)
    from_closed = [step for step, states in STEPS.items() if "closed" in states]
    assert from_closed == ["request_appeal"]


def test_deadlines_count_working_days_skipping_weekends_and_bank_holidays() -> None:
    d = Deadlines(CaseReviewDeadlines(decision=10, meeting=15, recommendations=5, appeal_request=20))
    # Wednesday 18 Nov + 10 working days = Wednesday 2 December, 17:00 UK (GMT) = 17:00 UTC.
    assert d.decision_due(NOW) == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    # From Friday 18 Dec: 25 Dec and 28 Dec (Boxing Day substitute) are bank holidays.
    friday = datetime(2026, 12, 18, 10, 0, tzinfo=UTC)
    assert d.recommendations_due(friday) == datetime(2026, 12, 29, 17, 0, tzinfo=UTC)
    # An application received on Saturday counts from Monday.
    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    assert d.decision_due(saturday) == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)


def test_partnership_deadlines_come_from_the_file_with_defaults() -> None:
    lichfield = load_partnership("lichfield").case_review.deadlines
    assert lichfield.decision == 10 and lichfield.appeal_decision == 15
    assert CaseReviewDeadlines().decision == 10
