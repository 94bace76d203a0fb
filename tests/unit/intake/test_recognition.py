"""Hate incidents and domestic abuse recognised from the resident's own words (casework.intake.recognition).

A report read as another type must still get the safeguards: these are the words that must raise a flag,
and everyday words that must not (a false flag sends a neighbour dispute to the police).
"""

from __future__ import annotations

import pytest

from casework.intake.contract import parse_intake
from casework.intake.recognition import domestic_abuse_in, hate_motivation_in, recognise_flags


@pytest.mark.parametrize(
    ("words", "motivation"),
    [
        # faith, dress and places of worship
        ("A man on the bus yanked at my hijab and told me to go back where I came from.", "religion"),
        ("lads keep calling my husband a terrorist because of his beard and his prayer cap", "religion"),
        ("They mock my son's turban every morning at the school gate.", "religion"),
        ("Someone spat at my mother outside the shops because she wears a headscarf.", "religion"),
        ("someone left rashers of bacon on the steps of the mosque again", "religion"),
        ("Offensive words about Jews were sprayed on the synagogue wall overnight.", "religion"),
        ("our neighbour keeps harassing us since he found out we are Sikhs", "religion"),
        ("people shouting abuse at the worshippers walking to the temple on Sunday", "religion"),
        ("I'm being picked on at the flats for my faith", "religion"),
        # the prejudice named, or who the person is
        ("Racist graffiti painted on my garage door.", "race"),
        ("homophobic notes pushed through our letterbox", "sexual_orientation"),
        ("they pick on me because im disabled", "disability"),
        ("a group follow me and shout abuse at me because I'm trans", "transgender_identity"),
        ("I think this is a hate crime", "other"),
    ],
)
def test_hate_in_the_words_is_recognised_with_its_motivation(words: str, motivation: str) -> None:
    assert hate_motivation_in(words) == motivation


@pytest.mark.parametrize(
    "words",
    [
        "kids smashed the windows of the church hall again",  # vandalism at a church: not hate by itself
        "lads hang round Church Street every night shouting abuse at people",  # a street name
        "drug abuse in the churchyard every night, needles everywhere",
        "the vicar wrote to the council about the noise from the pub",
        "my neighbour is Muslim and plays loud music till 2am",
        "I have lost faith in the council, the youths keep harassing everyone",
        "the noise is hard for me because I'm disabled and at home all day",
        "loud music from the temple car park on a Saturday night",
    ],
)
def test_everyday_words_are_not_hate(words: str) -> None:
    assert hate_motivation_in(words) is None


@pytest.mark.parametrize(
    "words",
    [
        "My ex keeps letting my tyres down since I ended it.",
        "my ex-partner scratched the whole side of my car last night",
        "Since we split my ex boyfriend keeps turning up at my flat at 2am.",
        "my ex husband sits outside the house in his van most evenings",
        "my former partner won't leave me alone, he messages me all day",
        "My son takes my money and pushes me about when I say no.",
        "my brother comes round drunk and smashes up my kitchen",
        "my kids dad kicked my front door in on Saturday",
        "Her boyfriend keeps hitting her, I can hear it through the wall.",
        "My car was damaged by my ex again.",
        "my daughter's dad threatens me every time he drops the kids off",
    ],
)
def test_abuse_by_a_partner_ex_partner_or_family_member_is_domestic_abuse(words: str) -> None:
    assert domestic_abuse_in(words)


@pytest.mark.parametrize(
    "words",
    [
        "my son was hit by a car on the crossing",  # it was done to him
        "me and my partner are being harassed by the lads next door",
        "my husband and I keep getting abuse from the youths on the corner",
        "my wife is frightened because the lads threaten her",  # someone else does it
        "my dad is scared of the dog next door",
        "the family next door are really noisy",
        "her boyfriend parks across my drive",  # not harm to a person
        "my windows were smashed by my son's football",
        "my brother keeps saying the bus shelters get smashed every weekend",
        "my ex used to live here, now the lads keep calling round",
        "our daughter keeps getting followed home by a man from the estate",
    ],
)
def test_someone_close_named_in_another_story_is_not_domestic_abuse(words: str) -> None:
    assert not domestic_abuse_in(words)


def _intake(description: str, **changes: object):
    body = {
        "conversation_id": "web-abc",
        "submission_id": "s1",
        "channel": "web",
        "asb_type": "criminal_damage",
        "description": description,
        "location": "Bore Street, Lichfield",
        "contact": {"wants_updates": True, "text_safe": True},
        **changes,
    }
    return parse_intake(body)


def test_recognised_domestic_abuse_is_flagged_and_a_yes_to_updates_is_not_taken_as_safe_to_text() -> None:
    intake, notes = recognise_flags(_intake("my ex smashed both my headlights after I changed the locks"))
    assert intake.domestic_abuse is True and intake.hate is False
    assert intake.contact.text_safe is None and intake.contact.wants_updates is True
    assert notes == ("the resident's words describe abuse by a partner, ex-partner or family member",)


def test_recognised_hate_keeps_a_motivation_the_resident_gave() -> None:
    words = "someone ripped at my sister's headscarf in the park"
    intake, _ = recognise_flags(_intake(words, hate_motivation="race"))
    assert intake.hate is True and intake.hate_motivation == "race"
    assert recognise_flags(_intake(words))[0].hate_motivation == "religion"


def test_flags_are_only_ever_added() -> None:
    given = _intake("loud music every night", hate=True, hate_motivation="race", domestic_abuse=True)
    intake, notes = recognise_flags(given)
    assert intake is given and notes == ()
