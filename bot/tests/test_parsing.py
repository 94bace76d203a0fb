"""Residents' typed answers become the values the intake API expects."""

import pytest
from actions.parsing import (
    detect_needs,
    detect_ongoing,
    find_postcode,
    find_reference,
    parse_anonymous,
    parse_impact,
    parse_often,
    parse_role,
    parse_tenure,
    parse_yes_no,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ws13 6jr", "WS13 6JR"),
        ("outside the shop, WS7 1AB", "WS7 1AB"),
        ("B742QX", "B74 2QX"),
        ("Bore Street", None),
        ("WS13", None),
        ("QQ1 1QQ", None),
    ],
)
def test_finds_valid_uk_postcodes_in_what_residents_type(text, expected):
    assert find_postcode(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ASB-7K3QXR", "ASB-7K3QXR"),
        ("any news on asb7k3qxr", "ASB-7K3QXR"),
        ("asb 7k3qxr", "ASB-7K3QXR"),
        ("ASB-7K3QX", None),
        ("ASB-7K3QXI", None),
        ("my report", None),
    ],
)
def test_references_are_recognised_with_or_without_the_dash_and_in_any_case(text, expected):
    assert find_reference(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Yes", True),
        ("yeah", True),
        ("/affirm", True),
        ("Yes it's safe", True),
        ("No", False),
        ("No don't text me", False),
        ("nah", False),
        ("not sure", None),
        ("banana", None),
    ],
)
def test_yes_and_no_in_their_many_forms(text, expected):
    assert parse_yes_no(text) is expected


def test_how_often_impact_role_and_tenure_are_understood():
    assert parse_often("First time") == "first" and parse_often("every night for months") == "many"
    assert parse_often("a couple of times") == "few"
    assert parse_impact("Badly, I'm thinking of moving") == "severe" and parse_impact("Not much") == "none"
    assert parse_impact("Quite a lot") == "some"
    assert parse_impact("it's still annoying") != "severe"  # 'ill' inside 'still' is not illness
    assert parse_role("It's happening to me") == "victim" and parse_role("I saw it") == "witness"
    assert parse_role("I'm reporting for my mum") == "on_behalf"
    assert parse_tenure("Council or housing association") == "social_rent"
    assert parse_tenure("Rent privately") == "private_rent" and parse_tenure("Own") == "owner"
    assert parse_tenure("Not sure") == "unknown"
    assert parse_anonymous("Anonymous") is True and parse_anonymous("Confidential") is False


def test_ongoing_and_support_needs_are_picked_up_in_passing():
    assert detect_ongoing("last night and it's still going on") is True
    assert detect_ongoing("saturday, it has stopped now") is False
    assert detect_ongoing("last tuesday") is None
    assert detect_needs("my son is autistic and I'm scared") == {"disability", "feeling_unsafe"}
    assert detect_needs("it's making my depression worse") == {"mental_health"}
