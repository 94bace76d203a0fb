"""Danger now, recognised by meaning (no Rasa imports, so it is easy to test).

The classifier and the word rules (danger_rules.py) know the phrasings they were given. This detector
compares the message's MiniLM sentence embedding (computed once by components/minilm.py) with short
descriptions of emergency situations (danger_situations.yml): a van driven at people, stones thrown
at cars, a robbery, someone forced into a car, an animal being hurt... however they are worded. A
message is danger now when

- its meaning is close to an emergency situation, and closer to it than to any lookalike (a figure of
  speech, the news, a film or game, a worry, a past event, everyday nuisance), and
- its time cues do not say it is over or not real: a past event ("last night", "was"), something
  habitual ("every night", "keeps"), a worry or a question about later ("what if", "worried they
  will"), or news, films, games, hoaxes and idioms ("killing me with their drum practice"). An explicit
  present cue ("right now", "still here", "just", "hurry") outweighs a past one: "he hit her and
  he's still here".

Doubt leans to safety: the closeness needed is lower when the message says it is happening now, and
lower again when the classifier is unsure what the message is (the alternative would be "not sure I
understood", which is no answer to an emergency).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

SITUATIONS_FILE = Path(__file__).with_name("danger_situations.yml")

# Closeness (cosine of the normalised embeddings) to the nearest emergency situation, and how much
# nearer it must be than the nearest lookalike. Chosen on the training data and the development set
# (bot/tests/nlu_danger_dev.yml), never on a blind set.
CLOSE = 0.56  # no time cue: most ordinary reports, so a higher bar
CLOSE_NOW = 0.42  # an explicit "now", "still", "just", "help", or "he's ...ing"
UNSURE_EASING = 0.06  # the classifier is unsure what the message is
MARGIN = 0.02

_I = re.IGNORECASE
# A verb in -ing, not a noun that happens to end so ("something", "morning", "building").
_ING = (
    r"(?!(?:some|no|any|every)thing\b|thing\b|morning\b|evening\b|ceiling\b|building\b|ring\b|king\b|"
    r"spring\b|string\b|during\b|parking\b|wedding\b|pudding\b|railings?\b)\w{2,}ing"
)

NOT_REAL = re.compile(
    r"\b(on (the )?(news|tv|telly|radio|facebook|film|game)|news|film|films|movie|movies|tv|telly|"
    r"netflix|documentary|drama|soap|episode|programme|series|novel|book|video games?|games?|gaming|"
    r"xbox|playstation|ps5|call of duty|cod|fortnite|gta|airsoft|paintball|nerf|water pistol|"
    r"hoax|prank|wind ?up|pretend(ing)?|joking|a joke|lol|lmao|haha|murder mystery|"
    r"could murder|kill for|death of me|dying (for|to)|killing me with|"
    r"(noise|music|bass|racket|barking|drums?|back|head|feet|legs|knees?|neck|heat|it|this|that|"
    r"wait|waiting)('s| is| are)? killing me|"
    r"(my |me )?(head|brain)('s| is)? (on fire|fried|banging)|blood('s| is| was)? boiling|blood boils|"
    r"a game where|playing a game|"
    r"(rung|rang|ringing|rings|calling|calls|called|phoning|phoned) (999|the fire( brigade)?|the police|"
    r"fire brigade|the brigade) (\w+ )?(saying|to say|claiming)|"
    r"when (it'?s|its|it is|there'?s|theres|there is) (not|no)\b)\b",
    _I,
)
# Someone saying goodbye or that they will end it: present danger wherever it was seen (a post, a text).
SAYING_GOODBYE = re.compile(
    r"\b(goodbye (note|message|letter|post|video|text)|suicide note|saying goodbye to (everyone|us|me)|"
    r"(going to|gonna|wants? to) (end it|end (his|her|their) life|kill (him|her|them)sel(f|ves)))",
    _I,
)
# Asking what counts ("is it an emergency if ...", "what counts as an emergency", "what's your emergency"
# heard on a programme): a question about the service. Taken out before the present cues are read, so
# "emergency" in it is not a cue; with nothing else said to be happening now, it is a question for later.
ASKING_WHAT_COUNTS = re.compile(
    r"\b(is (it|this|that) (an? )?(emergency|999)|counts? as (an )?emergency|what'?s (your|an) emergency|"
    r"whats (your|an) emergency|(should|do|would) (i|we) (call|ring|phone) 999 (if|for|when))\b",
    _I,
)
# Explicit present cues: these outweigh a past marker ("he hit her and he's still here").
NOW = re.compile(
    r"\b(right now|now|rn|atm|as we speak|at the moment|currently|happening|going on|"
    r"still (here|there|outside|inside|in|at|on|about|around|stood|\w+ing)|"
    r"hurry|quick|quickly|asap|help|help me|emergency|"
    r"(pls|plz|please) (come|send|help|hurry)|send (someone|somebody|police|help|an ambulance)|"
    r"come (quick|now|asap)|i can (hear|see) (him|her|them|it|someone|a|the)|"
    r"(\d+|a few|few|a couple of|couple of|two|five|ten) (mins?|minutes|secs|seconds) ago|"
    r"(moments|seconds) ago|"
    r"(keeps?|kept) (going|at it)|(keeps?|kept) (shouting|screaming|crying|yelling) (no|help|stop|for help)|"
    r"(has|have|'s|'ve)? ?just (been |got )?\w+(ed|en|t)|just (got|took|threw|ran|hit|shot|stole|"
    r"broke|came|bit|cut|set|lit|drove|grabbed|dragged|stabbed|snatched)|"
    r"(pls|plz|please)$)\b|!{2,}",
    _I,
)
BARE_NOW = re.compile(r"(?<!right )\bnow\b", _I)
# Present continuous and present possession ("he's hitting her", "being dragged", "she's got a knife"):
# present, but weaker than the cues above, so "he was hit last week and i am staying at my mum's" is past.
CONTINUOUS = re.compile(
    r"\b((is|are|am|i'?m|he'?s|she'?s|it'?s|they'?re|we're|we are|you'?re|being) (\w+ )?" + _ING + "|"
    r"being \w+(ed|en)|"
    r"(he'?s|she'?s|they'?ve|they'?re|has|have) got (a|an|his|her|their|a big|some|me|him|her|them))\b",
    _I,
)
PAST = re.compile(
    r"\b(last (night|week|month|year|weekend|time|summer|winter|saturday|sunday|monday|tuesday|"
    r"wednesday|thursday|friday)|yesterday|ago|the other (day|night)|over the weekend|overnight|"
    r"earlier (today|this (week|month|year))|on (mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"this morning|(at|over) the weekend|back in|"
    r"in (january|february|march|april|may|june|july|august|september|october|"
    r"november|december)|was|were|had been|used to|happened|it'?s (out|over)(?=\s*(now|$|[.,!;]))|"
    r"all out now|"
    r"has stopped|have stopped|gone now|left now|long gone)\b",
    _I,
)
HABITUAL = re.compile(
    r"\b(every (night|day|week|weekend|evening|morning|time)|always|keeps?|most (nights|days|evenings|"
    r"weekends)|all the time|regularly|often|constantly|again and again|on and off|"
    r"(hits|beats|slaps|kicks|threatens|abuses|hurts|attacks|bullies|controls|harasses|follows|"
    r"shouts at|screams at|swears at) (me|her|him|them|us|my|his|her)|is (violent|abusive))\b",
    _I,
)
LATER = re.compile(
    r"\b(worried|worry|worrying|scared (that|they|he|she|it|of what)|afraid (that|they|he|she)|"
    r"what if|in case|might|one day|what (should|do|would|can) (i|we|you) do|who do i (call|ring)|"
    r"should i (call|ring)|do i (call|ring)|if (i|someone|somebody|anyone|you) (see|sees|ever)|"
    r"is it (asb|anti ?social|a crime)|how do i|threatened to|said (he|she|they)'?d|"
    r"(someone|somebody|anyone|a kid|a child|it|he|she|they) could (easily |really )?(fall|jump|get hurt|"
    r"be hurt|get killed|hurt someone|kill someone|get run over)|if [^.?!]{0,50}\b(got|gets|get) (out|loose)|"
    r"will (probably|come back)|gonna (come back|get me one day))\b",
    _I,
)


@dataclass(frozen=True)
class Situations:
    """The situation descriptions and their sentence embeddings (one row each, L2-normalised)."""

    danger_names: list[str]
    danger: np.ndarray
    lookalike_names: list[str]
    lookalikes: np.ndarray


@dataclass(frozen=True)
class Reading:
    """What the detector made of a message (kept small enough to log)."""

    danger: bool
    time: str  # "now", "ongoing", "unmarked", "past", "habitual", "later", "not real"
    situation: str
    closeness: float
    lookalike: str
    lookalike_closeness: float


def load_descriptions(path: Path = SITUATIONS_FILE) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    danger = {str(k): [str(s) for s in v] for k, v in (data.get("danger") or {}).items()}
    lookalikes = {str(k): [str(s) for s in v] for k, v in (data.get("lookalikes") or {}).items()}
    if not danger or not lookalikes or not all(danger.values()) or not all(lookalikes.values()):
        raise ValueError(f"{path}: needs non-empty 'danger' and 'lookalikes' groups of descriptions")
    return danger, lookalikes


def embed_situations(encode: Callable[[list[str]], np.ndarray], path: Path = SITUATIONS_FILE) -> Situations:
    """Embed every description once (encode: texts -> L2-normalised rows, the pipeline's own model)."""
    danger, lookalikes = load_descriptions(path)

    def rows(groups: dict[str, list[str]]) -> tuple[list[str], np.ndarray]:
        names = [name for name, texts in groups.items() for _ in texts]
        return names, np.asarray(encode([t for texts in groups.values() for t in texts]), dtype=np.float32)

    danger_names, danger_rows = rows(danger)
    lookalike_names, lookalike_rows = rows(lookalikes)
    return Situations(danger_names, danger_rows, lookalike_names, lookalike_rows)


# How a resident frames a report ("just wanted to let you know", "all out now"): not a present cue.
FRAMING = re.compile(
    r"\b(just (wanted|want|wondering|to|reporting|letting|thought|so you know|saying)|"
    r"(reporting|telling you|letting you know) (it |this )?now|(it'?s|its|all|they'?re|theyre|he'?s|hes|"
    r"she'?s|shes|is|are|was|were) (all )?(out|over|gone|back home|fine|ok|okay|safe) now|"
    r"nobody (was )?hurt)\b",
    _I,
)


def time_cue(text: str) -> str:
    """When the message says it happens: "now" (an explicit cue), "ongoing" (present continuous),
    "unmarked", "past", "habitual", "later" or "not real"."""
    if SAYING_GOODBYE.search(text):  # seen online too: "just posted a goodbye note on facebook"
        return "now"
    if NOT_REAL.search(text):
        return "not real"
    asking = bool(ASKING_WHAT_COUNTS.search(text))
    text = ASKING_WHAT_COUNTS.sub(" ", text)
    if asking and not NOW.search(text):
        return "later"
    over = bool(FRAMING.search(text))
    text = FRAMING.sub(" ", text)
    if over and not NOW.search(text):
        return "past"
    past = bool(PAST.search(text))
    # A bare "now" beside a past marker is not the present: "he used to hit me, we are separated now".
    if NOW.search(BARE_NOW.sub(" ", text) if past else text):
        return "now"
    if past:
        return "past"
    if LATER.search(text):
        return "later"
    if HABITUAL.search(text):
        return "habitual"
    if CONTINUOUS.search(text):
        return "ongoing"
    return "unmarked"


def assess(
    text: str, embedding: np.ndarray, situations: Situations, *, unsure: bool = False, confident: bool = False
) -> Reading:
    """Is this message, read by meaning and time cues, someone in danger now?

    unsure: the classifier has no reading at the fallback's threshold (doubt leans to safety);
    confident: it reads an ordinary intent with confidence, so a message with no present cue stays that.
    """
    vector = np.asarray(embedding, dtype=np.float32).reshape(-1)
    vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
    near = situations.danger @ vector
    far = situations.lookalikes @ vector
    i, j = int(np.argmax(near)), int(np.argmax(far))
    closeness, lookalike_closeness = float(near[i]), float(far[j])
    time = time_cue(text)
    needed = {"now": CLOSE_NOW, "ongoing": CLOSE_NOW, "unmarked": None if confident else CLOSE}.get(time)
    danger = (
        needed is not None
        and closeness >= needed - (UNSURE_EASING if unsure else 0.0)
        and closeness >= lookalike_closeness + MARGIN
    )
    return Reading(
        danger=danger,
        time=time,
        situation=situations.danger_names[i],
        closeness=round(closeness, 3),
        lookalike=situations.lookalike_names[j],
        lookalike_closeness=round(lookalike_closeness, 3),
    )
