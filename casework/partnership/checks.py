"""Cross-checks of a partnership file: every agency, ward, type and place a rule names must exist."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from casework.core.asb_types import ASB_TYPES
from casework.partnership.place_words import DISTRICT_KEY_RE, SECTOR_KEY_RE, _norm
from casework.partnership.schema import LANDLORD_PLACEHOLDER, REASON_FIELDS, RISK_LEVELS, TENURES

if TYPE_CHECKING:
    from casework.partnership.loader import Partnership


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _suggest(value: str, options: list[str]) -> str:
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    """Collects the problems the schema alone cannot see: references between parts of the file."""

    def __init__(self, p: Partnership) -> None:
        self.p = p
        self.problems: list[tuple[str, str]] = []
        self.agency_ids = list(p.agencies)
        self.codes = list(ASB_TYPES)
        self.ward_names = {_norm(w.name) for w in p.wards}

    def need_agency(self, path: str, value: str | None) -> None:
        if value is not None and value not in self.p.agencies:
            self.problems.append((path, f"no agency {value!r} in agencies{_suggest(value, self.agency_ids)}"))

    def need_code(self, path: str, value: str) -> None:
        if value not in ASB_TYPES:
            self.problems.append((path, f"{value!r} is not an ASB type code{_suggest(value, self.codes)}"))

    def need_ward(self, path: str, value: str | None) -> None:
        if value is not None and _norm(value) not in self.ward_names:
            names = [w.name for w in self.p.wards]
            self.problems.append((path, f"no ward {value!r} in wards{_suggest(value, names)}"))

    def roles(self) -> None:
        """The partnership's named agencies and services exist."""
        p, problems = self.p, self.problems
        for key in (
            "triage_agency",
            "hub_agency",
            "police_agency",
            "council_agency",
            "county_council_agency",
            "fire_agency",
            "mediation_agency",
        ):
            self.need_agency(key, getattr(p, key))
        if p.domestic_abuse_service not in p.agencies and p.domestic_abuse_service not in p.support_services:
            problems.append(
                (
                    "domestic_abuse_service",
                    f"{p.domestic_abuse_service!r} is neither an agency id nor a support_services key",
                )
            )
        if p.area_type == "two_tier" and p.county_council_agency is None:
            problems.append(("county_council_agency", "Field required for a two_tier area"))

    def agencies(self) -> None:
        """Each agency: id, the types it handles, how referrals reach it."""
        p, problems = self.p, self.problems
        for agency_id, agency in p.agencies.items():
            base = f"agencies.{agency_id}"
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", agency_id):
                problems.append((base, "agency ids use lower-case letters, digits and hyphens only"))
            if agency.id != agency_id:
                problems.append((f"{base}.id", f"id {agency.id!r} differs from its key {agency_id!r}"))
            for i, code in enumerate(agency.handles):
                self.need_code(f"{base}.handles[{i}]", code)
            ref = agency.referral
            required = {"email": ["address"], "webhook": ["url", "secret_env"], "open311": ["url"]}
            for field in required.get(ref.method, []):
                if not getattr(ref, field):
                    problems.append((f"{base}.referral.{field}", f"Field required (method is {ref.method})"))
            if ref.method == "email" and ref.address and "@" not in ref.address:
                problems.append((f"{base}.referral.address", f"{ref.address!r} is not an email address"))
            if ref.url and not re.match(r"https?://", ref.url):
                problems.append((f"{base}.referral.url", f"{ref.url!r} must start with http:// or https://"))
            for code in ref.service_code_map:
                self.need_code(f"{base}.referral.service_code_map.{code}", code)
            if agency.landlord_aliases and agency.kind != "housing":
                problems.append((f"{base}.landlord_aliases", "only housing agencies have landlord aliases"))

    def places(self) -> None:
        """Wards listed once; the gazetteer's postcodes, places and aliases resolve."""
        p, problems = self.p, self.problems
        seen: set[str] = set()
        for i, listed in enumerate(p.wards):
            if _norm(listed.name) in seen:
                problems.append((f"wards[{i}].name", f"ward {listed.name!r} is listed twice"))
            seen.add(_norm(listed.name))

        g = p.gazetteer
        town_keys = {_norm(t) for t in g.towns}
        for key, ward in g.postcode_sectors.items():
            if not SECTOR_KEY_RE.match(key.upper()):
                problems.append((f"gazetteer.postcode_sectors.{key}", "a sector is written like 'WS7 1'"))
            if _norm(ward) not in town_keys:
                self.need_ward(f"gazetteer.postcode_sectors.{key}", ward)
        for key, value in g.postcode_districts.items():
            if not DISTRICT_KEY_RE.match(key.upper()):
                problems.append((f"gazetteer.postcode_districts.{key}", "a district is written like 'WS7'"))
            if _norm(value) not in self.ward_names and _norm(value) not in town_keys:
                problems.append(
                    (f"gazetteer.postcode_districts.{key}", f"{value!r} is neither a ward nor a town")
                )
        for section in ("towns", "streets", "landmarks"):
            for key, ward in getattr(g, section).items():
                self.need_ward(f"gazetteer.{section}.{key}", ward)
        places = [*g.streets, *g.landmarks]
        place_keys = {_norm(name) for name in places}
        for alias, target in g.aliases.items():
            if _norm(target) not in place_keys:
                msg = f"{target!r} is not a street or landmark in the gazetteer{_suggest(target, places)}"
                problems.append((f"gazetteer.aliases.{alias}", msg))

    def routing(self) -> None:
        """Each routing rule names real types, wards, tenures, risk levels and agencies."""
        p, problems = self.p, self.problems
        names: set[str] = set()
        for i, rule in enumerate(p.routing):
            base = f"routing[{i}]"
            if rule.name in names:
                problems.append((f"{base}.name", f"rule name {rule.name!r} is used twice"))
            names.add(rule.name)
            when = rule.when
            for j, code in enumerate(when.asb_type or []):
                self.need_code(f"{base}.when.asb_type[{j}]", code)
            for j, ward in enumerate(when.ward or []):
                self.need_ward(f"{base}.when.ward[{j}]", ward)
            for j, tenure in enumerate(when.tenure or []):
                if tenure not in TENURES:
                    allowed = ", ".join(TENURES)
                    problems.append((f"{base}.when.tenure[{j}]", f"{tenure!r} is not one of {allowed}"))
            for j, level in enumerate(when.risk_level or []):
                if level not in RISK_LEVELS:
                    problems.append(
                        (f"{base}.when.risk_level[{j}]", f"{level!r} is not one of {RISK_LEVELS}")
                    )
            if when.landlord not in (None, "any"):
                if when.landlord not in p.agencies or p.agencies[when.landlord].kind != "housing":
                    msg = f"{when.landlord!r} is not 'any' or a housing agency id"
                    problems.append((f"{base}.when.landlord", msg))
            if rule.lead == LANDLORD_PLACEHOLDER:
                if when.landlord is None:
                    problems.append((f"{base}.lead", f"{LANDLORD_PLACEHOLDER} needs when.landlord"))
            else:
                self.need_agency(f"{base}.lead", rule.lead)
            for j, agency_id in enumerate(rule.copy_to):
                if agency_id != LANDLORD_PLACEHOLDER or when.landlord is None:
                    self.need_agency(f"{base}.copy[{j}]", agency_id)
            if rule.reason:
                try:
                    rule.reason.format(**{k: "x" for k in REASON_FIELDS})
                except (KeyError, IndexError, ValueError) as exc:
                    problems.append(
                        (
                            f"{base}.reason",
                            f"bad placeholder {exc}; use {{type}}, {{lead}}, {{landlord}} or {{ward}}",
                        )
                    )

    def self_help(self) -> None:
        """Self-help advice: real type codes, and a default."""
        p, problems = self.p, self.problems
        for key in p.self_help:
            if key != "default":
                self.need_code(f"self_help.{key}", key)
        if "default" not in p.self_help:
            problems.append(("self_help.default", "Field required"))


def _check(p: Partnership) -> list[tuple[str, str]]:
    """Problems the schema alone cannot see: references between parts of the file."""
    checker = _Checker(p)
    for step in (checker.roles, checker.agencies, checker.places, checker.routing, checker.self_help):
        step()
    return checker.problems
