"""Routing: from a report's facts and the partnership to a lead agency, agencies copied in, and reasons.

``route`` is a pure function and never raises: every report goes somewhere ("no wrong door"). The order:

1. The first routing rule in the partnership file whose conditions all hold gives the lead and copies.
   A rule with ``requires_place: true`` sends a report that could not be placed in the partnership's area
   (a ward, or at least a town or village of it) to triage.
2. Otherwise the first agency (in file order) whose ``handles`` lists the type leads.
3. Otherwise the partnership's triage queue leads.

Then these safeguards apply whatever the file says:

- Domestic abuse: the police lead, the domestic abuse service is copied (when it is an agency), and no
  mediation agency is involved, as lead or copy.
- Hate: the police lead or are copied; mediation is not offered.
- High risk: the Partnership Hub is copied; the target is the high-risk target (1 working day by default).

Tenure: a resident who names a configured housing provider as their landlord is treated as its social
tenant even if they did not say so (``tenure`` missing or ``unknown``); free-text tenure words such as
"council" or "housing association" count as ``social_rent``.
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.core.asb_types import ASB_TYPES, asb_label
from casework.partnership import LANDLORD_PLACEHOLDER, RISK_LEVELS, Agency, Partnership, Rule

SOCIAL_TENURE_WORDS = {
    "social_rent",
    "social",
    "social_housing",
    "social_tenant",
    "council",
    "council_tenant",
    "council_house",
    "housing_association",
    "housing_association_tenant",
    "rsl",
    "registered_provider",
}
PRIVATE_TENURE_WORDS = {"private_rent", "private", "private_tenant", "private_landlord", "renting_privately"}
OWNER_WORDS = {"owner", "owner_occupier", "own", "homeowner", "owned"}


@dataclass(frozen=True)
class ReportFacts:
    """What routing needs to know about a report."""

    asb_type: str
    ward: str | None = None
    tenure: str | None = None  # owner | private_rent | social_rent | unknown (free text tolerated)
    landlord: str | None = None  # an agency id or the resident's words ("Bromford")
    hate: bool = False
    domestic_abuse: bool = False
    risk_level: str = "standard"
    ongoing: bool | None = None
    in_area: bool = False  # placed in the partnership's area (a town or village) even without a ward


@dataclass(frozen=True)
class RoutingDecision:
    """Who leads, who is copied in, why, and the response target in working days."""

    lead: str
    copied: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    target_working_days: int = 5
    rule: str | None = None  # name of the partnership rule that matched, if any

    @property
    def agencies(self) -> tuple[str, ...]:
        """Lead first, then the copied agencies."""
        return (self.lead, *self.copied)


def normalise_tenure(tenure: object) -> str | None:
    """One of owner / private_rent / social_rent / unknown from loosely worded tenure, or None."""
    if not isinstance(tenure, str) or not tenure.strip():
        return None
    word = tenure.strip().lower().replace("-", "_").replace(" ", "_")
    if word in SOCIAL_TENURE_WORDS:
        return "social_rent"
    if word in PRIVATE_TENURE_WORDS:
        return "private_rent"
    if word in OWNER_WORDS:
        return "owner"
    return "unknown"


def _landlord_id(facts: ReportFacts, p: Partnership) -> str | None:
    landlord = facts.landlord
    if not isinstance(landlord, str) or not landlord.strip():
        return None
    if landlord in p.agencies and p.agencies[landlord].kind == "housing":
        return landlord
    return p.landlord_agency(landlord)


def _matches(
    rule: Rule, facts: ReportFacts, ward: str | None, tenure: str | None, landlord: str | None, risk: str
) -> bool:
    when = rule.when
    if when.asb_type is not None and facts.asb_type not in when.asb_type:
        return False
    if when.tenure is not None and tenure not in when.tenure:
        return False
    if when.landlord == "any" and landlord is None:
        return False
    if when.landlord not in (None, "any") and landlord != when.landlord:
        return False
    if when.hate is not None and bool(facts.hate) != when.hate:
        return False
    if when.domestic_abuse is not None and bool(facts.domestic_abuse) != when.domestic_abuse:
        return False
    if when.risk_level is not None and risk not in when.risk_level:
        return False
    if when.ongoing is not None and facts.ongoing is not when.ongoing:
        return False
    if when.ward is not None:
        wards = {w.lower() for w in when.ward}
        if ward is None or ward.lower() not in wards:
            return False
    return True


class _Builder:
    """Accumulates a decision while keeping the lead out of the copies and the copies unique."""

    def __init__(self, p: Partnership, lead: str) -> None:
        self.p = p
        self.lead = lead
        self.copied: list[str] = []
        self.reasons: list[str] = []

    def name(self, agency_id: str) -> str:
        agency: Agency | None = self.p.agencies.get(agency_id)
        return agency.name if agency else agency_id

    def copy(self, agency_id: str | None) -> bool:
        if not agency_id or agency_id not in self.p.agencies or agency_id == self.lead:
            return False
        if agency_id in self.copied:
            return False
        self.copied.append(agency_id)
        return True

    def set_lead(self, agency_id: str, *, keep_old: bool = True) -> None:
        if agency_id == self.lead:
            return
        old = self.lead
        self.lead = agency_id
        if agency_id in self.copied:
            self.copied.remove(agency_id)
        if keep_old:
            self.copy(old)

    def drop(self, agency_ids: set[str]) -> list[str]:
        dropped = [a for a in self.copied if a in agency_ids]
        self.copied = [a for a in self.copied if a not in agency_ids]
        return dropped


def _mediators(p: Partnership) -> set[str]:
    ids = {a.id for a in p.agencies.values() if a.kind == "mediation"}
    if p.mediation_agency:
        ids.add(p.mediation_agency)
    return ids


def _format_reason(template: str, **values: str) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


@dataclass(frozen=True)
class _Known:
    """A report's facts as routing reads them: the type checked, the ward canonical, tenure normalised."""

    asb_type: str
    recognised: bool
    type_label: str
    ward: str | None
    risk: str
    landlord: str | None
    tenure: str | None


def _known(facts: ReportFacts, p: Partnership) -> _Known:
    asb_type = facts.asb_type if isinstance(facts.asb_type, str) else ""
    recognised = asb_type in ASB_TYPES
    landlord = _landlord_id(facts, p)
    tenure = normalise_tenure(facts.tenure)
    if landlord and tenure in (None, "unknown"):
        tenure = "social_rent"
    return _Known(
        asb_type=asb_type,
        recognised=recognised,
        type_label=asb_label(asb_type).lower() if recognised else "an unrecognised type of problem",
        ward=p.canonical_ward(facts.ward) if isinstance(facts.ward, str) else None,
        risk=facts.risk_level if facts.risk_level in RISK_LEVELS else "standard",
        landlord=landlord,
        tenure=tenure,
    )


def route(facts: ReportFacts, partnership: Partnership) -> RoutingDecision:
    """Decide the lead agency, agencies copied in, reasons and response target; pure and never raises."""
    p = partnership
    known = _known(facts, p)
    b = _Builder(p, p.triage_agency)
    applied = _choose_lead(b, facts, known)
    _domestic_abuse_safeguard(b, facts)
    _hate_safeguard(b, facts)
    if known.risk == "high" and b.copy(p.hub_agency):
        b.reasons.append(f"high risk → {b.name(p.hub_agency)} copied in")
    target = p.response_targets_working_days.for_level(known.risk)
    b.reasons.append(f"{known.risk} risk → respond within {target} working day{'s' if target != 1 else ''}")
    return RoutingDecision(
        lead=b.lead,
        copied=tuple(b.copied),
        reasons=tuple(b.reasons),
        target_working_days=target,
        rule=applied,
    )


def _choose_lead(b: _Builder, facts: ReportFacts, known: _Known) -> str | None:
    """Set the lead (and copies) from the first matching rule, else the agency handling the type, else
    triage; the name of the rule applied, if any."""
    p = b.p
    triage = f"{b.name(p.triage_agency)}: triage queue"
    if not known.recognised:
        b.reasons.append(f"{known.asb_type or 'no type given'} is not a type we recognise → {triage}")
        return None
    matched = next(
        (r for r in p.routing if _matches(r, facts, known.ward, known.tenure, known.landlord, known.risk)),
        None,
    )
    if matched is not None:
        if matched.requires_place and known.ward is None and not facts.in_area:
            b.reasons.append(
                f"{known.type_label}: we could not place the location in the partnership's area → {triage}"
            )
            return None
        return _apply_rule(b, matched, known)
    handler = next(
        (a for a in p.agencies.values() if known.asb_type in a.handles and a.kind not in ("hub", "triage")),
        None,
    )
    if handler is not None:
        b.lead = handler.id
        b.reasons.append(f"{known.type_label} → {handler.name}: handles this type")
    else:
        b.reasons.append(f"{known.type_label}: no rule matched → {triage}")
    return None


def _apply_rule(b: _Builder, rule: Rule, known: _Known) -> str | None:
    """Lead and copies from a matched rule, with its reason; its name, or None when its lead is unknown."""
    p, landlord = b.p, known.landlord
    lead = landlord if rule.lead == LANDLORD_PLACEHOLDER else rule.lead
    if not lead or lead not in p.agencies:
        return None
    b.lead = lead
    for agency_id in rule.copy_to:
        b.copy(landlord if agency_id == LANDLORD_PLACEHOLDER else agency_id)
    values = {
        "type": known.type_label,
        "lead": b.name(lead),
        "landlord": p.agencies[landlord].display_name if landlord else "their landlord",
        "ward": known.ward or "an unknown ward",
    }
    template = rule.reason or "{type} → {lead}"
    b.reasons.append(f"{_format_reason(template, **values)}: {rule.name} rule")
    return rule.name


def _police(p: Partnership) -> str | None:
    return p.police_agency if p.police_agency in p.agencies else None


def _domestic_abuse_safeguard(b: _Builder, facts: ReportFacts) -> None:
    """Domestic abuse: the police lead, the domestic abuse service is copied or signposted, no mediation."""
    p, police = b.p, _police(b.p)
    if not facts.domestic_abuse or not police:
        return
    mediators = _mediators(p)
    if b.lead != police:
        b.set_lead(police, keep_old=b.lead not in mediators and b.lead != p.triage_agency)
        b.reasons.append(f"domestic abuse → {b.name(police)} lead")
    if p.domestic_abuse_service in p.agencies:
        if b.copy(p.domestic_abuse_service):
            b.reasons.append(f"domestic abuse → {b.name(p.domestic_abuse_service)} copied in")
    elif (service := p.support(p.domestic_abuse_service)) is not None:
        b.reasons.append(f"domestic abuse → signpost {service.name}")
    if b.drop(mediators):
        b.reasons.append("domestic abuse: mediation is never offered")


def _hate_safeguard(b: _Builder, facts: ReportFacts) -> None:
    """Hate: the police lead (instead of mediation) or are copied in; mediation is not offered."""
    police = _police(b.p)
    if not facts.hate or not police:
        return
    mediators = _mediators(b.p)
    if b.lead in mediators:
        b.set_lead(police, keep_old=False)
        b.reasons.append(f"hate incident → {b.name(police)} lead")
    elif b.copy(police):
        b.reasons.append(f"hate incident → {b.name(police)} always involved")
    if b.drop(mediators):
        b.reasons.append("hate incident: mediation is not offered")
