"""The intake contract: bad payloads are refused naming the field; support offered fits the report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from casework.intake.contract import IntakeError, RiskIntake, parse_intake
from casework.intake.filing import parse_occurred
from casework.intake.signposts import mediation_offer, signposts_for
from casework.partnership import load_partnership

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def lichfield():  # type: ignore[no-untyped-def]
    return load_partnership("lichfield")


def minimal(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "conversation_id": "web-abc",
        "submission_id": "1",
        "channel": "web",
        "asb_type": "noise",
        "description": "Music all night",
        "location": "Bore Street",
    }
    body.update(changes)
    return body


def test_a_minimal_payload_is_accepted_with_safe_defaults():
    intake = parse_intake(minimal())
    assert intake.hate is False and intake.domestic_abuse is False
    assert intake.contact.wants_updates is False and intake.contact.text_safe is None
    assert intake.intake_key == "web-abc:1"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"asb_type": "parking"}, "asb_type"),
        ({"channel": "email"}, "channel"),
        ({"description": ""}, "description"),
        ({"reporter_role": "neighbour"}, "reporter_role"),
        ({"risk": {"impact": "terrible"}}, "risk.impact"),
        ({"contact": {"wants_updates": "maybe"}}, "contact.wants_updates"),
        ({"needs": ["housing"]}, "needs.0"),
        ({"asb_typo": "noise"}, "asb_typo"),
    ],
)
def test_a_bad_field_is_named_in_the_error(changes: dict[str, Any], field: str):
    with pytest.raises(IntakeError) as err:
        parse_intake(minimal(**changes))
    assert err.value.field == field
    assert field.split(".")[0] in err.value.message


def test_unknown_type_error_tells_the_bot_to_send_other():
    with pytest.raises(IntakeError) as err:
        parse_intake(minimal(asb_type="parking"))
    assert "'other'" in err.value.message


def test_a_missing_field_is_named():
    body = minimal()
    del body["location"]
    with pytest.raises(IntakeError) as err:
        parse_intake(body)
    assert err.value.field == "location" and "required" in err.value.message


def test_a_mistyped_postcode_is_kept_with_the_location_not_refused():
    intake = parse_intake(minimal(postcode="W5 13 SIX"))
    assert intake.postcode is None and intake.location == "Bore Street (W5 13 SIX)"


def test_postcodes_are_tidied():
    assert parse_intake(minimal(postcode="ws136lj")).postcode == "WS13 6LJ"
    assert parse_intake(minimal(postcode="ws7")).postcode == "WS7"
    assert parse_intake(minimal(postcode="")).postcode is None


def test_plain_words_for_when_it_happened():
    assert parse_occurred("last night", NOW) == datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
    assert parse_occurred("2026-10-01", NOW) == datetime(2026, 10, 1, tzinfo=UTC)
    assert parse_occurred("every weekend for months", NOW) is None
    assert parse_occurred("2030-01-01", NOW) == NOW  # a future date is not believed


def test_domestic_abuse_gets_the_national_helpline_and_never_mediation(lichfield):
    posts = signposts_for(
        asb_type="neighbour_nuisance",
        needs=[],
        hate=False,
        domestic_abuse=True,
        risk_level="medium",
        partnership=lichfield,
    )
    assert posts[0]["phone"] == "0808 2000 247"
    assert (
        mediation_offer(
            asb_type="neighbour_nuisance",
            hate=False,
            domestic_abuse=True,
            risk=RiskIntake(),
            risk_level="medium",
            partnership=lichfield,
        )
        is None
    )


def test_mediation_is_offered_for_a_neighbour_dispute_but_not_for_hate(lichfield):
    offer = mediation_offer(
        asb_type="neighbour_nuisance",
        hate=False,
        domestic_abuse=False,
        risk=RiskIntake(),
        risk_level="standard",
        partnership=lichfield,
    )
    assert offer is not None and offer["name"] == "Lichfield community mediation service"
    assert (
        mediation_offer(
            asb_type="neighbour_nuisance",
            hate=True,
            domestic_abuse=False,
            risk=RiskIntake(),
            risk_level="standard",
            partnership=lichfield,
        )
        is None
    )
    assert (
        mediation_offer(
            asb_type="intimidation_harassment",
            hate=False,
            domestic_abuse=False,
            risk=RiskIntake(),
            risk_level="standard",
            partnership=lichfield,
        )
        is None
    )


def test_signposts_follow_needs_and_type(lichfield):
    posts = signposts_for(
        asb_type="drug_activity",
        needs=["mental_health"],
        hate=True,
        domestic_abuse=False,
        risk_level="standard",
        partnership=lichfield,
    )
    names = [p["name"] for p in posts]
    assert names == ["Victim Support", "NHS 111 (mental health, option 2)", "Humankind"]
    assert all(p["why"] for p in posts)
