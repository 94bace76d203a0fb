"""Staff correct where a report is: its place (re-resolved with the official data) and its ward.

An action like the others on the report page: it needs ``report.act`` and a report the officer may see
(an agency officer only its own), is recorded on the timeline and in the audit trail with the old and new
place, and is marked as placed by staff (confidence 1). Routing is not changed: reassign if needed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from casework.places import official_places, resolve_place
from casework.staff.access import Actor
from casework.staff.triage_steps import ActionResult, TriageError, _clean, _load, _record

if TYPE_CHECKING:
    from casework.partnership import Partnership

PRECISE = ("postcode", "street", "landmark")


def ward_choices(session: Session, p: Partnership) -> list[str]:
    """Every ward a report can be placed in: the partnership's and the imported boundaries'."""
    places = official_places(session, p)
    names = {w.name for w in p.wards} | (set(places.ward_names.values()) if places else set())
    return sorted(names)


def correct_place(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership,
    place: str = "",
    ward: str = "",
    reason: str = "",
    **_: Any,
) -> ActionResult:
    """Set the report's place and/or ward; the ward given wins over the one the place resolves to."""
    report = _load(session, actor, reference)
    place_text = _clean(place, "place", required=False)[:300]
    reason = _clean(reason, "reason", required=True)
    choices = ward_choices(session, partnership)
    chosen = next((w for w in choices if w.lower() == ward.strip().lower()), None) if ward.strip() else None
    if ward.strip() and chosen is None:
        raise TriageError(f"ward: {ward.strip()!r} is not a ward of the partnership")
    match = resolve_place(session, partnership, place_text) if place_text else None
    if match is not None and chosen is None and match.ward is None:
        raise TriageError(f"place: {place_text!r} could not be placed in a ward; choose the ward as well")
    if match is None and chosen is None:
        raise TriageError("place: give a place, a ward, or both")
    before = {"location": report.location_text, "ward": report.ward, "place_key": report.place_key}
    if match is not None:
        report.location_text = place_text
        report.place_key = match.place_key if match.precision in PRECISE else None
        report.postcode = match.postcode or report.postcode
        report.latitude, report.longitude = match.latitude, match.longitude
    report.ward = chosen or (match.ward if match else report.ward)
    report.place_method, report.place_confidence = "staff", 1.0
    after = {"location": report.location_text, "ward": report.ward, "place_key": report.place_key}
    _record(
        session,
        report,
        actor,
        now,
        kind="place_corrected",
        body=reason,
        data={"from": before, "to": after, "reason": reason},
    )
    return ActionResult(
        report.reference, f"Place corrected: {report.ward}. Reassign if another agency should lead."
    )
