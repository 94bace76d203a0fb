"""Fill the report's slots from the resident's story: what it already says is not asked again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .asb_types import nsir_class
from .prefill import facts_from_story, place_candidates
from .webhook_client import WebhookUnavailable, get_client


def is_placed(place: Mapping[str, Any]) -> bool:
    """A place the partnership can act on: a ward, or at least a town or area of the partnership."""
    return bool(place.get("resolved") or place.get("in_area"))


async def place_from_story(text: str, entities: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The location slots for the first phrase of the story that places it, or {} (then the form asks)."""
    try:
        client = get_client()
        for candidate in place_candidates(text, entities):
            place = await client.resolve_place(candidate)
            if is_placed(place):
                return {
                    "location": candidate,
                    "postcode": place.get("postcode"),
                    "ward": place.get("ward"),
                    "location_attempts": 0,
                    "location_draft": None,
                }
    except WebhookUnavailable:
        return {}
    return {}


async def slots_from_story(
    text: str, slots: Mapping[str, Any], entities: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Slots the story answers that are still empty: when, how often, whose problem, where."""
    found = facts_from_story(text, nsir_class(slots.get("asb_type")))
    if not slots.get("location"):
        found.update(await place_from_story(text, entities))
    return {name: value for name, value in found.items() if slots.get(name) in (None, "")}
