"""Placing a resident's words (postcode, street, landmark, town) in a ward of the partnership."""

from __future__ import annotations

import pytest

from casework.partnership import PlaceMatch, load_partnership, normalise_postcode


def place(text: str | None, name: str = "lichfield") -> PlaceMatch:
    return load_partnership(name).resolve_place(text)


@pytest.mark.parametrize(
    ("text", "ward", "place_key"),
    [
        ("Bore Street", "Stowe", "bore street"),
        ("12 Bore St, Lichfield", "Stowe", "bore street"),
        ("outside 3a bore st.", "Stowe", "bore street"),
        ("BORE STREET", "Stowe", "bore street"),
        ("Tamworth St", "Stowe", "tamworth street"),
        ("market st lichfield", "Stowe", "market street"),
        ("Dam Street", "Stowe", "dam street"),
        ("Conduit St", "Stowe", "conduit street"),
        ("Sandford St", "Leomansley", "sandford street"),
        ("Frog Ln", "Stowe", "frog lane"),
        ("Wade Street", "Stowe", "wade street"),
        ("St John Street", "St John's", "st john street"),
        ("St. John's St", "St John's", "st john street"),
        ("Saint John Street", "St John's", "st john street"),
        ("Upper St John St", "St John's", "upper st john street"),
        ("Beacon Street", "Leomansley", "beacon street"),
        ("Lombard St", "Stowe", "lombard street"),
        ("Greenhill", "Stowe", "greenhill"),
        ("Stowe Street", "Stowe", "stowe street"),
        ("the Friary", "Leomansley", "the friary"),
        ("Cathedral Close", "Stowe", "cathedral close"),
        ("High St, Chasetown", "Chasetown", "high street chasetown"),
        ("high street chase terrace", "Chase Terrace", "high street chase terrace"),
    ],
)
def test_a_street_is_placed_in_its_ward_with_or_without_number_or_abbreviation(
    text: str, ward: str, place_key: str
) -> None:
    match = place(text)
    assert (match.resolved, match.ward, match.place_key) == (True, ward, place_key)
    assert match.precision == "street"


@pytest.mark.parametrize(
    ("text", "ward", "place_key"),
    [
        ("near Lichfield Cathedral", "Stowe", "lichfield cathedral"),
        ("in beacon park by the bandstand", "Leomansley", "beacon park"),
        ("round Stowe Pool", "Stowe", "stowe pool"),
        ("by the water at Chasewater", "Chasetown", "chasewater"),
        ("Three Spires shopping centre", "Stowe", "three spires shopping centre"),
        ("outside the three spires", "Stowe", "three spires shopping centre"),
        ("Lichfield City station", "St John's", "lichfield city station"),
        ("at Lichfield Trent Valley station", "Curborough", "lichfield trent valley station"),
        (
            "Burntwood Town Shopping Centre car park",
            "Summerfield and All Saints",
            "burntwood town shopping centre",
        ),
    ],
)
def test_a_landmark_is_placed_in_its_ward(text: str, ward: str, place_key: str) -> None:
    match = place(text)
    assert (match.resolved, match.ward, match.place_key, match.precision) == (
        True,
        ward,
        place_key,
        "landmark",
    )


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("Chasetown", "Chasetown"),
        ("chase terrace", "Chase Terrace"),
        ("Boney Hay", "Boney Hay and Central"),
        ("somewhere in Shenstone", "Shenstone"),
        ("Fazeley", "Fazeley"),
        ("Alrewas", "Alrewas and Fradley"),
        ("Stowe", "Stowe"),
        ("Chadsmead", "Chadsmead"),
        ("Little Aston", "Little Aston and Stonnall"),
    ],
)
def test_a_town_or_village_in_one_ward_is_placed(text: str, ward: str) -> None:
    match = place(text)
    assert (match.resolved, match.ward) == (True, ward)


def test_a_town_spanning_several_wards_names_the_town_but_not_a_ward() -> None:
    match = place("Burntwood")
    assert (match.resolved, match.ward, match.town, match.place_key) == (
        False,
        None,
        "Burntwood",
        "burntwood",
    )


def test_a_street_and_its_town_give_the_street_and_the_town() -> None:
    match = place("Bore Street, Lichfield")
    assert (match.ward, match.place_key, match.town) == ("Stowe", "bore street", "Lichfield")


@pytest.mark.parametrize(
    ("text", "postcode", "ward"),
    [
        ("WS13 6LJ", "WS13 6LJ", "Stowe"),
        ("ws136lj", "WS13 6LJ", "Stowe"),
        ("my postcode is ws7  1ab", "WS7 1AB", "Chase Terrace"),
        ("WS14 9EJ", "WS14 9EJ", "St John's"),
        ("B78 3HF", "B78 3HF", "Fazeley"),
    ],
)
def test_a_full_postcode_is_normalised_and_placed_by_its_sector(text: str, postcode: str, ward: str) -> None:
    match = place(text)
    assert (match.resolved, match.postcode, match.ward, match.precision) == (True, postcode, ward, "postcode")


def test_a_postcode_alone_becomes_the_place_key() -> None:
    assert place("WS13 6LJ").place_key == "ws13 6lj"


def test_a_street_beats_a_postcode_for_the_place_key_but_the_postcode_is_kept() -> None:
    match = place("14 Bore Street, Lichfield WS13 6LJ")
    assert (match.place_key, match.postcode, match.ward) == ("bore street", "WS13 6LJ", "Stowe")


def test_a_postcode_sector_alone_gives_a_ward_but_no_place_key() -> None:
    match = place("WS7 1")
    assert (match.resolved, match.ward, match.place_key, match.precision) == (
        True,
        "Chase Terrace",
        None,
        "sector",
    )


def test_a_postcode_district_alone_gives_only_a_town() -> None:
    match = place("somewhere in WS7")
    assert (match.resolved, match.ward, match.town) == (False, None, "Burntwood")


def test_a_postcode_in_an_unknown_sector_still_gives_the_district_town() -> None:
    match = place("WS13 5AA")
    assert (match.postcode, match.town) == ("WS13 5AA", "Lichfield")


def test_an_unknown_sector_written_alone_falls_back_to_its_district_town() -> None:
    match = place("near WS7 5")
    assert (match.resolved, match.ward, match.town, match.precision) == (False, None, "Burntwood", "district")


def test_a_road_number_is_not_taken_for_a_postcode_district() -> None:
    match = place("by the A5 in WS7")
    assert (match.town, match.place_key) == ("Burntwood", None)


def test_a_town_beside_a_full_postcode_keeps_the_postcode_as_the_place_key() -> None:
    match = place("Chasetown WS7 3AB")
    assert (match.ward, match.town, match.place_key, match.precision) == (
        "Chasetown",
        "Chasetown",
        "ws7 3ab",
        "postcode",
    )


def test_a_district_that_is_one_ward_places_a_report_in_that_ward() -> None:
    p = load_partnership("lichfield")
    gazetteer = p.gazetteer.model_copy(update={"postcode_districts": {"WS7": "Chasetown"}})
    match = p.model_copy(update={"gazetteer": gazetteer}).resolve_place("somewhere in WS7")
    assert (match.resolved, match.ward, match.town, match.precision) == (
        True,
        "Chasetown",
        "Burntwood",
        "district",
    )


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("bore stret", "Stowe"),
        ("Tamwoth Street", "Stowe"),
        ("Chastown", "Chasetown"),
        ("lichfeld cathedral", "Stowe"),
    ],
)
def test_minor_typos_are_forgiven(text: str, ward: str) -> None:
    assert place(text).ward == ward


@pytest.mark.parametrize(
    ("text", "place_key"),
    [
        ("near the cathedral", "lichfield cathedral"),
        ("in the city centre", "lichfield city centre"),
        ("Trent Valley station", "lichfield trent valley station"),
        ("the arboretum", "national memorial arboretum"),
    ],
)
def test_other_names_for_a_landmark_share_its_place_key(text: str, place_key: str) -> None:
    assert place(text).place_key == place_key


def test_a_street_starting_with_the_is_found_without_it() -> None:
    assert place("Friary").place_key == "the friary"


def test_a_street_name_used_in_several_towns_needs_the_town() -> None:
    assert place("High Street").resolved is False
    assert place("Chasetown high st").place_key == "high street chasetown"
    assert place("12 High Street, Chase Terrace").ward == "Chase Terrace"


def test_a_place_name_that_is_an_everyday_word_needs_a_capital_letter() -> None:
    assert place("Wall").ward == "Hammerwich with Wall"
    assert place("they kicked the wall outside").resolved is False


def test_an_everyday_word_written_small_is_the_place_when_the_words_around_it_say_so() -> None:
    """Issue 14 (set B): "the lane into hints village" was left to triage; residents texting without
    capitals name a village with "village" after it or a preposition right before it."""
    assert place("the lane into hints village, the field gate past the bend").ward == "Bourne Vale"
    assert place("rubble tipped in hints").ward == "Bourne Vale"
    assert place("hints village").ward == "Bourne Vale"
    assert place("graffiti on the wall by the shops").resolved is False
    assert place("hints").resolved is False


def test_a_town_inside_a_street_name_is_not_taken_as_the_town() -> None:
    match = place("next to the wall on Stowe Street")
    assert (match.ward, match.place_key, match.town) == ("Stowe", "stowe street", "Lichfield")


def test_a_town_that_disagrees_with_the_street_does_not_change_the_ward() -> None:
    match = place("Bore Street, Chasetown")
    assert (match.ward, match.place_key) == ("Stowe", "bore street")


def test_a_street_named_without_its_street_word_is_found_when_unambiguous() -> None:
    assert place("bore").place_key == "bore street"


@pytest.mark.parametrize("text", ["somewhere in Leeds", "", "   ", "!!!", "the park", None, "42"])
def test_an_unplaceable_description_is_unresolved_without_raising(text: str | None) -> None:
    match = place(text)
    assert match.resolved is False
    assert match.ward is None


def test_places_in_durham_and_charnwood_are_resolved_from_their_own_gazetteers() -> None:
    assert place("Front St, Stanley", "durham").ward == "Stanley"
    assert place("near Durham Cathedral", "durham").ward == "Elvet and Gilesgate"
    assert place("DH1 3HP", "durham").postcode == "DH1 3HP"
    assert place("Storer Rd, Loughborough", "charnwood").ward == "Loughborough Storer"
    assert place("Bore Street", "charnwood").resolved is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ws136lj", "WS13 6LJ"),
        ("WS13 6LJ", "WS13 6LJ"),
        (" b78 3hf ", "B78 3HF"),
        ("SW1A1AA", "SW1A 1AA"),
        ("WS13", None),
        ("hello", None),
        ("", None),
        (None, None),
    ],
)
def test_a_uk_postcode_is_normalised(text: str | None, expected: str | None) -> None:
    assert normalise_postcode(text) == expected
