"""The 19 ASB type codes (the product's public vocabulary), with plain-English labels and NSIR classes.

The codes are a public contract (API, Open311 ``service_code``, exports): see ``docs/domain.md``.
NSIR (National Standard for Incident Recording) puts every incident in one of three classes:
``personal`` (aimed at a person or household), ``nuisance`` (the community at large) and
``environmental`` (places and public spaces). Each type has a usual class; any individual report becomes
``personal`` when it was aimed at the reporter or their household (see :func:`nsir_class`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

NsirClass = Literal["personal", "nuisance", "environmental"]
NSIR_CLASSES: Final[tuple[str, ...]] = ("personal", "nuisance", "environmental")


@dataclass(frozen=True)
class AsbType:
    """One ASB type: its code, a label for residents, its usual NSIR class and what it covers."""

    code: str
    label: str
    nsir_class: NsirClass
    description: str


def _types(*rows: tuple[str, str, NsirClass, str]) -> dict[str, AsbType]:
    return {code: AsbType(code, label, cls, description) for code, label, cls, description in rows}


ASB_TYPES: Final[dict[str, AsbType]] = _types(
    (
        "noise",
        "Noise",
        "nuisance",
        "Loud music, parties, shouting, barking dogs or alarms, from homes or businesses.",
    ),
    (
        "neighbour_nuisance",
        "Nuisance neighbours",
        "nuisance",
        "Problems with neighbours: rubbish, parking rows, boundary and lifestyle disputes.",
    ),
    (
        "rowdy_behaviour",
        "Rowdy or drunken behaviour",
        "nuisance",
        "Rowdy, drunken or inconsiderate behaviour in public, or groups causing a nuisance.",
    ),
    (
        "intimidation_harassment",
        "Intimidation or harassment",
        "personal",
        "Threats, abuse, targeted harassment or intimidation.",
    ),
    (
        "vehicle_nuisance",
        "Nuisance vehicles",
        "nuisance",
        "Off-road bikes, racing, revving, car meets, dangerous or nuisance driving.",
    ),
    (
        "abandoned_vehicle",
        "Abandoned vehicle",
        "environmental",
        "Vehicles left, burnt out, or untaxed and dumped.",
    ),
    ("street_drinking", "Street drinking", "nuisance", "Drinking in public that causes a nuisance."),
    (
        "drug_activity",
        "Drug dealing or drug use",
        "nuisance",
        "Drug dealing, drug use in public, cuckooing, or needles and drug litter left about.",
    ),
    ("begging", "Begging", "nuisance", "Begging, including aggressive begging."),
    (
        "criminal_damage",
        "Vandalism or damage",
        "environmental",
        "Vandalism, damage to property, smashed windows.",
    ),
    (
        "graffiti",
        "Graffiti or fly-posting",
        "environmental",
        "Graffiti or fly-posting (report hate graffiti as a hate incident).",
    ),
    ("litter_flytipping", "Litter or fly-tipping", "environmental", "Litter, fly-tipping, rubbish dumped."),
    (
        "animal_problems",
        "Problems with animals",
        "environmental",
        "Stray dogs, dog fouling or nuisance animals (dangerous dogs are for the police).",
    ),
    ("fireworks", "Fireworks", "nuisance", "Fireworks being misused."),
    (
        "deliberate_fire",
        "Deliberate fire",
        "environmental",
        "Bin fires, grass fires or arson. If something is burning now, call 999.",
    ),
    (
        "prostitution",
        "Prostitution or kerb crawling",
        "nuisance",
        "Prostitution, kerb crawling or sexual acts in public.",
    ),
    ("trespass", "Trespass", "nuisance", "Trespass on land or buildings, or empty buildings being used."),
    ("hoax_calls", "Hoax calls", "nuisance", "Hoax or nuisance calls to the emergency services."),
    ("other", "Something else", "nuisance", "Anything else that causes alarm, harassment or distress."),
)

ASB_TYPE_CODES: Final[frozenset[str]] = frozenset(ASB_TYPES)


def is_asb_type(code: object) -> bool:
    """True when ``code`` is one of the 19 ASB type codes."""
    return isinstance(code, str) and code in ASB_TYPES


def asb_label(code: str) -> str:
    """The plain-English label of a code, or the code itself when it is not a known type."""
    found = ASB_TYPES.get(code)
    return found.label if found else str(code)


def nsir_class(asb_type: str, targeted: bool | None = None) -> str:
    """The NSIR class of one report: ``personal`` when targeted, otherwise the type's usual class.

    An unknown code is treated as ``other`` (``nuisance``) rather than raising, because a report must
    always be recordable; validate codes at the edge.
    """
    if targeted:
        return "personal"
    found = ASB_TYPES.get(asb_type) or ASB_TYPES["other"]
    return found.nsir_class
