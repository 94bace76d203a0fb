"""Routing: every report reaches the agency best placed to act, and the safeguards always hold."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.core.asb_types import ASB_TYPES, NSIR_CLASSES, asb_label, is_asb_type, nsir_class
from casework.intake.routing import ReportFacts, RoutingDecision, normalise_tenure, route
from casework.partnership import Partnership, Rule, load_partnership

# A placeable ward in each partnership that no ward-specific rule singles out.
QUIET_WARD = {"lichfield": "Boley Park", "durham": "Belmont", "charnwood": "Loughborough Outwoods"}

# The expected lead for every ASB type, for an owner-occupier in a quiet ward, standard risk.
EXPECTED_LEAD = {
    "lichfield": {
        "noise": "ldc",
        "neighbour_nuisance": "ldc",
        "rowdy_behaviour": "staffs-police",
        "intimidation_harassment": "staffs-police",
        "vehicle_nuisance": "staffs-police",
        "abandoned_vehicle": "ldc",
        "street_drinking": "staffs-police",
        "drug_activity": "staffs-police",
        "begging": "staffs-police",
        "criminal_damage": "staffs-police",
        "graffiti": "ldc",
        "litter_flytipping": "ldc",
        "animal_problems": "ldc",
        "fireworks": "staffs-police",
        "deliberate_fire": "staffs-fire",
        "prostitution": "staffs-police",
        "trespass": "staffs-police",
        "hoax_calls": "staffs-police",
        "other": "ldc-triage",
    },
    "durham": {
        "noise": "durham-cc",
        "neighbour_nuisance": "durham-cc",
        "rowdy_behaviour": "durham-police",
        "intimidation_harassment": "durham-police",
        "vehicle_nuisance": "durham-police",
        "abandoned_vehicle": "durham-cc",
        "street_drinking": "durham-police",
        "drug_activity": "durham-police",
        "begging": "durham-police",
        "criminal_damage": "durham-police",
        "graffiti": "durham-cc",
        "litter_flytipping": "durham-cc",
        "animal_problems": "durham-cc",
        "fireworks": "durham-police",
        "deliberate_fire": "ddfrs",
        "prostitution": "durham-police",
        "trespass": "durham-police",
        "hoax_calls": "durham-police",
        "other": "durham-asb-triage",
    },
    "charnwood": {
        "noise": "charnwood-bc",
        "neighbour_nuisance": "charnwood-bc",
        "rowdy_behaviour": "leics-police",
        "intimidation_harassment": "leics-police",
        "vehicle_nuisance": "leics-police",
        "abandoned_vehicle": "charnwood-bc",
        "street_drinking": "leics-police",
        "drug_activity": "leics-police",
        "begging": "leics-police",
        "criminal_damage": "leics-police",
        "graffiti": "charnwood-bc",
        "litter_flytipping": "charnwood-bc",
        "animal_problems": "charnwood-bc",
        "fireworks": "leics-police",
        "deliberate_fire": "leics-fire",
        "prostitution": "leics-police",
        "trespass": "leics-police",
        "hoax_calls": "leics-police",
        "other": "charnwood-triage",
    },
}
PARTNERSHIPS = tuple(EXPECTED_LEAD)
TABLE = [(name, code, lead) for name, leads in EXPECTED_LEAD.items() for code, lead in leads.items()]


def partnership(name: str) -> Partnership:
    return load_partnership(name)


def assert_well_formed(decision: RoutingDecision, p: Partnership) -> None:
    assert decision.lead in p.agencies
    assert all(agency in p.agencies for agency in decision.copied)
    assert decision.lead not in decision.copied
    assert len(set(decision.copied)) == len(decision.copied)
    assert decision.reasons and all(isinstance(r, str) and r for r in decision.reasons)
    assert decision.target_working_days >= 0


def test_the_table_covers_every_asb_type_in_every_partnership() -> None:
    for leads in EXPECTED_LEAD.values():
        assert set(leads) == set(ASB_TYPES)


@pytest.mark.parametrize(("name", "asb_type", "lead"), TABLE)
def test_every_asb_type_routes_to_its_expected_lead(name: str, asb_type: str, lead: str) -> None:
    p = partnership(name)
    decision = route(ReportFacts(asb_type=asb_type, ward=QUIET_WARD[name], tenure="owner"), p)
    assert decision.lead == lead
    assert_well_formed(decision, p)
    assert decision.target_working_days == p.response_targets_working_days.standard


@pytest.mark.parametrize(
    ("name", "landlord", "expected"),
    [
        ("lichfield", "Bromford", "bromford"),
        ("lichfield", "bromford housing group", "bromford"),
        ("durham", "Believe Housing", "believe"),
        ("durham", "livin", "livin"),
        ("durham", "Karbon Homes", "karbon"),
        ("charnwood", "CNH", "cnh"),
        ("charnwood", "the council", "cnh"),
    ],
)
def test_noise_from_a_social_tenant_goes_to_their_landlord(name: str, landlord: str, expected: str) -> None:
    p = partnership(name)
    decision = route(
        ReportFacts(asb_type="noise", ward=QUIET_WARD[name], tenure="social_rent", landlord=landlord), p
    )
    assert decision.lead == expected
    assert any("tenure rule" in reason for reason in decision.reasons)


def test_the_tenure_reason_reads_as_plain_english() -> None:
    p = partnership("lichfield")
    decision = route(
        ReportFacts(asb_type="noise", ward="Stowe", tenure="social_rent", landlord="Bromford"), p
    )
    assert decision.reasons[0] == "noise from a Bromford tenant → Bromford Housing Group: tenure rule"


def test_neighbour_nuisance_from_a_social_tenant_goes_to_the_landlord_with_mediation_offered() -> None:
    p = partnership("lichfield")
    decision = route(
        ReportFacts(
            asb_type="neighbour_nuisance", ward="Chadsmead", tenure="social_rent", landlord="bromford"
        ),
        p,
    )
    assert decision.lead == "bromford"
    assert "mediation" in decision.copied


def test_naming_a_configured_landlord_counts_as_social_tenure_when_tenure_is_unknown() -> None:
    p = partnership("lichfield")
    decision = route(ReportFacts(asb_type="noise", ward="Stowe", tenure=None, landlord="Bromford"), p)
    assert decision.lead == "bromford"


def test_a_private_tenant_with_an_unknown_landlord_goes_to_the_council() -> None:
    p = partnership("lichfield")
    decision = route(
        ReportFacts(asb_type="noise", ward="Stowe", tenure="private_rent", landlord="Mr Smith"), p
    )
    assert decision.lead == "ldc"


def test_tenure_does_not_change_the_lead_for_police_matters() -> None:
    p = partnership("lichfield")
    decision = route(
        ReportFacts(asb_type="criminal_damage", ward="Stowe", tenure="social_rent", landlord="Bromford"), p
    )
    assert decision.lead == "staffs-police"


def test_a_two_tier_area_tells_the_county_council_about_abandoned_vehicles() -> None:
    decision = route(ReportFacts(asb_type="abandoned_vehicle", ward="Chasetown"), partnership("lichfield"))
    assert decision.lead == "ldc"
    assert "staffs-cc" in decision.copied


def test_a_unitary_area_keeps_abandoned_vehicles_with_its_one_council() -> None:
    decision = route(ReportFacts(asb_type="abandoned_vehicle", ward="Belmont"), partnership("durham"))
    assert decision.agencies == ("durham-cc",)


def test_hotspot_rules_bring_in_the_council_for_rowdy_behaviour_in_the_city_centre() -> None:
    decision = route(ReportFacts(asb_type="rowdy_behaviour", ward="Stowe"), partnership("lichfield"))
    assert decision.lead == "staffs-police"
    assert "ldc" in decision.copied


def test_student_noise_in_loughborough_copies_in_the_university() -> None:
    decision = route(ReportFacts(asb_type="noise", ward="Loughborough Storer"), partnership("charnwood"))
    assert decision.lead == "charnwood-bc"
    assert "lboro-uni" in decision.copied


def test_ward_names_match_in_any_case() -> None:
    decision = route(ReportFacts(asb_type="noise", ward="loughborough storer"), partnership("charnwood"))
    assert "lboro-uni" in decision.copied


@pytest.mark.parametrize("name", PARTNERSHIPS)
@pytest.mark.parametrize("asb_type", sorted(ASB_TYPES))
def test_domestic_abuse_goes_to_the_police_and_the_domestic_abuse_service_never_mediation(
    name: str, asb_type: str
) -> None:
    p = partnership(name)
    decision = route(
        ReportFacts(
            asb_type=asb_type,
            ward=QUIET_WARD[name],
            tenure="social_rent",
            landlord=p.housing_agencies()[0].id,
            domestic_abuse=True,
        ),
        p,
    )
    mediators = {a.id for a in p.agencies.values() if a.kind == "mediation"} | {p.mediation_agency}
    assert decision.lead == p.police_agency
    assert p.domestic_abuse_service in decision.copied
    assert not mediators & set(decision.agencies)


def test_domestic_abuse_overrides_a_partnership_rule_that_would_offer_mediation() -> None:
    p = partnership("lichfield")
    rules = [r for r in p.routing if r.name not in ("domestic abuse", "hate incident")]
    without_da_rule = p.model_copy(update={"routing": rules})
    decision = route(
        ReportFacts(asb_type="neighbour_nuisance", ward="Stowe", domestic_abuse=True), without_da_rule
    )
    assert decision.lead == "staffs-police"
    assert "mediation" not in decision.agencies
    assert "staffs-da-service" in decision.copied


def test_a_domestic_abuse_service_that_takes_only_self_referrals_is_signposted_not_copied() -> None:
    p = partnership("lichfield")
    self_referral_only = p.model_copy(update={"domestic_abuse_service": "domestic_abuse"})
    decision = route(ReportFacts(asb_type="intimidation_harassment", domestic_abuse=True), self_referral_only)
    assert decision.lead == "staffs-police"
    assert "domestic abuse → signpost National Domestic Abuse Helpline" in decision.reasons


@pytest.mark.parametrize("name", PARTNERSHIPS)
@pytest.mark.parametrize("asb_type", sorted(ASB_TYPES))
def test_the_police_are_always_involved_in_a_hate_incident(name: str, asb_type: str) -> None:
    p = partnership(name)
    decision = route(ReportFacts(asb_type=asb_type, ward=QUIET_WARD[name], hate=True), p)
    assert p.police_agency in decision.agencies


def test_the_police_are_copied_into_a_hate_incident_even_when_no_rule_mentions_hate() -> None:
    p = partnership("lichfield")
    no_hate_rule = p.model_copy(update={"routing": [r for r in p.routing if r.name != "hate incident"]})
    decision = route(ReportFacts(asb_type="graffiti", ward="Stowe", hate=True), no_hate_rule)
    assert decision.lead == "ldc"
    assert "staffs-police" in decision.copied


def test_a_hate_incident_the_rules_would_give_to_mediation_goes_to_the_police_instead() -> None:
    p = partnership("lichfield")
    mediation_first = Rule.model_validate(
        {"name": "mediation first", "when": {"asb_type": ["neighbour_nuisance"]}, "lead": "mediation"}
    )
    rules = [mediation_first, *(r for r in p.routing if r.name != "hate incident")]
    decision = route(
        ReportFacts(asb_type="neighbour_nuisance", ward="Stowe", hate=True),
        p.model_copy(update={"routing": rules}),
    )
    assert decision.lead == "staffs-police"
    assert "mediation" not in decision.agencies
    assert "hate incident → Staffordshire Police lead" in decision.reasons


def test_a_hate_incident_is_not_offered_the_mediation_a_rule_copies_in() -> None:
    p = partnership("lichfield")
    no_hate_rule = p.model_copy(update={"routing": [r for r in p.routing if r.name != "hate incident"]})
    plain = route(ReportFacts(asb_type="neighbour_nuisance", ward="Stowe"), no_hate_rule)
    assert "mediation" in plain.copied
    decision = route(ReportFacts(asb_type="neighbour_nuisance", ward="Stowe", hate=True), no_hate_rule)
    assert decision.lead == "ldc"
    assert "staffs-police" in decision.copied
    assert "mediation" not in decision.agencies
    assert "hate incident: mediation is not offered" in decision.reasons


@pytest.mark.parametrize("name", PARTNERSHIPS)
def test_high_risk_copies_in_the_hub_and_sets_a_one_working_day_target(name: str) -> None:
    p = partnership(name)
    decision = route(ReportFacts(asb_type="noise", ward=QUIET_WARD[name], risk_level="high"), p)
    assert p.hub_agency in decision.copied
    assert decision.target_working_days == 1


@pytest.mark.parametrize(("risk", "days"), [("standard", 5), ("medium", 2), ("high", 1)])
def test_the_target_follows_the_risk_level(risk: str, days: int) -> None:
    decision = route(
        ReportFacts(asb_type="graffiti", ward="Stowe", risk_level=risk), partnership("lichfield")
    )
    assert decision.target_working_days == days


def test_standard_and_medium_risk_do_not_involve_the_hub() -> None:
    p = partnership("lichfield")
    for risk in ("standard", "medium"):
        decision = route(ReportFacts(asb_type="noise", ward="Stowe", risk_level=risk), p)
        assert p.hub_agency not in decision.agencies


@pytest.mark.parametrize("name", PARTNERSHIPS)
@pytest.mark.parametrize("asb_type", ["", "nosie", "ufo_sighting", "NOISE"])
def test_an_unknown_type_goes_to_the_triage_queue(name: str, asb_type: str) -> None:
    p = partnership(name)
    decision = route(ReportFacts(asb_type=asb_type, ward=QUIET_WARD[name]), p)
    assert decision.lead == p.triage_agency
    assert "triage" in decision.reasons[0]


@pytest.mark.parametrize("name", PARTNERSHIPS)
def test_council_work_that_cannot_be_placed_goes_to_the_triage_queue(name: str) -> None:
    p = partnership(name)
    decision = route(ReportFacts(asb_type="litter_flytipping", ward=None), p)
    assert decision.lead == p.triage_agency
    assert "could not place" in decision.reasons[0]


def test_an_unknown_ward_counts_as_unplaced() -> None:
    p = partnership("lichfield")
    decision = route(ReportFacts(asb_type="noise", ward="Atlantis"), p)
    assert decision.lead == "ldc-triage"


def test_police_matters_do_not_need_a_placed_location() -> None:
    decision = route(ReportFacts(asb_type="vehicle_nuisance", ward=None), partnership("lichfield"))
    assert decision.lead == "staffs-police"


def test_a_landlord_rule_without_a_known_landlord_leaves_the_report_with_triage() -> None:
    p = partnership("lichfield")
    # The partnership checks refuse such a rule; routing still never drops the report.
    landlord_rule = Rule.model_validate(
        {"name": "landlord", "when": {"asb_type": ["graffiti"]}, "lead": "@landlord"}
    )
    decision = route(
        ReportFacts(asb_type="graffiti", ward="Stowe"), p.model_copy(update={"routing": [landlord_rule]})
    )
    assert decision.lead == p.triage_agency
    assert decision.rule is None


def test_a_type_no_rule_covers_falls_back_to_the_agency_that_handles_it() -> None:
    p = partnership("lichfield")
    no_rules = p.model_copy(update={"routing": []})
    assert route(ReportFacts(asb_type="deliberate_fire", ward="Stowe"), no_rules).lead == "staffs-fire"
    assert route(ReportFacts(asb_type="other", ward="Stowe"), no_rules).lead == "ldc-triage"


def test_an_unrecognised_risk_level_is_treated_as_standard() -> None:
    decision = route(
        ReportFacts(asb_type="noise", ward="Stowe", risk_level="critical"), partnership("lichfield")
    )
    assert decision.target_working_days == 5


def test_the_decision_says_which_rule_applied() -> None:
    decision = route(ReportFacts(asb_type="noise", ward="Stowe"), partnership("lichfield"))
    assert decision.rule == "noise"
    assert decision.reasons[0] == "noise → Lichfield District Council environmental health: noise rule"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("social_rent", "social_rent"),
        ("Council", "social_rent"),
        ("housing association", "social_rent"),
        ("private", "private_rent"),
        ("owner", "owner"),
        ("caravan", "unknown"),
        (None, None),
        ("", None),
    ],
)
def test_tenure_in_everyday_words_is_understood(words: str | None, expected: str | None) -> None:
    assert normalise_tenure(words) == expected


_text = st.one_of(st.none(), st.text(max_size=30))
_facts = st.builds(
    ReportFacts,
    asb_type=st.one_of(st.sampled_from(sorted(ASB_TYPES)), st.text(max_size=20)),
    ward=st.one_of(_text, st.sampled_from(["Stowe", "Chasetown", "Belmont", "Loughborough Storer"])),
    tenure=st.one_of(_text, st.sampled_from(["owner", "private_rent", "social_rent", "unknown"])),
    landlord=st.one_of(_text, st.sampled_from(["Bromford", "believe", "CNH", "karbon", "livin"])),
    hate=st.booleans(),
    domestic_abuse=st.booleans(),
    risk_level=st.one_of(st.sampled_from(["standard", "medium", "high"]), st.text(max_size=8)),
    ongoing=st.one_of(st.none(), st.booleans()),
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(PARTNERSHIPS), facts=_facts)
def test_any_report_routes_to_a_configured_agency(name: str, facts: ReportFacts) -> None:
    p = partnership(name)
    decision = route(facts, p)
    assert_well_formed(decision, p)
    if facts.domestic_abuse:
        assert decision.lead == p.police_agency
        assert p.mediation_agency not in decision.agencies
    if facts.hate:
        assert p.police_agency in decision.agencies
    if facts.risk_level == "high":
        assert p.hub_agency in decision.agencies
        assert decision.target_working_days == 1


# ------------------------------------------------- the ASB types that routing works from
CODES = [
    "noise",
    "neighbour_nuisance",
    "rowdy_behaviour",
    "intimidation_harassment",
    "vehicle_nuisance",
    "abandoned_vehicle",
    "street_drinking",
    "drug_activity",
    "begging",
    "criminal_damage",
    "graffiti",
    "litter_flytipping",
    "animal_problems",
    "fireworks",
    "deliberate_fire",
    "prostitution",
    "trespass",
    "hoax_calls",
    "other",
]


def test_there_are_exactly_the_nineteen_documented_codes_in_order() -> None:
    assert list(ASB_TYPES) == CODES


@pytest.mark.parametrize("code", CODES)
def test_each_type_has_a_label_a_description_and_an_nsir_class(code: str) -> None:
    asb_type = ASB_TYPES[code]
    assert asb_type.code == code
    assert asb_type.label and asb_type.description
    assert asb_type.nsir_class in NSIR_CLASSES


def test_a_targeted_report_of_any_type_is_personal() -> None:
    for code in CODES:
        assert nsir_class(code, targeted=True) == "personal"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("noise", "nuisance"),
        ("intimidation_harassment", "personal"),
        ("litter_flytipping", "environmental"),
        ("graffiti", "environmental"),
        ("other", "nuisance"),
    ],
)
def test_an_untargeted_report_takes_its_types_usual_class(code: str, expected: str) -> None:
    assert nsir_class(code, targeted=False) == expected
    assert nsir_class(code, None) == expected


def test_an_unknown_code_is_classed_like_other_rather_than_raising() -> None:
    assert nsir_class("nonsense", None) == "nuisance"
    assert asb_label("nonsense") == "nonsense"
    assert not is_asb_type("nonsense") and is_asb_type("noise")
