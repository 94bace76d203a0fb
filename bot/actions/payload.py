"""Build the body of POST /api/v1/intake from the report form's slots (no Rasa imports)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .asb_types import ASB_TYPES

UNKNOWN = "unknown"
NEED_CODES = ("mental_health", "drugs_alcohol", "feeling_unsafe", "disability")


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _text(value: Any, limit: int) -> str:
    """The resident's words, trimmed to what the intake API accepts."""
    return str(value or "").strip()[:limit]


def _choice_or_none(value: Any, allowed: Iterable[str]) -> str | None:
    return value if value in allowed else None


def default_role(asb_type: str) -> str:
    """Whose problem it is when the report did not need to ask: a neighbour's noise or nuisance is the
    reporter's own; litter, graffiti or a street problem is seen by a passer-by."""
    return "victim" if asb_type in ("noise", "neighbour_nuisance", "intimidation_harassment") else "witness"


def build_intake_payload(
    *, slots: Mapping[str, Any], conversation_id: str, channel: str, submission_id: str
) -> dict[str, Any]:
    """Return the intake request body for the report held in `slots`."""
    asb_type = slots.get("asb_type")
    if asb_type not in ASB_TYPES:
        asb_type = "other"
    anonymous = slots.get("contact_anonymous") is True
    text_safe = None if anonymous else _bool_or_none(slots.get("text_safe"))
    if channel == "web" and not anonymous and slots.get("said_not_safe") is True:
        text_safe = False  # said earlier in this chat: the safest answer the resident gave wins
    wants_updates = (not anonymous) and text_safe is not False and slots.get("contact_updates") is True
    domestic_abuse = slots.get("domestic_abuse") is True
    tenure = _choice_or_none(slots.get("tenure"), ("owner", "private_rent", "social_rent", UNKNOWN))
    prejudice = _bool_or_none(slots.get("risk_prejudice"))
    hate = slots.get("hate") is True or prejudice is True
    needs = [n for n in NEED_CODES if n in set(slots.get("needs") or [])]
    return {
        "conversation_id": conversation_id,
        "submission_id": submission_id,
        "channel": channel if channel in ("sms", "web") else "web",
        "asb_type": asb_type,
        "description": _text(slots.get("description"), 5000) or "(not given)",
        "location": _text(slots.get("location"), 500),
        "postcode": _text(slots.get("postcode"), 10) or None,
        "occurred": _text(slots.get("occurred"), 300),
        "ongoing": _bool_or_none(slots.get("ongoing")),
        "reporter_role": _choice_or_none(slots.get("reporter_role"), ("victim", "witness", "on_behalf"))
        or default_role(asb_type),
        "tenure": tenure,
        "landlord": (_text(slots.get("landlord"), 80) or None) if tenure == "social_rent" else None,
        "hate": hate,
        "hate_motivation": (_text(slots.get("hate_motivation"), 40) or None) if hate else None,
        "domestic_abuse": domestic_abuse,
        "risk": {
            "targeted": _bool_or_none(slots.get("risk_targeted")),
            "often": _choice_or_none(slots.get("risk_often"), ("first", "few", "many")),
            "reported_before": _bool_or_none(slots.get("risk_reported_before")),
            "prejudice": prejudice,
            "impact": _choice_or_none(slots.get("risk_impact"), ("none", "some", "severe")),
            "vulnerable": _bool_or_none(slots.get("risk_vulnerable")),
        },
        "contact": {"wants_updates": wants_updates, "anonymous": anonymous, "text_safe": text_safe},
        "needs": needs,
    }
