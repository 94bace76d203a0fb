"""Durham and Charnwood ship complete: the agencies their plans name, routes for them, their own self-help,
Case Review wording and support services."""

from __future__ import annotations

import pytest

from casework.core.asb_types import ASB_TYPES
from casework.intake.routing import ReportFacts, route
from casework.partnership import load_partnership
from casework.partnership.schema import CaseReview


@pytest.mark.parametrize("name", ["durham", "charnwood"])
def test_each_has_its_own_self_help_for_every_type_and_its_own_case_review_wording(name: str) -> None:
    p = load_partnership(name)
    assert set(ASB_TYPES) <= set(p.self_help)
    defaults = CaseReview()
    assert p.case_review.explain_text != defaults.explain_text
    assert p.case_review.eligible_text != defaults.eligible_text
    assert "working days" in p.case_review.eligible_text and "appeal" in p.case_review.how_to_apply
    assert p.support_services.feeling_unsafe is not None


def test_durham_has_the_agencies_its_plan_names() -> None:
    names = {a.name for a in load_partnership("durham").agencies.values()}
    for expected in (
        "Durham County Council ASB team (community protection)",
        "Durham County Council neighbourhood wardens",
        "Durham Constabulary",
        "County Durham and Darlington Fire and Rescue Service",
        "Believe Housing",
        "Livin Housing",
        "Karbon Homes",
        "Durham County Council private sector housing (selective licensing)",
        "Durham County Council Children and Young People's Services",
    ):
        assert expected in names


def test_durham_private_tenants_noise_copies_the_private_landlords_route() -> None:
    p = load_partnership("durham")
    decision = route(ReportFacts(asb_type="noise", ward="Belmont", tenure="private_rent"), p)
    assert decision.lead == "durham-cc" and "durham-private-landlords" in decision.copied


def test_durham_street_scene_copies_the_neighbourhood_wardens() -> None:
    decision = route(ReportFacts(asb_type="litter_flytipping", ward="Seaham"), load_partnership("durham"))
    assert decision.lead == "durham-cc" and tuple(decision.copied) == ("durham-wardens",)


def test_charnwood_has_the_agencies_its_strategy_names() -> None:
    p = load_partnership("charnwood")
    ids = set(p.agencies)
    assert {"charnwood-bc", "leics-police", "leics-fire", "cnh", "emh", "platform", "lboro-uni"} <= ids
    assert {"charnwood-jag", "jag-loughborough", "jag-north", "jag-south"} <= ids


@pytest.mark.parametrize(
    ("ward", "jag"),
    [
        ("Loughborough Shelthorpe", "jag-loughborough"),
        ("Shepshed West", "jag-north"),
        ("Syston East", "jag-south"),
    ],
)
def test_charnwood_persistent_damage_goes_to_the_local_joint_action_group(ward: str, jag: str) -> None:
    p = load_partnership("charnwood")
    decision = route(ReportFacts(asb_type="criminal_damage", ward=ward, ongoing=True), p)
    assert decision.lead == "leics-police" and jag in decision.copied
    one_off = route(ReportFacts(asb_type="criminal_damage", ward=ward, ongoing=False), p)
    assert jag not in one_off.copied


def test_charnwood_housing_association_tenants_go_to_their_landlord() -> None:
    p = load_partnership("charnwood")
    decision = route(
        ReportFacts(asb_type="noise", ward="Sileby", tenure="social_rent", landlord="EMH Homes"), p
    )
    assert decision.lead == "emh"
