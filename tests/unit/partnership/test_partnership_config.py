"""Partnership files: the shipped ones are valid, and a bad one fails with the file, key path and problem."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from casework.core.asb_types import ASB_TYPES
from casework.partnership import (
    PARTNERSHIPS_DIR,
    Partnership,
    PartnershipConfigError,
    available_partnerships,
    clear_partnership_cache,
    load_partnership,
    parse_partnership,
)

LICHFIELD_IDS = {
    "ldc",
    "staffs-police",
    "staffs-fire",
    "staffs-cc",
    "bromford",
    "mediation",
    "partnership-hub",
}
FILE = "partnerships/x.yml"


def lichfield_data() -> dict[str, Any]:
    return yaml.safe_load((PARTNERSHIPS_DIR / "lichfield.yml").read_text(encoding="utf-8"))


def error_for(change: Callable[[dict[str, Any]], None]) -> str:
    data = copy.deepcopy(lichfield_data())
    change(data)
    with pytest.raises(PartnershipConfigError) as caught:
        parse_partnership(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), FILE)
    return str(caught.value)


# ------------------------------------------------------------------------------------ shipped files


def test_three_partnerships_ship_with_the_product() -> None:
    assert {"lichfield", "durham", "charnwood"} <= set(available_partnerships())


@pytest.mark.parametrize("name", ["lichfield", "durham", "charnwood"])
def test_each_shipped_partnership_loads_and_validates(name: str) -> None:
    p = load_partnership(name)
    assert isinstance(p, Partnership)
    assert p.id == name
    assert p.triage_agency in p.agencies and p.hub_agency in p.agencies and p.police_agency in p.agencies


def test_lichfield_keeps_the_agency_ids_other_systems_rely_on() -> None:
    assert LICHFIELD_IDS <= set(load_partnership("lichfield").agencies)


def test_lichfield_names_its_agencies_as_the_seeds_do() -> None:
    p = load_partnership("lichfield")
    assert p.agencies["ldc"].name == "Lichfield District Council"
    assert p.agencies["staffs-police"].name == "Staffordshire Police"
    assert p.agencies["staffs-fire"].name == "Staffordshire Fire and Rescue Service"
    assert p.agencies["staffs-cc"].name == "Staffordshire County Council"
    assert p.agencies["bromford"].name == "Bromford Housing Group"
    assert p.agencies["partnership-hub"].name == "Lichfield Partnership Hub"
    names = {a.name for a in p.agencies.values()}
    assert {"Staffordshire Probation Service", "Support Staffordshire", "Pathway", "Humankind"} <= names


def test_lichfield_is_a_two_tier_area_with_chasetown_and_stowe_as_hotspots() -> None:
    p = load_partnership("lichfield")
    assert p.area_type == "two_tier"
    assert set(p.hotspot_wards) == {"Chasetown", "Stowe"}
    assert {"Chadsmead", "Shenstone", "Bourne Vale", "Little Aston and Stonnall"} <= {w.name for w in p.wards}


def test_lichfield_offers_each_referral_method_for_the_notifier_to_test() -> None:
    methods = {a.referral.method for a in load_partnership("lichfield").agencies.values()}
    assert methods == {"email", "webhook", "open311", "inbox"}


def test_a_webhook_secret_comes_from_its_environment_variable_or_else_the_dev_default() -> None:
    referral = load_partnership("lichfield").agencies["staffs-police"].referral
    assert referral.secret({"STAFFS_POLICE_WEBHOOK_SECRET": "from-env"}) == "from-env"
    assert referral.secret({}) == "dev-only-staffs-police-webhook-secret"


def test_an_open311_agency_maps_our_codes_to_its_service_codes() -> None:
    referral = load_partnership("lichfield").agencies["staffs-cc"].referral
    assert referral.service_code_for("abandoned_vehicle") == "HWY-ABANDONED-VEHICLE"
    assert referral.service_code_for("noise") == "noise"
    assert referral.api_key({}) == "dev-only-staffs-cc-open311-key"


def test_referral_addresses_are_safe_for_development() -> None:
    for name in ("lichfield", "durham", "charnwood"):
        for agency in load_partnership(name).agencies.values():
            if agency.referral.address:
                assert agency.referral.address.endswith("example.org")
            if agency.referral.url:
                assert agency.referral.url.startswith("http://127.0.0.1")


@pytest.mark.parametrize("name", ["lichfield", "durham", "charnwood"])
def test_settings_have_the_documented_defaults(name: str) -> None:
    p = load_partnership(name)
    assert p.response_targets_working_days["high"] == 1
    assert p.response_targets_working_days.medium == 2
    assert p.response_targets_working_days.for_level("standard") == 5
    assert p.update_cadence_working_days == 10
    assert (p.quiet_hours.start, p.quiet_hours.end) == (time(20, 0), time(8, 0))
    assert p.duplicates.window_hours == 72
    assert (p.repeats.victim_reports, p.repeats.victim_window_days) == (2, 14)
    assert (p.repeats.location_reports, p.repeats.location_window_days) == (3, 30)
    assert p.case_review.threshold_reports == 3 and p.case_review.window_days == 183
    assert p.case_review.single_hate_incident is True


@pytest.mark.parametrize("name", ["lichfield", "durham", "charnwood"])
def test_every_type_has_self_help_guidance(name: str) -> None:
    p = load_partnership(name)
    for code in ASB_TYPES:
        assert p.self_help_for(code)
    assert p.self_help_for("not-a-type") == p.self_help["default"]


def test_lichfield_has_its_own_self_help_for_every_type() -> None:
    assert set(ASB_TYPES) <= set(load_partnership("lichfield").self_help)


@pytest.mark.parametrize("name", ["lichfield", "durham", "charnwood"])
def test_the_five_support_services_are_configured(name: str) -> None:
    services = load_partnership(name).support_services
    for key in ("mental_health", "drugs_alcohol", "victim_support", "domestic_abuse", "mediation"):
        assert services[key].name
        assert key in services
    assert dict(services.items())["domestic_abuse"].phone == "0808 2000 247"


def test_an_agency_is_found_by_id_and_a_missing_one_is_a_clear_key_error() -> None:
    p = load_partnership("lichfield")
    assert p.agency("ldc").name == "Lichfield District Council"
    assert p.council.id == "ldc"
    with pytest.raises(KeyError, match="no agency 'nope'"):
        p.agency("nope")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bromford", "bromford"),
        ("bromford housing", "bromford"),
        ("Bromford Housing Group", "bromford"),
        ("I rent from Bromford", "bromford"),
        ("Bromferd", "bromford"),
        ("Midland Heart", None),
        ("", None),
        (None, None),
        ("council", None),
    ],
)
def test_a_landlord_named_in_everyday_words_is_found(text: str | None, expected: str | None) -> None:
    assert load_partnership("lichfield").landlord_agency(text) == expected


def test_quiet_hours_wrap_past_midnight_in_local_time() -> None:
    quiet = load_partnership("lichfield").quiet_hours
    assert quiet.is_quiet(datetime(2026, 7, 1, 19, 30, tzinfo=UTC))  # 20:30 BST
    assert not quiet.is_quiet(datetime(2026, 7, 1, 18, 30, tzinfo=UTC))  # 19:30 BST
    assert quiet.is_quiet(datetime(2026, 1, 5, 7, 59, tzinfo=UTC))  # 07:59 GMT
    assert not quiet.is_quiet(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))


def test_a_text_held_in_quiet_hours_goes_at_the_end_of_them() -> None:
    quiet = load_partnership("lichfield").quiet_hours
    assert quiet.next_send_time(datetime(2026, 1, 5, 22, 0, tzinfo=UTC)) == datetime(
        2026, 1, 6, 8, 0, tzinfo=UTC
    )
    assert quiet.next_send_time(datetime(2026, 7, 1, 2, 0, tzinfo=UTC)) == datetime(
        2026, 7, 1, 7, 0, tzinfo=UTC
    )
    noon = datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    assert quiet.next_send_time(noon) == noon


def test_loading_is_cached_per_file_and_can_be_done_fresh() -> None:
    first = load_partnership("lichfield")
    assert load_partnership("lichfield") is first
    assert load_partnership(PARTNERSHIPS_DIR / "lichfield.yml") is first
    fresh = load_partnership("lichfield", fresh=True)
    assert fresh is not first and fresh == first
    clear_partnership_cache()
    assert load_partnership("lichfield") is not fresh


def test_a_path_outside_the_repository_loads_too(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.yml"
    path.write_text((PARTNERSHIPS_DIR / "durham.yml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_partnership(str(path)).id == "durham"


# ---------------------------------------------------------------------------------------- bad files


def test_a_missing_file_names_the_file_and_the_shipped_partnerships() -> None:
    with pytest.raises(PartnershipConfigError) as caught:
        load_partnership("atlantis")
    assert "partnerships/atlantis.yml: file not found" in str(caught.value)
    assert "lichfield" in str(caught.value)


def test_a_yaml_syntax_error_names_the_file_and_line() -> None:
    text = "id: x\nname: X\nagencies:\n  ldc: {name: [unclosed\n"
    with pytest.raises(PartnershipConfigError) as caught:
        parse_partnership(text, FILE)
    message = str(caught.value)
    assert message.startswith(f"{FILE}: line ")
    assert "YAML syntax error" in message


def test_a_duplicate_key_is_refused_with_its_line() -> None:
    with pytest.raises(
        PartnershipConfigError, match=r"partnerships/x.yml: line 2, column 1: .*duplicate key 'id'"
    ):
        parse_partnership("id: a\nid: b\n", FILE)


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(PartnershipConfigError, match="must be a YAML mapping"):
        parse_partnership("- just\n- a list\n", FILE)


def test_a_missing_webhook_url_names_the_agency_key_path() -> None:
    message = error_for(lambda d: d["agencies"]["staffs-police"]["referral"].pop("url"))
    assert f"{FILE}: agencies.staffs-police.referral.url: Field required" in message


def test_a_missing_agency_name_names_the_key_path() -> None:
    message = error_for(lambda d: d["agencies"]["ldc"].pop("name"))
    assert f"{FILE}: agencies.ldc.name: Field required" in message


def test_a_misspelt_key_is_reported_as_unknown() -> None:
    message = error_for(lambda d: d["agencies"]["ldc"].update({"hanldes": ["noise"]}))
    assert f"{FILE}: agencies.ldc.hanldes: unknown key" in message


def test_the_retired_wording_key_is_refused_saying_nothing_reads_it() -> None:
    message = error_for(lambda d: d.update({"wording": {"emergency": "Call 999."}}))
    assert f"{FILE}: wording: no longer read: residents see the product's own wording" in message


def test_an_unknown_agency_kind_lists_the_allowed_kinds() -> None:
    message = error_for(lambda d: d["agencies"]["ldc"].update({"kind": "parish"}))
    assert f"{FILE}: agencies.ldc.kind: Input should be" in message


def test_an_unknown_referral_method_is_refused() -> None:
    message = error_for(lambda d: d["agencies"]["ldc"]["referral"].update({"method": "fax"}))
    assert f"{FILE}: agencies.ldc.referral.method:" in message


def test_an_email_referral_needs_an_address() -> None:
    message = error_for(lambda d: d["agencies"]["ldc"]["referral"].pop("address"))
    assert f"{FILE}: agencies.ldc.referral.address: Field required (method is email)" in message


def test_a_rule_leading_to_an_unknown_agency_names_the_rule() -> None:
    message = error_for(lambda d: d["routing"][6].update({"lead": "ldcc"}))
    assert f"{FILE}: routing[6].lead: no agency 'ldcc' in agencies (did you mean 'ldc'?)" in message


def test_a_copied_agency_that_does_not_exist_names_its_position() -> None:
    message = error_for(lambda d: d["routing"][0].update({"copy": ["staffs-police", "nobody"]}))
    assert f"{FILE}: routing[0].copy[1]: no agency 'nobody'" in message


def test_an_unknown_triage_queue_is_refused() -> None:
    message = error_for(lambda d: d.update({"triage_agency": "triage"}))
    assert f"{FILE}: triage_agency: no agency 'triage'" in message


def test_an_unknown_hub_is_refused() -> None:
    message = error_for(lambda d: d.update({"hub_agency": "hub"}))
    assert f"{FILE}: hub_agency: no agency 'hub'" in message


def test_a_misspelt_asb_type_in_a_rule_suggests_the_right_code() -> None:
    message = error_for(lambda d: d["routing"][6]["when"].update({"asb_type": ["nosie"]}))
    assert (
        f"{FILE}: routing[6].when.asb_type[0]: 'nosie' is not an ASB type code (did you mean 'noise'?)"
        in message
    )


def test_a_misspelt_asb_type_in_what_an_agency_handles_is_refused() -> None:
    message = error_for(lambda d: d["agencies"]["ldc"]["handles"].append("grafitti"))
    assert f"{FILE}: agencies.ldc.handles[6]: 'grafitti' is not an ASB type code" in message


def test_a_gazetteer_entry_for_an_unknown_ward_names_the_entry() -> None:
    message = error_for(lambda d: d["gazetteer"]["streets"].update({"Bore Street": "Stow"}))
    assert (
        f"{FILE}: gazetteer.streets.Bore Street: no ward 'Stow' in wards (did you mean 'Stowe'?)" in message
    )


def test_a_postcode_sector_for_an_unknown_ward_names_the_sector() -> None:
    message = error_for(lambda d: d["gazetteer"]["postcode_sectors"].update({"WS7 1": "Nowhere"}))
    assert f"{FILE}: gazetteer.postcode_sectors.WS7 1: no ward 'Nowhere'" in message


def test_an_alias_for_a_place_that_is_not_in_the_gazetteer_is_refused() -> None:
    message = error_for(lambda d: d["gazetteer"]["aliases"].update({"the pool": "Stowe Pol"}))
    assert f"{FILE}: gazetteer.aliases.the pool: 'Stowe Pol' is not a street or landmark" in message


def test_a_rule_for_an_unknown_ward_is_refused() -> None:
    message = error_for(lambda d: d["routing"][4]["when"].update({"ward": ["Stowe", "Atlantis"]}))
    assert f"{FILE}: routing[4].when.ward[1]: no ward 'Atlantis'" in message


def test_the_landlord_placeholder_needs_a_landlord_condition() -> None:
    message = error_for(lambda d: d["routing"][2]["when"].pop("landlord"))
    assert f"{FILE}: routing[2].lead: @landlord needs when.landlord" in message


def test_a_rule_reason_with_an_unknown_placeholder_is_refused() -> None:
    message = error_for(lambda d: d["routing"][6].update({"reason": "{type} → {agency}"}))
    assert f"{FILE}: routing[6].reason: bad placeholder" in message


def test_self_help_needs_a_default() -> None:
    message = error_for(lambda d: d["self_help"].pop("default"))
    assert f"{FILE}: self_help.default: Field required" in message


def test_a_missing_support_service_names_its_key() -> None:
    message = error_for(lambda d: d["support_services"].pop("mediation"))
    assert f"{FILE}: support_services.mediation: Field required" in message


def test_an_area_type_other_than_two_tier_or_unitary_is_refused() -> None:
    message = error_for(lambda d: d.update({"area_type": "metropolitan"}))
    assert f"{FILE}: area_type: Input should be 'two_tier' or 'unitary'" in message


def test_a_case_review_threshold_above_the_legal_maximum_is_refused() -> None:
    message = error_for(lambda d: d["case_review"].update({"threshold_reports": 4}))
    assert f"{FILE}: case_review.threshold_reports:" in message


def test_an_unquoted_quiet_hours_time_is_still_read_correctly() -> None:
    data = lichfield_data()
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).replace("start: '20:00'", "start: 20:00")
    assert "start: 20:00" in text
    assert parse_partnership(text, FILE).quiet_hours.start == time(20, 0)


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    def break_twice(d: dict[str, Any]) -> None:
        d["hub_agency"] = "nobody"
        d["gazetteer"]["landmarks"]["Beacon Park"] = "Nowhere"

    lines = error_for(break_twice).splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{FILE}: ") for line in lines)


def test_published_development_secrets_are_never_used_in_production():
    police = load_partnership("lichfield").agencies["staffs-police"].referral
    county = load_partnership("lichfield").agencies["staffs-cc"].referral
    assert police.secret({}) == police.dev_secret and county.api_key({}) == county.dev_api_key
    assert police.secret({"APP_ENV": "production"}) is None
    assert county.api_key({"APP_ENV": "production"}) is None
    configured = {"APP_ENV": "production", police.secret_env: "s3cret-from-the-vault"}
    assert police.secret(configured) == "s3cret-from-the-vault"
