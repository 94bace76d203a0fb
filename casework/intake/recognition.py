"""Hate incidents and domestic abuse recognised from the resident's own words (rule functions, no I/O).

The assistant asks, and its classifier reads the first message, but a report must never lose the
safeguards of a hate incident or of domestic abuse (police lead, no mediation, the support service,
safe-contact rules) because the words were read as another type. So intake reads the description too:

- **Hate incident**: any incident the victim or anyone else perceives as motivated by hostility or
  prejudice because of race, religion, disability, sexual orientation or transgender identity. Words
  that name the prejudice ("racist", "homophobic"), or hostility in the same sentence as a faith, what
  someone wears for it, or a place of worship ("pulled at her headscarf", "bacon left at the mosque"),
  or as who the person is ("because of my religion", "for being Jewish").
- **Domestic abuse**: abuse by a partner, ex-partner or family member (Domestic Abuse Act 2021). The
  person harming is named as the resident's own ("my ex", "my husband", "my son"), or as someone's
  partner harming them ("her boyfriend ... hitting her"), and does something abusive: violence, threats,
  damage, following, turning up, messages. An ex or ex-partner doing any of these is enough; a current
  partner or a relative must be doing it to the resident, their home or things, or another person.

Both rules only ever add a flag: what the resident or the assistant said is never taken away.
"""

from __future__ import annotations

import re
from typing import Any

from casework.intake.contract import Intake

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def recognise_flags(intake: Intake) -> tuple[Intake, tuple[str, ...]]:
    """The intake with the hate and domestic abuse flags its own words show, and why (flags only added).

    Domestic abuse found only here was not known when the resident was asked about texts, so a "yes" to
    updates is not taken as "safe to text" (the domestic abuse question was never asked): no text goes
    until they say it is safe.
    """
    changes: dict[str, Any] = {}
    notes: list[str] = []
    if not intake.hate and (motivation := hate_motivation_in(intake.description)):
        changes.update(hate=True, hate_motivation=intake.hate_motivation or motivation)
        if intake.risk.prejudice is None:  # as when the assistant flags hate: scored as prejudice
            changes["risk"] = intake.risk.model_copy(update={"prejudice": True})
        notes.append(f"the resident's words describe a hate incident ({motivation.replace('_', ' ')})")
    if not intake.domestic_abuse and domestic_abuse_in(intake.description):
        changes["domestic_abuse"] = True
        notes.append("the resident's words describe abuse by a partner, ex-partner or family member")
        if intake.contact.text_safe:
            changes["contact"] = intake.contact.model_copy(update={"text_safe": None})
    return (intake.model_copy(update=changes) if changes else intake), tuple(notes)


# -- hate ----------------------------------------------------------------------------------------

# Words that name the prejudice itself: enough on their own.
_NAMED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("race", re.compile(r"\bracis[mt]\w*|\brace hate\b", re.I)),
    ("religion", re.compile(r"\b(islamophob\w*|anti-?semit\w*|anti-?muslim|anti-?jewish|sectarian)", re.I)),
    ("sexual_orientation", re.compile(r"\b(homophob\w*|biphob\w*)", re.I)),
    ("transgender_identity", re.compile(r"\btransphob\w*", re.I)),
    ("disability", re.compile(r"\b(disablis\w*|disableis\w*|ableis\w*)", re.I)),
)
_HATE_ITSELF = re.compile(r"\bhate (crime|incident|mail|speech|graffiti|leaflet|note|message)s?\b", re.I)

# A faith, its people, or what someone wears for it: any hostility in the same sentence is enough.
_STREET = r"(?!\s+(street|st|road|rd|lane|close|way|avenue|ave|hill|walk|fields?|view|green|gardens?|farm)\b)"
_FAITH = re.compile(
    r"\b(religio\w*|(my|our|her|his|their|of|the) faith|muslims?|islam\w*|jews?|jewish|sikhs?|hindus?|"
    r"christians?|catholics?|buddhists?|worshippers?|hijabs?|head ?scarf|head ?scarves|head ?coverings?|"
    r"niqabs?|burk?qa?s?|burkhas?|turbans?|patkas?|kippah|kippot|yarmulkes?|skull ?caps?|crucifix|"
    r"prayer (mat|cap)s?)\b",
    re.I,
)
# A place of worship: only with words of hatred (a broken window at a church may be plain vandalism).
_PLACE_OF_WORSHIP = re.compile(
    rf"\b(mosques?|synagogues?|gurdwaras?|mandirs?|temples?|churche?s?|chapels?|places? of worship){_STREET}",
    re.I,
)
_HATRED = re.compile(
    r"\b(offensive|hateful|hatred|hostil\w*|slurs?|swastikas?|bacon|pork|pigs?|pig's|terrorists?|"
    r"go back\b|not welcome|abuse (at|to) (the )?(worshippers|people|families|children)|insult\w*)",
    re.I,
)
# What someone is, for the other characteristics (only with hostility and "because of"/"for being").
_WHO: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("race", re.compile(r"\b(race|colour|skin|ethnic\w*|nationality|black|asian|foreign\w*)\b", re.I)),
    ("disability", re.compile(r"\b(disab\w*|wheelchair|autis\w*|learning difficult\w*|blind|deaf)\b", re.I)),
    ("sexual_orientation", re.compile(r"\b(gay|lesbian|bisexual|sexuality|queer)\b", re.I)),
    ("transgender_identity", re.compile(r"\b(trans|transgender|gender identity)\b", re.I)),
)
_BECAUSE = re.compile(r"\b(because|cos|coz|cause|for being|for wearing|as (i|we|she|he) (am|are|is))\b", re.I)
_HOSTILE = re.compile(
    r"(?<!drug )(?<!drugs )(?<!alcohol )(?<!substance )\b(abus\w*|(shout|yell|scream|swear)\w* (at|abuse)|"
    r"insult\w*|slurs?|name[- ]calling|call(s|ed|ing)? (me|us|him|her|them|my|our) (a|an|names)\b|"
    r"spat|spit\w*|"
    r"(pull|rip|tear|grabb?)\w* (at|off)|tore (at|off)|knock\w* (it|off)|mock\w*|laugh\w* at|jeer\w*|"
    r"taunt\w*|threat\w*|attack\w*|assault\w*|terrorists?|go back\b|not welcome|offensive|hateful|"
    r"bacon|pork|pigs?|pig's|swastikas?|egg(ed|ing)|target\w*|picked on|pick(s|ing)? on|bull(y|ied|ying)|"
    r"harass\w*|intimidat\w*|hostil\w*|hatred)",
    re.I,
)


# Slurs and taunts, which name the prejudice by themselves. The ambiguous ones count only when someone is
# called, shouted at or written to with them ("called my brother a spaz"), never on their own.
_SLURS_ALONE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "race",
        re.compile(
            r"\b(pakis?|n[i1]gg\w*|golliwogs?)\b|\bmonkey (noises?|chants?|sounds?|gestures?)|"
            r"\b(drew|drawn|draw|drawing|painted|sprayed|spray-painted) (a |some )?(monkeys?|bananas?)\b|"
            r"\bgo back to (your|their|our|my|his|her) (own )?countr(y|ies)|"
            r"\bgo back (to )?where (you|they|we|he|she|i) (came|come) from|"
            r"\b(wrote|written|sprayed|painted|scrawled|shout\w*|yell\w*|scream\w*) ['\"]?go (back )?home\b|"
            r"\btold (me|us|him|her|them) to ['\"]?go back home\b",
            re.I,
        ),
    ),
)
_CALLED = (
    r"\b(call\w*|shout\w*|yell\w*|scream\w*|chant\w*|sprayed|wrote|written|painted|scrawled)\b[^.!?]{0,40}?"
)
_SLURS_CALLED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("race", re.compile(_CALLED + r"\b(coons?|wogs?|chinks?|gyppos?|pikeys?|darkies?)\b", re.I)),
    (
        "disability",
        re.compile(_CALLED + r"\b(spaz\w*|spastics?|retards?|mongs?|cripples?|window ?lickers?)\b", re.I),
    ),
    (
        "sexual_orientation",
        re.compile(
            _CALLED + r"\b(poofs?|poofters?|puffs?|faggots?|dykes?|lezzas?|batty ?(boy|man)s?|bum ?boys?)\b",
            re.I,
        ),
    ),
    (
        "transgender_identity",
        re.compile(
            _CALLED + r"\b(tranny|trannies|shemales?|he-?shes?)\b"
            r"|\bcall(s|ed|ing)? (me|him|her|them|us) ['\"\u2018\u201c]?it\b['\"\u2019\u201d]?"
            r"(?!\s+(is|was|'s|off|in|out|a|the))",
            re.I,
        ),
    ),
)
# Who the victim is, said as the reason ("since they found out we're Muslim") or beside hostility ("we're the
# only Asian family on the road and they keep targeting us").
_FOUND_OUT = re.compile(
    r"\b(since|ever since|after|once|when) (they|he|she|the \w+|people|everyone)( have| has| had)? "
    r"(found out|realised|realized|learned|learnt|heard|saw|discovered|twigged)( that)? "
    r"(we|i|my \w+|our \w+|he|she|they)\s*('re|'m|'s|\s(are|am|is|were|was))\b",
    re.I,
)
_VICTIM_IS = re.compile(  # the resident about themselves: "he's black" may describe who did it
    r"\b(we'?re|we are|i'?m|im|i am)\s+(a |an |the only |only |both |two |all )?",
    re.I,
)
_FOUND_OUT_WINDOW = 25
_SAME_SEX = re.compile(r"\b(same[- ]sex|two (women|men|girls|lads|blokes)|(for|while) holding hands)\b", re.I)
# Worship interrupted on purpose: the resident's own prayers or journey to worship, and a sign it is aimed.
_OUR_PRACTICE = re.compile(
    r"\b(we|we'?re|i|i'?m|our|my|my family|the family)\b[^.!?]{0,20}?\b(pray|prays|praying|prayers?|"
    r"worship\w*|sabbath|shabbat|(go|going|walk|walking|way) to (the )?(mosque|church|synagogue|gurdwara|"
    r"temple|mandir|chapel|mass|service))\b",
    re.I,
)
_AIMED = re.compile(
    r"\b(coinciden\w*|on purpose|deliberate\w*|purposely|aimed at|"
    r"to (wind|get at|upset|disturb|annoy|drown out|mock) (us|me|them)|target\w*|just to)\b",
    re.I,
)


def hate_motivation_in(text: str) -> str | None:
    """The prejudice the words show ("religion", "race", ...), "other" when only "hate" is named, or None."""
    for sentence in _sentences(text):
        for label, named in _NAMED:
            if named.search(sentence):
                return label
        if _PLACE_OF_WORSHIP.search(sentence) and _HATRED.search(sentence):
            return "religion"
        hostile = _HOSTILE.search(sentence) is not None
        if _OUR_PRACTICE.search(sentence) and (hostile or _AIMED.search(sentence)):
            return "religion"
        if hostile and _FAITH.search(sentence):
            return "religion"
        for label, named in (*_SLURS_ALONE, *_SLURS_CALLED):
            if named.search(sentence):
                return label
        found_out = _FOUND_OUT.search(sentence)
        said = sentence[found_out.end() : found_out.end() + _FOUND_OUT_WINDOW] if found_out else ""
        if said and (named_who := _who(said)):
            return named_who
        if not hostile:
            continue
        if _BECAUSE.search(sentence) or _VICTIM_IS.search(sentence):
            if _BECAUSE.search(sentence) and _SAME_SEX.search(sentence):
                return "sexual_orientation"
            for label, who in _WHO:
                if who.search(sentence) and (_BECAUSE.search(sentence) or _victim_is(sentence, who)):
                    return label
    return "other" if _HATE_ITSELF.search(text) else None


def _who(words: str) -> str | None:
    """The characteristic named in these words (a faith counts as religion), or None."""
    if _FAITH.search(words):
        return "religion"
    for label, who in _WHO:
        if who.search(words):
            return label
    return None


def _victim_is(sentence: str, who: re.Pattern[str]) -> bool:
    """The victim says what they are ("we're the only Black family"), the characteristic right after."""
    return any(who.match(sentence, m.end()) for m in _VICTIM_IS.finditer(sentence))


# -- domestic abuse ------------------------------------------------------------------------------

_EX = (
    r"ex[- ]?(partner|husband|hubby|wife|boyfriend|girlfriend|fiancee?|bf|gf)|"
    r"former (partner|husband|wife|boyfriend|girlfriend)|ex"
)
_PARTNER = (
    r"partner|husband|hubby|wife|boyfriend|girlfriend|bf|gf|fiancee?|fella|other half|missus|misses|mrs|"
    r"bird|lass|woman|man"
)
_CHILD_PARENT = r"(kids?|kids'|children'?s|child'?s|baby'?s|son'?s|daughter'?s) (dad|father|mum|mother)"
_FAMILY = (
    r"(brother|sister|father|mother|son|daughter)[- ]in[- ]law|in-?laws|(husband|wife)'?s family|"
    r"step-?(son|daughter|dad|father|mum|mam|mother)|son|daughter|brother|sister|dad|father|mum|mam|mom|mother|"
    r"grandson|granddaughter|grandad|grandfather|grandma|grandmother|nan|nana|gran|granny|uncle|auntie|aunt|"
    r"cousin|nephew|niece"
)
# "my partner's car" is someone else's story; "my partner's been ..." is the partner doing something.
_NOT_OWNER = (
    r"(?!'s\b(?!\s+(been|always|started|just|still|now|getting|gone|got|back|kicking|hitting|threatening|"
    r"smashing|turning|following|sending|messaging|calling|ringing|not|never)\b)|s'|\s+and\s+(i|me)\b)"
)
_OWN = r"(my|our|me)"  # "me mam", "me ex": the resident's own, in the North and Midlands
_RELATIVE = r"mum|mam|mom|mother|dad|father|daughter|son|sister|brother|nan|gran|granny|grandma|auntie|aunt"
_RELATION = re.compile(
    rf"\b{_OWN}\s+((?P<ex>{_EX})|(?P<partner>{_CHILD_PARENT}|{_PARTNER})|(?P<family>{_FAMILY}))\b{_NOT_OWNER}"
    rf"|\b(her|his)\s+(?P<theirs>{_EX}|{_PARTNER})\b{_NOT_OWNER}"
    rf"|\b{_OWN}\s+(?P<kin>{_RELATIVE})(?:'s|s)\s+(?P<kins>{_EX}|{_PARTNER})\b{_NOT_OWNER}",
    re.I,
)
# Harm: abusive from anyone close, when done to someone (or their home or things).
_HARM = (
    r"hit(s|ting)?|punch\w*|slap\w*|kick(s|ed|ing)?|push(es|ed|ing)?|shov\w*|strangl\w*|chok\w*|"
    r"grabb?\w*|hurt\w*|beat(s|ing|en)?|attack\w*|assault\w*|threat\w*|abus\w*|smash\w*|damag\w*|"
    r"key(ed|ing)|scratch\w*|slash\w*|broke|break(s|ing)?|burn(s|t|ed|ing)?|set fire|torch\w*|spat|"
    r"spit(s|ting)?|control\w*|stalk\w*|harass\w*|track\w*|(let|lets|letting) \w+ tyres down|scar(es|ing)|"
    r"(took|takes|taking|steal|steals|stole|stealing|nick|nicks|nicked|nicking) (my|our|her|his) "
    r"(money|phone|keys|car|cards?|bank card|benefits|pension)|"
    r"won'?t leave (me|us|her|him) alone|"
    r"won'?t let (me|us|her|him) (see|go|leave|have|use|talk|speak|visit|work|contact|ring|phone|call)\b|"
    r"batter\w*|knock\w* (me|us|her|him) (about|around)|"
    r"(throw|throws|threw|throwing|chuck\w*|lob\w*) (things|stuff|plates|bottles|\w+) at|"
    r"(threw|pushed|dragged|shoved) (me|us|her|him)|kill (me|us|her|him)"
)
# Pursuit: abusive from an ex (after a relationship ends) whoever it is aimed at.
_PURSUIT = (
    r"follow\w*|turn(s|ed|ing)? up|com(e|es|ing) round|messag\w*|texting|texts? (me|us)|"
    r"(ring|call)(s|ed|ing)? (me|us)|bang\w* on|watch(es|ing)? (me|us|the house|my|our)|"
    r"(sat|sits|sitting|parks|parked|parking) outside|(shout|scream|yell)\w* at|driv(es|ing) past"
)
_ACT = re.compile(rf"\b((?P<harm>{_HARM})|(?P<pursuit>{_PURSUIT}))\b", re.I)
_AT_SOMEONE = re.compile(
    r"\b(me|us|my|our|mum|mam|dad|nan|grandad|her|him|them|the (kids|children|baby|house|door|windows?))\b",
    re.I,
)
_AT_THEM = re.compile(r"\b(her|him|them)\b", re.I)
_PASSIVE = re.compile(r"\b(was|were|been|got|gets|get|getting|is being|are being)\s*$", re.I)
_OTHERS = re.compile(
    r"\b(they|the (lads|kids|youths|neighbours?|men|boys|girls|gang|group|police)|some (lads|kids)|"
    r"a (man|woman|lad|stranger|group|gang|bloke)|some(one|body))\b",
    re.I,
)
_DONE_BY = re.compile(
    rf"\b({_HARM})\s+by\s+(my|our|her|his)\s+({_EX}|{_PARTNER}|{_FAMILY})\b{_NOT_OWNER}", re.I
)
_WINDOW = 70
_OBJECT_WINDOW = 15


# Harm done to one's own partner or relative, said the other way round ("he keeps hitting his girlfriend",
# "she throws things at her husband"): for a relative, not when a group does it ("the lads threaten his
# brother").
_DONE_TO = re.compile(
    rf"\b({_HARM}|(scream|shout|yell)\w* at)\s+(?P<whose>his|her|their)\s+"
    rf"((?P<partner>{_EX}|{_PARTNER})|(?P<family>{_FAMILY}))\b(?!'s|s')",
    re.I,
)
# A neighbour hears a couple: a man harming a woman (or the other way round) in the home next door.
_HOUSEHOLD = re.compile(
    r"\b(next door|upstairs|downstairs|through the wall|(the|a) couple|(flat|house) (above|below|next))\b",
    re.I,
)
_HE_AT_HER = re.compile(
    rf"\b(he|he'?s|hes|he'?d|hed|him|the (man|bloke|fella|guy|husband|boyfriend))\b[^.!?]{{0,40}}?"
    rf"\b({_HARM}|(scream|shout|yell|swear)\w* at|threat\w* to (kill|hurt))"
    rf"(\s*(at\s+)?her|(?<=\bher))\b(?!\s*'s)"
    rf"(?!\s+(dog|cat|car|kids|children|son|daughter|house|door|window|garden|bins?|friends?|mum|mam|dad|sister|"
    rf"brother|baby|van|bike|phone)\b)"
    rf"|\b(she|she'?s|shes|she'?d|the (woman|wife|girlfriend))\b[^.!?]{{0,40}}?"
    rf"\b({_HARM})(\s*(at\s+)?him|(?<=\bhim))\b(?!\s*'s)",
    re.I,
)
_HER_OWN = re.compile(
    r"\b(my|our)\s+(wife|daughter|mum|mam|mother|sister|girlfriend|partner|nan|gran|niece)\b", re.I
)
_PRONOUN_START = re.compile(r"^\s*(he|she|they|he's|she's|hes|shes|he'd|she'd)\b", re.I)


def domestic_abuse_in(text: str) -> bool:
    """True when the words show abuse by a partner, ex-partner or family member."""
    sentences = _sentences(text)
    if any(_DONE_BY.search(s) or _abuse_in_sentence(s) or _done_to(s) for s in sentences):
        return True
    # "My ex found out where I live. He keeps turning up": the next sentence goes on about them.
    for first, then in zip(sentences, sentences[1:], strict=False):
        if _RELATION.search(first) and _PRONOUN_START.search(then) and _abuse_in_sentence(f"{first} {then}"):
            return True
    return bool(_HOUSEHOLD.search(text)) and any(
        _HE_AT_HER.search(s) and not _HER_OWN.search(s) for s in sentences
    )


def _done_to(sentence: str) -> bool:
    for found in _DONE_TO.finditer(sentence):
        if found.group("partner") or not _OTHERS.search(sentence[: found.start()]):
            return True
    return False


def _abuse_in_sentence(sentence: str) -> bool:
    for relation in _RELATION.finditer(sentence):
        if re.search(r"\bme and\s*$", sentence[: relation.start()], re.I):
            continue  # "me and my partner" are the ones it happens to
        rest = sentence[relation.end() : relation.end() + _WINDOW]
        for act in _ACT.finditer(rest):
            between = rest[: act.start()]
            if _OTHERS.search(between):
                break  # someone else does it ("my son says the lads smashed it")
            if _PASSIVE.search(between) and not act.group(0).split()[0].lower().endswith("ing"):
                break  # it was done to them ("my son was hit")
            if _abusive(relation, act, rest[act.end() : act.end() + _OBJECT_WINDOW]):
                return True
    return False


def _abusive(relation: re.Match[str], act: re.Match[str], after: str) -> bool:
    """An ex: any harm or pursuit. Anyone else close: harm done to someone (their partner, for her/his)."""
    if relation.group("ex") or (relation.group("kins") and re.match(_EX, relation.group("kins"), re.I)):
        return bool(relation.group("ex")) or act.group("harm") is not None
    if act.group("harm") is None:
        return False
    aimed = act.group(0) + after
    if relation.group("theirs") or relation.group("kins"):
        return bool(_AT_THEM.search(aimed))
    return bool(_AT_SOMEONE.search(aimed)) or act.group(0).lower().startswith("won")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text or "") if s.strip()]
