"""The TOPIC risk screen: answers scored to standard, medium or high, with reasons a person can read."""

from __future__ import annotations

import pytest

from casework.intake.risk import RiskAnswers, assess_risk
from casework.partnership import load_partnership


def test_no_answers_at_all_is_standard_risk() -> None:
    assessment = assess_risk(RiskAnswers())
    assert assessment.level == "standard"
    assert assessment.reasons == ()


def test_a_first_untargeted_report_with_no_impact_is_standard() -> None:
    answers = RiskAnswers(
        targeted=False, often="first", reported_before=False, prejudice=False, impact="none", vulnerable=False
    )
    assert assess_risk(answers).level == "standard"


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (RiskAnswers(targeted=True), "standard"),
        (RiskAnswers(targeted=True, often="few"), "medium"),
        (RiskAnswers(often="many", reported_before=True), "medium"),
        (RiskAnswers(impact="some", often="few", reported_before=True), "medium"),
        (RiskAnswers(targeted=True, often="many", vulnerable=True), "high"),
        (RiskAnswers(targeted=True, prejudice=True, impact="some"), "high"),
        (RiskAnswers(vulnerable=True, impact="some"), "medium"),
    ],
)
def test_answers_add_up_to_a_level(answers: RiskAnswers, level: str) -> None:
    assert assess_risk(answers).level == level


def test_a_possible_hate_incident_is_at_least_medium() -> None:
    assert assess_risk(RiskAnswers(prejudice=True)).level == "medium"


def test_severe_impact_on_someone_targeted_is_high() -> None:
    assert assess_risk(RiskAnswers(targeted=True, impact="severe")).level == "high"


def test_severe_impact_on_a_vulnerable_household_is_high() -> None:
    assert assess_risk(RiskAnswers(vulnerable=True, impact="severe")).level == "high"


def test_severe_impact_alone_is_medium() -> None:
    assert assess_risk(RiskAnswers(impact="severe")).level == "medium"


def test_domestic_abuse_with_targeting_and_severe_impact_is_high() -> None:
    answers = RiskAnswers(targeted=True, impact="severe", domestic_abuse=True)
    assessment = assess_risk(answers)
    assert assessment.level == "high"
    assert "domestic abuse" in assessment.reasons


def test_domestic_abuse_can_be_given_as_a_keyword_too() -> None:
    assert assess_risk(RiskAnswers(targeted=True, impact="severe"), domestic_abuse=True).level == "high"


def test_domestic_abuse_is_never_standard_risk() -> None:
    assert assess_risk(RiskAnswers(), domestic_abuse=True).level == "medium"


def test_a_second_report_within_the_window_raises_the_level_one_step() -> None:
    p = load_partnership("lichfield")
    assert assess_risk(RiskAnswers(), recent_reports_by_victim=1, partnership=p).level == "standard"
    raised = assess_risk(RiskAnswers(), recent_reports_by_victim=2, partnership=p)
    assert raised.level == "medium"
    assert any("repeat contact: 2 reports in 14 days" in r for r in raised.reasons)


def test_repeat_contact_raises_medium_to_high() -> None:
    answers = RiskAnswers(targeted=True, often="few")
    assert assess_risk(answers, recent_reports_by_victim=3).level == "high"


def test_repeat_contact_cannot_go_above_high() -> None:
    answers = RiskAnswers(targeted=True, impact="severe")
    assert assess_risk(answers, recent_reports_by_victim=5).level == "high"


def test_the_repeat_threshold_comes_from_the_partnership() -> None:
    p = load_partnership("lichfield")
    stricter = p.model_copy(update={"repeats": p.repeats.model_copy(update={"victim_reports": 4})})
    assert assess_risk(RiskAnswers(), recent_reports_by_victim=3, partnership=stricter).level == "standard"
    assert assess_risk(RiskAnswers(), recent_reports_by_victim=4, partnership=stricter).level == "medium"


def test_the_reasons_explain_the_level_in_plain_english() -> None:
    assessment = assess_risk(RiskAnswers(targeted=True, often="many", vulnerable=True))
    assert assessment.reasons == (
        "aimed at the person or their household",
        "has happened many times",
        "someone vulnerable lives in the household",
    )
    assert assessment.score == 6
