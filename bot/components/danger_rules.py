"""Words that mean someone is in danger now (no Rasa imports, so it is easy to test).

A safety net under the intent classifier: danger must never be missed, so clear present-tense danger (a
weapon, a fire burning, a break-in or an attack under way, a threat to kill) is flagged even when the model
is unsure. A past event ("the bins were set on fire last night") is not flagged.
"""

from __future__ import annotations

import re

from components.danger_meaning import NOW as PRESENT_CUE

_I = re.IGNORECASE

# A weapon someone has or uses, not one that is only mentioned ("found a knife in the park").
WEAPON = re.compile(
    r"\b(with|has|have|had|got|holding|waving|wielding|pulled|pulling|carrying|armed with|brandishing|"
    r"swinging|pointing) (out )?(a |an |his |her |their |the |some |two |2 )?(\w+ )?"
    r"(weapon|weapons|knife|knives|gun|guns|machete|machetes|shotgun|firearm|crossbow|axe|blade)\b|"
    r"\b(stab|stabbing|stabbed|shoot|shooting|gunshots?|shots fired|tooled up)\b",
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
# Someone (not something: "kicking a ball" is not danger).
PERSON = (
    r"(him|her|them|me|us|someone|somebody|my \w+|"
    r"(a|an|the|this|that|some|another|one) (\w+ )?(lad|man|woman|girl|boy|kid|child|guy|bloke|lass|person|"
    r"fella|teenager|youth|old man|old lady|neighbour|driver))"
)
ATTACK = re.compile(
    r"\b(attacking|being attacked|beating|being beaten|beaten up|hitting (me|her|him|them|us)|"
    r"fighting|hurt(ing)? (me|her|him)|strangling|chasing|unconscious|"
    r"(kicking|punching|stamping on|battering|laying into|jumping|kicking the (shit|crap|hell) out of) "
    + PERSON
    + r"|(isn'?t|is not|not) (moving|breathing|waking up)|bleeding (badly|everywhere|a lot)|"
    r"(coming at|going for) (me|us|him|her|them))\b",
    _I,
)
ATTACK_UNDER_WAY = re.compile(
    r"\b(is|are|'re|am|'m|they're|he's|she's) (being )?(attacked|attacking|beating|"
    r"stabbing|strangling)\b|\bunconscious\b|"
    r"\b(he'?s|hes|she'?s|shes|they'?re|theyre|is|are) (coming at|going for) (me|us|him|her|them)\b|"
    r"\b(he'?s|hes|she'?s|shes|they'?re|theyre|is|are) (kicking|punching|hitting|stamping on|battering|"
    r"laying into) " + PERSON + r"\b",
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
# Not a real emergency: a hoax call about one, a film or game, a figure of speech.
NOT_REAL = re.compile(
    r"\b(hoax|prank call|false alarm|"
    r"(ringing|rings|rang|rung|calling|calls|called|phoning|phoned) "
    r"(999|the fire|the police|fire brigade|the brigade)"
    r"|when (it'?s|its|it is|there'?s|theres|there is) (not|no)\b|"
    r"on (the )?(tv|telly|film|game|xbox|playstation|news)|call of duty|fortnite|gta|horror films?|"
    r"killing me\b|nerf gun|water pistol|bbq|barbecue|a game where|playing a game|video games?)",
    _I,
)
EMERGENCY_WORDS = re.compile(
    r"^\s*(emergency|help|help me|help!+|im in danger|i'm in danger|i am in danger)\s*!*\s*$", _I
)


def is_danger_now(text: str) -> bool:
    """True when the message plainly says someone is in danger now."""
    if EMERGENCY_WORDS.match(text):
        return True
    if NOT_REAL.search(text):
        return False  # the classifier still decides; the guard only adds danger it is sure of
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
    # an assault with an explicit present cue, the meaning detector's included ("i can see it", "5 mins ago")
    return bool(ATTACK.search(text) and (NOW.search(text) or PRESENT_CUE.search(text)))
