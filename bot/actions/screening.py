"""The risk screen and the contact choice, each asked as one numbered question (no Rasa imports).

The risk screen (targeted, prejudice, reported before, impact, vulnerability: the TOPIC pattern in
docs/domain.md) is for personal ASB and for reports whose words show harm to a person; an abandoned car
or fly-tipping does not get it. By SMS each question is a text the resident pays for, so the five
yes/no questions are one list answered with numbers ("1 4", or 0 for none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .asb_types import nsir_class
from .parsing import is_unsure, mentions_hate, parse_hate_motivation, parse_yes_no

RISK_SCREEN_QUESTION = (
    "Do any of these apply? Reply with the numbers, for example 1 4, or 0 for none.\n"
    "1 It's aimed at me or my home\n"
    "2 It's because of who I am (race, religion, disability, sexuality or gender identity)\n"
    "3 I've reported it before\n"
    "4 It's affecting my health, sleep or feeling safe at home\n"
    "5 Someone at home is disabled, ill, a child or older"
)

# Words that show harm to a person, whatever the type: these reports get the risk screen too.
_HARM_WORDS = re.compile(
    r"\b(scared|terrified|frightened|afraid|threat\w*|intimidat\w*|harass\w*|bully\w*|target\w*|"
    r"abus\w*|vulnerable|elderly|disabled|can'?t sleep|unsafe|not safe|attack\w*|hurt|hit me|"
    r"picking on|aimed at|won'?t leave (me|us) alone)\b",
    re.IGNORECASE,
)

_SEVERE = re.compile(
    r"\b(scared|terrified|frightened|unsafe|not safe|moving|move out|breaking point|depress\w*|"
    r"anxi\w*|can'?t sleep|cant sleep|ill|desperate)\b",
    re.IGNORECASE,
)
_NONE = re.compile(r"^\s*(0|none|no|nope|nah|none of (these|them|those)|nothing|n/?a|neither)\W*$", re.I)
_WORD_FLAGS = (
    (1, re.compile(r"\b(aimed|target\w*|at me|at us|my home|our home|picking on)\b", re.I)),
    (2, re.compile(r"\b(who i am|because i'?m|racis\w*|race|religio\w*|homophob\w*|transphob\w*)\b", re.I)),
    (3, re.compile(r"\b(reported|rang|called|told the|complained|before)\b", re.I)),
    (4, re.compile(r"\b(health|sleep|safe|scared|stress\w*|anxi\w*|affect\w*)\b", re.I)),
    (5, re.compile(r"\b(disab\w*|ill|child|children|kids?|baby|older|elderly|autis\w*|carer)\b", re.I)),
)


def needs_risk_screen(slots: Mapping[str, Any]) -> bool:
    """Personal ASB, hate, domestic abuse, or words showing harm to a person."""
    if slots.get("domestic_abuse") or slots.get("hate") or slots.get("risk_prejudice") is True:
        return True
    if nsir_class(slots.get("asb_type")) == "personal":
        return True
    description = str(slots.get("description") or "")
    return bool(_HARM_WORDS.search(description)) or mentions_hate(description)


def parse_risk_screen(text: str) -> dict[str, Any] | None:
    """The screen's answers as slot values, or None when the reply does not say (e.g. a bare "yes")."""
    answer = text.strip()
    if answer.startswith("/deny") or _NONE.match(answer):
        chosen: set[int] = set()
    else:
        chosen = {int(d) for d in re.findall(r"(?<!\d)[1-5](?!\d)", answer)}
        if not chosen:
            chosen = {flag for flag, pattern in _WORD_FLAGS if pattern.search(answer)}
        if not chosen:
            return None
    values: dict[str, Any] = {
        "risk_targeted": 1 in chosen,
        "risk_prejudice": 2 in chosen,
        "risk_reported_before": 3 in chosen,
        "risk_impact": ("severe" if _SEVERE.search(answer) else "some") if 4 in chosen else "none",
        "risk_vulnerable": 5 in chosen,
    }
    if 2 in chosen:
        values["hate"] = True
        motivation = parse_hate_motivation(answer)
        if motivation in ("race", "religion", "disability", "sexual_orientation", "transgender_identity"):
            values["hate_motivation"] = motivation
    return values


# -- how we may contact them (SMS) ---------------------------------------------------------------

CONTACT_CHOICES: dict[str, dict[str, Any]] = {
    "updates": {"contact_anonymous": False, "text_safe": True, "contact_updates": True},
    "no_texts": {"contact_anonymous": False, "text_safe": None, "contact_updates": False},
    "not_safe": {"contact_anonymous": False, "text_safe": False, "contact_updates": False},
    "anonymous": {"contact_anonymous": True, "text_safe": None, "contact_updates": False},
}
CONTACT_BUTTONS: tuple[tuple[str, str], ...] = (
    ("Yes, text me updates", "updates"),
    ("No texts, thanks", "no_texts"),
    ("It's not safe to text me", "not_safe"),
    ("Keep me anonymous", "anonymous"),
)


# Someone else may read the phone: the reason texting is not safe.
_NOT_SAFE = re.compile(
    r"not safe|unsafe|isn'?t safe|someone (else )?(reads|checks|looks)"
    r"|\b(he|she|they)\b[^.;]{0,30}\b(see|sees|read|reads|look|looks|check|checks|goes through|picks up)\b"
    r"|\bknows my (phone|passcode|password|pin)|\b(reads|checks|looks at|goes through|sees) my (phone|texts|messages)"
)
# A refusal of texts: "don't text me", "no texts", "I'd rather not have texts", "not by text".
_NO_TEXTS = re.compile(
    r"\b(don'?t|dont|do not|never|no|not|rather not|without)\b[^.,;]{0,25}\b(te?xts?|txts?|sms|messages?)\b"
    r"|\b(no updates|no thanks|no need)\b"
)
_TEXT_ME = re.compile(
    r"\b(te?xt|txt|sms|message) me\b|\bupdates? (please|pls|plz|yes)\b|\bkeep me (posted|updated)"
    r"|\b(te?xts?|txts?|sms)\b[^.;]{0,20}\b(fine|ok|okay|good|great|best|sound|alright|grand|welcome)\b"
    r"|\bor (by )?te?xt\b|\bhappy (for|with|to (get|have|receive)) (a |an )?(te?xts?|txts?|updates?)\b"
)


def parse_contact_choice(text: str) -> str | None:
    """updates / no_texts / not_safe / anonymous; None when unclear. Doubt about safety is not safe.

    A refusal is read before a request, so "please don't text me" is never taken as "text me".
    """
    lowered = text.strip().lower()
    for title, code in CONTACT_BUTTONS:
        if lowered in (title.lower(), code):
            return code
    if re.search(r"\banon", lowered):
        return "anonymous"
    if _NOT_SAFE.search(lowered):
        return "not_safe"
    if is_unsure(lowered) and re.search(r"safe", lowered):
        return "not_safe"
    if _NO_TEXTS.search(lowered):
        return "no_texts"
    if _TEXT_ME.search(lowered):
        return "updates"
    if re.search(r"\bconfidential\b", lowered):
        return "no_texts"  # confidential, without asking for texts (the web chat's old question)
    answer = parse_yes_no(lowered)
    if answer is True:
        return "updates"
    if answer is False:
        return "no_texts"
    return None
