"""Decide the asb_type from the intent classifier's ranking, or say we are unsure (no Rasa imports)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .asb_types import type_from_intent

CONFIDENT = 0.6  # top report type at least this sure ...
MARGIN = 0.25  # ... and this far ahead of the next type, or we confirm with buttons
CANDIDATE_FLOOR = 0.05
MAX_CANDIDATES = 3


def decide_type(ranking: Iterable[Mapping[str, Any]]) -> tuple[str | None, list[str]]:
    """Return (asb_type, []) when confident, else (None, up to three candidate types)."""
    scored = []
    for entry in ranking:
        code = type_from_intent(entry.get("name"))
        if code is not None:
            scored.append((float(entry.get("confidence") or 0.0), code))
    scored.sort(reverse=True)
    if not scored:
        return None, []
    top_conf, top_code = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if top_conf >= CONFIDENT and top_conf - runner_up >= MARGIN:
        return top_code, []
    candidates = [code for conf, code in scored if conf >= CANDIDATE_FLOOR][:MAX_CANDIDATES]
    return None, candidates or [top_code]


def decide_type_beside(ranking: Iterable[Mapping[str, Any]], beside: str) -> tuple[str | None, list[str]]:
    """decide_type on the other readings, scaled back up, when one reading (report_hate, danger_now) is not
    a type of its own: a strong hate reading ("racist words sprayed on our garage") leaves the type it is
    about (graffiti) small in absolute terms but clearly ahead of the rest."""
    others = [r for r in ranking if r.get("name") != beside]
    total = sum(float(r.get("confidence") or 0.0) for r in others) or 1.0
    return decide_type(
        {"name": r.get("name"), "confidence": float(r.get("confidence") or 0.0) / total} for r in others
    )


def is_descriptive(text: str) -> bool:
    """Whether a first message describes the problem (kept verbatim as the description)."""
    return not text.startswith("/") and len(text.split()) >= 4
