"""The asb_type codes (docs/domain.md) and how the assistant names them to residents."""

LABELS: dict[str, str] = {
    "noise": "Noise",
    "neighbour_nuisance": "Problem neighbours",
    "rowdy_behaviour": "Rowdy or nuisance behaviour",
    "intimidation_harassment": "Threats or harassment",
    "vehicle_nuisance": "Nuisance vehicles or bikes",
    "abandoned_vehicle": "Abandoned vehicle",
    "street_drinking": "Street drinking",
    "drug_activity": "Drugs",
    "begging": "Begging",
    "criminal_damage": "Damage or vandalism",
    "graffiti": "Graffiti",
    "litter_flytipping": "Litter or fly-tipping",
    "animal_problems": "Dogs or animals",
    "fireworks": "Fireworks",
    "deliberate_fire": "Deliberate fires",
    "prostitution": "Prostitution or kerb crawling",
    "trespass": "Trespass",
    "hoax_calls": "Hoax calls",
    "other": "Something else",
}

ASB_TYPES: tuple[str, ...] = tuple(LABELS)

# The usual NSIR class of each type (as casework/core/asb_types.py): personal (aimed at a person or
# household), nuisance (the community at large) or environmental (places and public spaces).
PERSONAL_TYPES = frozenset({"intimidation_harassment"})
ENVIRONMENTAL_TYPES = frozenset(
    {
        "abandoned_vehicle",
        "criminal_damage",
        "graffiti",
        "litter_flytipping",
        "animal_problems",
        "deliberate_fire",
    }
)


def nsir_class(asb_type: str | None) -> str:
    """personal, nuisance or environmental: the usual class of a type (unknown types are nuisance)."""
    if asb_type in PERSONAL_TYPES:
        return "personal"
    if asb_type in ENVIRONMENTAL_TYPES:
        return "environmental"
    return "nuisance"


# Types where tenure changes who leads (a social tenant's landlord), so we ask about it.
TENURE_TYPES = frozenset({"noise", "neighbour_nuisance"})

# Shown when we have no idea yet which type it is.
COMMON_CHOICES: tuple[str, ...] = (
    "noise",
    "neighbour_nuisance",
    "rowdy_behaviour",
    "drug_activity",
    "vehicle_nuisance",
    "litter_flytipping",
    "other",
)

INTENT_PREFIX = "report_"
# Report intents that are not an asb_type of their own.
SPECIAL_REPORT_INTENTS = frozenset({"report_asb", "report_domestic_abuse", "report_hate"})


def type_from_intent(intent_name: str | None) -> str | None:
    """Return the asb_type code an intent names (report_noise -> noise), or None."""
    if not intent_name or not intent_name.startswith(INTENT_PREFIX):
        return None
    if intent_name in SPECIAL_REPORT_INTENTS:
        return None
    code = intent_name[len(INTENT_PREFIX) :]
    return code if code in LABELS else None


def type_from_text(text: str) -> str | None:
    """Match a typed choice ("noise", "Graffiti", "something else") to a code."""
    cleaned = text.strip().lower().replace("-", " ").replace("_", " ")
    for code, label in LABELS.items():
        if cleaned in (code.replace("_", " "), label.lower()):
            return code
    if cleaned in ("other", "something else", "none of these", "else"):
        return "other"
    return None
