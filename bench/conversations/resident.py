"""A scripted resident who plays one scenario (scenarios.yml) against the assistant.

The resident reads each question as a person would (by its wording), answers from the scenario's facts in
the resident's own words, and behaves like a person: some answer more than asked, say "yes" to a choice,
go off topic once, change the place at the read-back, or say mid-conversation that they are in danger.
It stops when the assistant gives a report reference. A scenario with `diary_danger` then goes on as a
resident adding to that report would: it asks to add to its report (`diary_ask`, or the default) and
sends the `diary_danger` message, answering the assistant's diary question (which report, yes, when)
until the entry is confirmed. Pure logic: `send` is given by the runner.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REFERENCE = re.compile(r"\bASB-[2-9A-HJKMNP-Z]{6}\b")
MAX_TURNS = 25
OFF_TOPIC = "sorry the baby was crying, how long will this take?"
# The full 999 guidance (not the fallback's one-line reminder): 999, and 55 for a silent call.
DANGER_MARKS = ("999", "55")
# How the scripted resident asks to add to the report it has just made (a scenario may say `diary_ask`).
DIARY_ASK = "Can I add something to the report I just made?"
DIARY_MAX_TURNS = 4  # answers to the diary question after the danger message
DIARY_ADDED = re.compile(r"\b(added|put) (this|that|it)\b.{0,40}\breport\b", re.I)

Send = Callable[[str], tuple[list[str], list[dict[str, str]]]]


@dataclass
class Turn:
    sent: str
    answer: list[str]
    seconds: float
    kind: str = "answer"  # answer | off_topic | danger | opening | diary_ask | diary_danger | diary
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Played:
    """One scenario's whole conversation."""

    scenario: dict[str, Any]
    turns: list[Turn] = field(default_factory=list)
    reference: str | None = None
    error: str = ""
    diary_confirmed: bool = False  # the assistant said the diary message was added to the report

    @property
    def silent_turns(self) -> int:
        return sum(1 for t in self.turns if not any(a.strip() for a in t.answer))

    @property
    def resident_messages(self) -> int:
        """Messages until the report was filed (adding to it afterwards is not counted)."""
        return sum(1 for t in self.turns if not t.kind.startswith("diary"))

    @property
    def danger_missed(self) -> int:
        """Danger messages before filing whose answer did not start with the 999 guidance."""
        return sum(1 for t in self.turns if t.kind == "danger" and not starts_with_999(t.answer))

    @property
    def diary_danger_first(self) -> bool | None:
        """Whether the diary danger message was answered with the full 999 guidance first (None: not sent)."""
        sent = [t for t in self.turns if t.kind == "diary_danger"]
        return starts_with_999(sent[0].answer) if sent else None


def starts_with_999(answer: list[str]) -> bool:
    """The first message of the answer is the full 999 guidance (as a later danger message is judged)."""
    return bool(answer) and all(m in answer[0] for m in DANGER_MARKS)


def _is_no(words: str | None) -> bool:
    text = (words or "").strip().lower()
    return not text or bool(re.match(r"^(no|nope|nah|not really|none|n/?a|never)\b", text))


class Resident:
    """Answers the assistant's questions from one scenario's facts."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.s = scenario
        self.facts: dict[str, Any] = scenario.get("facts") or {}
        self.quirks = set(scenario.get("quirks") or [])
        self.said_yes_to_choice = False
        self.changed_mind = False
        self.went_off_topic = False
        self.danger_sent = False
        self.answered = 0

    # -- what to say ------------------------------------------------------------------------------

    def fact(self, key: str, default: str = "not sure") -> str:
        value = self.facts.get(key)
        return str(value) if value not in (None, "") else default

    def risk_numbers(self) -> str:
        chosen = []
        if not _is_no(self.facts.get("targeted")):
            chosen.append("1")
        if not _is_no(self.facts.get("prejudice")) or self.s.get("expect", {}).get("hate"):
            chosen.append("2")
        if not _is_no(self.facts.get("reported_before")):
            chosen.append("3")
        if not _is_no(self.facts.get("impact")):
            chosen.append("4")
        if not _is_no(self.facts.get("vulnerable")):
            chosen.append("5")
        if "more_than_asked" in self.quirks:
            return " ".join(chosen) + (" - " + self.fact("impact", "") if "4" in chosen else "") or "0"
        return " ".join(chosen) or "0"

    def contact_words(self, web: bool) -> str:
        contact = self.fact("contact", "text me updates").lower()
        if "anon" in contact:
            return "anonymous"
        if web:
            return "Confidential"
        return self.fact("contact", "yes")

    def choose_type(self, buttons: list[dict[str, str]]) -> str:
        wanted = str(self.s.get("expect", {}).get("asb_type") or "other").replace("_", " ")
        for button in buttons:
            title = str(button.get("title") or "")
            if any(w in title.lower() for w in wanted.split() if len(w) > 3):
                return title
        return str(buttons[-1].get("title")) if buttons else "something else"

    def reply(self, answer: list[str], buttons: list[dict[str, str]], *, web: bool) -> tuple[str, str]:
        """(message, kind) for the assistant's latest answer."""
        text = " ".join(answer).lower()
        self.answered += 1
        if self.s.get("later_danger") and not self.danger_sent and self.answered == 2:
            self.danger_sent = True
            return str(self.s["later_danger"]), "danger"
        if "off_topic_once" in self.quirks and not self.went_off_topic and self.answered == 3:
            self.went_off_topic = True
            return OFF_TOPIC, "off_topic"
        is_choice = bool(buttons) or "reply with the numbers" in text or re.search(r"\n1[ .]", text)
        if "yes_to_choice" in self.quirks and is_choice and not self.said_yes_to_choice:
            if "here is your report" not in text and "shall i send" not in text:
                self.said_yes_to_choice = True
                return "yes", "answer"
        return self._answer(text, buttons, web=web), "answer"

    def _answer(self, text: str, buttons: list[dict[str, str]], *, web: bool) -> str:
        if "here is your report" in text or "shall i send" in text:
            if "change_of_mind" in self.quirks and not self.changed_mind:
                self.changed_mind = True
                return "change where"
            return "Yes, send it"
        if "try sending it again" in text or "try again" in text:
            return "yes"
        if "which of these is closest" in text or "what kind of problem" in text:
            return self.choose_type(buttons)
        if "what would you like to change" in text:
            return "Change where"
        if "where" in text and ("happening" in text or "find that place" in text or "street" in text):
            where = self.fact("where", "near my house")
            if "more_than_asked" in self.quirks:
                return f"{where}, {self.fact('when', '')}".strip(" ,")
            return where
        if "when did it happen" in text or "when did" in text:
            return f"{self.fact('when', 'recently')} {self.fact('ongoing', '')}".strip()
        if "happening to you" in text or "did you see it" in text:
            return self.fact("role", "its happening to me")
        if "own your home or rent" in text:
            return self.fact("tenure", "own")
        if "who is your landlord" in text:
            return self.fact("landlord", self.fact("tenure", "not sure"))
        if "how often" in text:
            return self.fact("how_often", "a few times")
        if "do any of these apply" in text:
            return self.risk_numbers()
        if "what do you think it is about" in text:
            return self.fact("prejudice", "not sure")
        if "text you updates" in text or "safe for us to text" in text:
            return self.contact_words(web=False)
        if "confidential" in text or "anonymous" in text:
            return self.contact_words(web=True)
        if "mobile" in text or "phone number" in text:
            return self.fact("mobile", "no thanks")
        if "carry on with your report" in text or "pass this on" in text or "do that now" in text:
            return "yes"
        if "what happened" in text or "tell me what" in text or "not sure i understood" in text:
            return self.fact("what", str(self.s.get("opening", ["something happened"])[-1]))
        if buttons:
            return str(buttons[0].get("title") or "yes")
        return self.fact("what", "yes")


def diary_answer(answer: list[str], buttons: list[dict[str, str]], reference: str) -> str | None:
    """The resident's answer to the assistant's diary question, or None when nothing is asked of them."""
    text = " ".join(answer).lower()
    if "which report" in text:
        for button in buttons:
            if reference in str(button.get("title") or ""):
                return str(button["title"])
        return reference
    if "when did it happen" in text:
        return "now"
    if "add this to report" in text or "add it to" in text:
        return "yes"
    return None


def _diary(played: Played, step: Callable[[str, str], bool]) -> None:
    """After filing: ask to add to the report, send the danger message, answer until it is added."""
    scenario, reference = played.scenario, str(played.reference)
    if not step(str(scenario.get("diary_ask") or DIARY_ASK), "diary_ask"):
        return
    if not step(str(scenario["diary_danger"]), "diary_danger"):
        return
    for _ in range(DIARY_MAX_TURNS):
        latest = played.turns[-1]
        if DIARY_ADDED.search(" ".join(latest.answer)):
            played.diary_confirmed = True
            return
        message = diary_answer(latest.answer, latest.buttons, reference)
        if message is None or not step(message, "diary"):
            return


def play(scenario: dict[str, Any], send: Send, *, web: bool) -> Played:
    """Play one scenario through `send` until a reference is given (or MAX_TURNS pass), then any diary."""
    played = Played(scenario=scenario)
    resident = Resident(scenario)

    def step(message: str, kind: str) -> bool:
        """Send one message and record the turn; False when the turn failed (the scenario ends)."""
        started = time.perf_counter()
        try:
            answer, buttons = send(message)
        except Exception as exc:  # noqa: BLE001 - a failed turn ends the scenario with its reason
            played.turns.append(Turn(message, [], time.perf_counter() - started, kind))
            played.error = f"{type(exc).__name__}: {exc}"
            return False
        played.turns.append(Turn(message, answer, time.perf_counter() - started, kind, buttons))
        return True

    queue = [(str(m), "opening") for m in scenario.get("opening") or []]
    for _ in range(MAX_TURNS):
        if queue:
            message, kind = queue.pop(0)
        else:
            last = played.turns[-1] if played.turns else Turn("", [], 0.0)
            message, kind = resident.reply(last.answer, last.buttons, web=web)
        if not step(message, kind):
            return played
        found = REFERENCE.search(" ".join(played.turns[-1].answer))
        if found and not queue:
            played.reference = found.group(0)
            if scenario.get("diary_danger"):
                _diary(played, step)
            return played
    played.error = f"no reference after {MAX_TURNS} messages"
    return played
