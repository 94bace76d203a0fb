"""Risk and vulnerability screening: the TOPIC questions scored to standard, medium or high."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from casework.partnership import Partnership

RiskLevel = Literal["standard", "medium", "high"]
LEVELS: tuple[RiskLevel, ...] = ("standard", "medium", "high")

MEDIUM_FROM = 3
HIGH_FROM = 6
DEFAULT_REPEAT_VICTIM_REPORTS = 2


@dataclass(frozen=True)
class RiskAnswers:
    """The resident's answers to the screen; any may be missing (None) when not asked or not answered."""

    targeted: bool | None = None  # aimed at you or your household?
    often: Literal["first", "few", "many"] | None = None  # how many times has it happened?
    reported_before: bool | None = None  # reported before, to anyone?
    prejudice: bool | None = None  # because of who you are (race, religion, disability, ...)?
    impact: Literal["none", "some", "severe"] | None = None  # health, sleep, feeling safe at home
    vulnerable: bool | None = None  # anyone disabled, ill, with a mental health condition, a child, older?
    domestic_abuse: bool | None = None  # the person is a partner, ex-partner or family member


@dataclass(frozen=True)
class RiskAssessment:
    """The level and the plain-English reasons for it."""

    level: RiskLevel
    reasons: tuple[str, ...] = ()
    score: int = 0


def _raise(level: RiskLevel) -> RiskLevel:
    return LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]


def _at_least(level: RiskLevel, floor: RiskLevel) -> RiskLevel:
    return level if LEVELS.index(level) >= LEVELS.index(floor) else floor


def assess_risk(
    answers: RiskAnswers,
    *,
    recent_reports_by_victim: int = 0,
    partnership: Partnership | None = None,
    domestic_abuse: bool = False,
) -> RiskAssessment:
    """Score the TOPIC screen to a risk level with reasons; missing answers count as no risk.

    Points:
      targeted at the person or household   +2
      often: a few times +1, many times +2; reported before +1
      prejudice (a possible hate incident)   +3
      impact: some +1, severe +3
      vulnerable household member            +2
    Score 0-2 is ``standard``, 3-5 ``medium``, 6 or more ``high``.

    Floors, whatever the score:
      prejudice                              at least medium
      domestic abuse                         at least medium
      severe impact and (targeted or vulnerable)      high
      domestic abuse, targeted and severe impact      high

    Repeat contact: when ``recent_reports_by_victim`` (this person's reports within the partnership's
    repeat-victim window, *including this one*) reaches ``partnership.repeats.victim_reports`` (default 2),
    the level goes up one step (standard → medium → high).
    """
    reasons: list[str] = []
    score = _score(answers, reasons)
    level: RiskLevel = "high" if score >= HIGH_FROM else "medium" if score >= MEDIUM_FROM else "standard"
    level = _floors(answers, level, reasons, domestic_abuse=bool(domestic_abuse or answers.domestic_abuse))
    level = _repeat_contact(level, reasons, recent_reports_by_victim, partnership)

    return RiskAssessment(level=level, reasons=tuple(reasons), score=score)


def _score(answers: RiskAnswers, reasons: list[str]) -> int:
    """The TOPIC points, adding a reason for each answer that scores."""
    score = 0
    if answers.targeted:
        score += 2
        reasons.append("aimed at the person or their household")
    if answers.often == "few":
        score += 1
        reasons.append("has happened a few times")
    elif answers.often == "many":
        score += 2
        reasons.append("has happened many times")
    if answers.reported_before:
        score += 1
        reasons.append("reported before")
    if answers.prejudice:
        score += 3
        reasons.append("may be because of who they are (a possible hate incident)")
    if answers.impact == "some":
        score += 1
        reasons.append("is affecting their health, sleep or feeling safe")
    elif answers.impact == "severe":
        score += 3
        reasons.append("is severely affecting their health, sleep or feeling safe at home")
    if answers.vulnerable:
        score += 2
        reasons.append("someone vulnerable lives in the household")
    return score


def _floors(answers: RiskAnswers, level: RiskLevel, reasons: list[str], *, domestic_abuse: bool) -> RiskLevel:
    """The levels a report has whatever its score (prejudice, domestic abuse, severe impact)."""
    if answers.prejudice and level == "standard":
        level = "medium"
    if domestic_abuse:
        reasons.append("domestic abuse")
        level = _at_least(level, "medium")
    severe = answers.impact == "severe"
    if severe and (answers.targeted or answers.vulnerable) and level != "high":
        level = "high"
        reasons.append("severe impact on someone targeted or vulnerable")
    if domestic_abuse and answers.targeted and severe:
        level = "high"
    return level


def _repeat_contact(
    level: RiskLevel, reasons: list[str], recent_reports: int, partnership: Partnership | None
) -> RiskLevel:
    """One step up when this person has reported often enough within the repeat-victim window."""
    threshold = DEFAULT_REPEAT_VICTIM_REPORTS
    if partnership is not None:
        threshold = partnership.repeats.victim_reports
    if recent_reports < threshold:
        return level
    raised = _raise(level)
    window = f" in {partnership.repeats.victim_window_days} days" if partnership is not None else ""
    note = f"repeat contact: {recent_reports} reports{window}"
    reasons.append(note if raised != level else f"{note} (already high)")
    return raised
