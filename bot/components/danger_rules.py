"""Words that mean someone is in danger now (no Rasa imports, so it is easy to test).

A safety net under DIET: danger must never be missed, so clear present-tense danger (a weapon, a
fire burning, a break-in or an attack under way, a threat to kill) is flagged even when the model
is unsure. A past event ("the bins were set on fire last night") is not flagged.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

WEAPON = re.compile(
    r"\b(weapon|weapons|knife|knives|gun|guns|machete|machetes|shotgun|firearm|crossbow|axe|blade|"
    r"stab|stabbing|stabbed|shoot|shooting|gunshots?|shots fired)\b",
    _I,
)
THREAT_TO_KILL = re.compile(
    r"\b(kill|murder) (me|him|her|us|them|my)\b|\b(going to|gonna|threatening to|"
    r"says he'?ll|says she'?ll|will) (kill|stab|shoot)\b",
    _I,
)
FIRE_NOW = re.compile(
    r"\b(is|are|'s|s|now|still) (on fire|alight|burning|ablaze)\b|\bon fire\b.*\b(now|spreading)\b|"
    r"\b(fire|flames)\b.*\b(now|spreading|getting close|near the houses)\b|"
    r"\bsmoke (is )?(coming|pouring|everywhere)\b|\bflames everywhere\b",
    _I,
)
BREAK_IN = re.compile(
    r"\b(breaking|broken|break|broke) ?(in|into) (my|our|the house|the flat|next door|"
    r"a house|the house opposite|the house over)|\bbreaking in\b|\bbroken in\b|"
    r"\btrying to (get|break) in\b|\btrying to open my\b|\bkicking (my|the|our) (front |back )?door\b|"
    r"\b(breaking|kicking) (my|the|our) door (in|down)\b|\bsomeone('s| is)? in my (house|flat|home)\b|"
    r"\bthere is someone in my (house|flat|home)\b",
    _I,
)
ATTACK = re.compile(
    r"\b(attacking|being attacked|beating|being beaten|beaten up|hitting (me|her|him)|"
    r"fighting|hurt(ing)? (me|her|him)|strangling|chasing|unconscious)\b",
    _I,
)
ATTACK_UNDER_WAY = re.compile(
    r"\b(is|are|'re|am|'m|they're|he's|she's) (being )?(attacked|attacking|beating|"
    r"stabbing|strangling)\b|\bunconscious\b",
    _I,
)
NOW = re.compile(
    r"\b(right now|now|as we speak|at the moment|currently|still (here|there|outside|around)|"
    r"happening now|going on now|help|quick|hurry|emergency)\b|!{2,}",
    _I,
)
PAST = re.compile(
    r"\b(last (night|week|month|year|weekend|time|saturday|sunday|monday|tuesday|wednesday|"
    r"thursday|friday)|yesterday|ago|the other (day|night)|over the weekend|overnight|"
    r"earlier this (week|month)|on (mon|tues|wednes|thurs|fri|satur|sun)day|this morning|"
    r"was|were|used to|keeps?|every|always|when i'?m out|most nights)\b",
    _I,
)
EMERGENCY_WORDS = re.compile(
    r"^\s*(emergency|help|help me|help!+|im in danger|i'm in danger|i am in danger)\s*!*\s*$", _I
)


def is_danger_now(text: str) -> bool:
    """True when the message plainly says someone is in danger now."""
    if EMERGENCY_WORDS.match(text):
        return True
    past_only = bool(PAST.search(text)) and not NOW.search(text)
    if past_only:
        return False
    if (
        WEAPON.search(text)
        or THREAT_TO_KILL.search(text)
        or FIRE_NOW.search(text)
        or BREAK_IN.search(text)
        or ATTACK_UNDER_WAY.search(text)
    ):
        return True
    return bool(ATTACK.search(text) and NOW.search(text))
