"""Where else a resident can get help: support services and mediation, chosen by the partnership's rules."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from casework.intake.contract import (
    MEDIATION_TYPES,
    RiskIntake,
)

if TYPE_CHECKING:
    from casework.partnership import Partnership


_NEED_WHY = {
    "mental_health": "You mentioned it is affecting your mental health.",
    "drugs_alcohol": "Help with drugs or alcohol, for you or someone you care about.",
    "feeling_unsafe": "You said you feel unsafe; you can pass on information anonymously.",
    "disability": "Support for you as a disabled person affected by this.",
}


def signposts_for(
    *,
    asb_type: str,
    needs: list[str],
    hate: bool,
    domestic_abuse: bool,
    risk_level: str,
    partnership: Partnership,
) -> list[dict[str, str | None]]:
    """Support services for this report: from the needs the reporter named, its type and its risk."""
    wanted: list[tuple[str, str]] = []
    if domestic_abuse:
        wanted.append(("domestic_abuse", "Free, confidential help with domestic abuse, 24 hours a day."))
    if hate:
        wanted.append(("victim_support", "Support for anyone targeted because of who they are."))
    for need in needs:
        if need == "disability" and partnership.support("disability") is None:
            wanted.append(("victim_support", _NEED_WHY["disability"]))
        else:
            wanted.append((need, _NEED_WHY[need]))
    if asb_type == "drug_activity":
        wanted.append(("drugs_alcohol", "Help with drugs or alcohol, for anyone affected."))
    if risk_level == "high":
        wanted.append(
            ("victim_support", "Free support for anyone affected by crime or anti-social behaviour.")
        )
    out: list[dict[str, str | None]] = []
    seen: set[str] = set()
    for key, why in wanted:
        service = partnership.support(key)
        if service is None or key in seen:
            continue
        seen.add(key)
        out.append({"name": service.name, "phone": service.phone, "web": service.web, "why": why})
    return out


def mediation_offer(
    *,
    asb_type: str,
    hate: bool,
    domestic_abuse: bool,
    risk: RiskIntake,
    risk_level: str,
    partnership: Partnership,
) -> dict[str, str | None] | None:
    """Mediation for neighbour disputes; never for domestic abuse, hate, violence or intimidation."""
    if asb_type not in MEDIATION_TYPES or hate or domestic_abuse or risk.prejudice or risk_level == "high":
        return None
    service = partnership.support("mediation")
    if service is None:
        return None
    return {"name": service.name, "phone": service.phone, "web": service.web}


# Self-help that asks the resident to keep a diary or a record (noise, neighbours, harassment...).
_KEEPS_DIARY = re.compile(r"\b(diary|keep a record)\b", re.IGNORECASE)
DIARY_TIPS = {
    "sms": "If it happens again, text AGAIN and what happened to this number (for example: AGAIN loud "
    "music 2am). We will add it to your report.",
    "web": "If it happens again, come back to this chat and type AGAIN and what happened (for example: "
    "AGAIN loud music 2am). We will add it to your report.",
}


def prompts_diary(partnership: Partnership, asb_type: str) -> bool:
    """True when the partnership's self-help for this type says to keep a diary or a record."""
    return bool(_KEEPS_DIARY.search(partnership.self_help_for(asb_type)))


def diary_tip(partnership: Partnership, asb_type: str, channel: str) -> str | None:
    """How to add to the report by text, where the self-help says to keep a diary; else None."""
    if channel not in DIARY_TIPS or not prompts_diary(partnership, asb_type):
        return None
    return DIARY_TIPS[channel]
