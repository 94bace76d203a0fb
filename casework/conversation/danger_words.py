"""Danger now, recognised at the door when the assistant cannot be asked (limits, load shedding).

The assistant recognises danger by meaning on every message it reads. This check is for the moments it
is not asked: a burst of texts beyond the global limit, or a number over its own limit. It is broad on
purpose: a needless 999 line costs a sentence, a missed one can cost a life.
"""

from __future__ import annotations

import re

# The full guidance, as the assistant gives it (bot/domain/responses.yml utter_danger).
DANGER_GUIDANCE = (
    "If anyone is in danger now, call 999 straight away. If you can't speak on the call, stay on the line "
    "and press 55 when asked. Textphone: 18000. You can text 999 only if you have registered with "
    "emergencySMS."
)

_DANGER = re.compile(
    r"\b("
    r"knife|knives|blade|machete|gun|guns|shot|shooting|stab\w*|weapon\w*|acid|"
    r"bleed\w*|blood|unconscious|not breathing|"
    r"attack\w*|assault\w*|beat\w* (him|her|me|them|us)|hitting (him|her|me|them|us)|punch\w*|strangl\w*|"
    r"chok\w*|kick\w* (him|her|me|them|us|a man|a woman|a lad|a boy|a girl)|"
    r"kill|murder|rape|raping|kidnap\w*|abduct\w*|dragg\w*|forced? (him|her|them|me) into|"
    r"fire|flames|smoke|burning|on fire|"
    r"break\w* in|broke in|burglar\w*|intruder\w*|in my house|in the house|"
    r"help me|help us|hurry|emergency|999|"
    r"hurt\w*|threaten\w*|gonna get (me|us)|going to get (me|us)|"
    r"jump\w* off|end it|overdose|suicid\w*"
    r")\b",
    re.IGNORECASE,
)


def sounds_like_danger(text: str) -> bool:
    """True when the words might describe someone in danger now (errs towards yes)."""
    return bool(_DANGER.search(text or ""))
