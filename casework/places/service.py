"""The official data as the rest of the product uses it: cached per database, reloaded after an import.

``resolve_place`` and ``place_point`` are rule functions (they take a session and never commit). With no
official data imported they fall back to the partnership file's gazetteer, exactly as before.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.core.models import AuditEvent
from casework.core.place_models import PlaceImport
from casework.partnership import Partnership, PlaceMatch
from casework.places.index import OfficialPlaces, build_official_places
from casework.places.resolve import Resolver

# The actor of imports made by the demo seeding: their data is the approximate fixture extracts.
DEMO_PLACES_ACTOR = "system:seed_demo"
_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[tuple[int | None, int], Resolver | None]] = {}


def forget_official_places() -> None:
    """Drop every cached index (the next look-up reads the tables again)."""
    with _lock:
        _cache.clear()


def _resolver(session: Session, p: Partnership) -> Resolver | None:
    """The cached resolver for this database and partnership; rebuilt when an import has run since."""
    bind = session.get_bind()
    key = (str(bind.engine.url), p.id)
    version = session.execute(select(func.max(PlaceImport.id), func.count(PlaceImport.id))).one()
    stamp = (version[0], int(version[1]))
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    places = build_official_places(session, p)
    resolver = Resolver(places) if places is not None else None
    with _lock:
        _cache[key] = (stamp, resolver)
    return resolver


def approximate_place_data(session: Session) -> bool:
    """True while the ward boundaries loaded last are the demo's approximate fixture extracts."""
    latest = session.scalars(
        select(AuditEvent.actor)
        .where(AuditEvent.action == "places.import.wards")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    return latest == DEMO_PLACES_ACTOR


def official_places(session: Session, p: Partnership) -> OfficialPlaces | None:
    """The imported data of this partnership, or None when nothing is imported."""
    resolver = _resolver(session, p)
    return resolver.places if resolver else None


def resolve_place(session: Session, p: Partnership, text: str | None) -> PlaceMatch:
    """Place a resident's description in a ward, saying how and how sure; the gazetteer when no data."""
    if not text or not isinstance(text, str):
        return PlaceMatch()
    resolver = _resolver(session, p)
    if resolver is None:
        return p.resolve_place(text)
    return resolver.resolve(text)


def place_point(session: Session, p: Partnership, lat: float, lon: float) -> PlaceMatch:
    """The ward a WGS84 point is in, by polygon (no text matching); unresolved outside the area."""
    places = official_places(session, p)
    if places is None:
        return PlaceMatch(latitude=lat, longitude=lon)
    ward = places.ward_at(lat, lon)
    if ward is None:
        return PlaceMatch(latitude=lat, longitude=lon, method="polygon", confidence=0.95)
    street = places.nearest_street(lat, lon, within_m=200)
    w = p.ward(ward)
    return PlaceMatch(
        resolved=True,
        ward=ward,
        place_key=street.key if street else None,
        town=(street.town if street else None) or (w.town if w else None),
        precision="street" if street else "ward",
        method="polygon",
        confidence=0.95,
        latitude=lat,
        longitude=lon,
    )


@dataclass(frozen=True)
class NearStreet:
    """The named street nearest a point, with its town and ward (for "Is it near Curborough Road?")."""

    street: str
    town: str | None
    ward: str | None


def nearest_street(session: Session, p: Partnership, lat: float, lon: float) -> NearStreet | None:
    """The nearest named street of the area within 400 m of the point, or None."""
    places = official_places(session, p)
    if places is None or places.ward_at(lat, lon) is None:
        return None
    street = places.nearest_street(lat, lon)
    return NearStreet(street.name, street.town, street.ward) if street else None


def place_report(
    session: Session, p: Partnership, text: str | None, coordinates: tuple[float, float] | None
) -> PlaceMatch:
    """A new report's place: by polygon when it has coordinates (keeping the street the text names in that
    ward, for linking and repeats), else from the text. Coordinates outside the area are not placed
    inside, whatever the text says: "Church Street" with a point in Tamworth is Tamworth's."""
    by_text = resolve_place(session, p, text)
    if coordinates is None:
        return by_text
    by_point = place_point(session, p, *coordinates)
    if by_point.method != "polygon":
        return by_text  # no official data loaded: no boundaries to place the point by
    if not by_point.resolved:
        return by_point
    if by_text.resolved and by_text.ward == by_point.ward and by_text.place_key:
        return replace(
            by_point, place_key=by_text.place_key, precision=by_text.precision, postcode=by_text.postcode
        )
    return by_point


class AreaPlacer:
    """The official data detached from any session, for long-running imports (text and points)."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver

    def text(self, text: str) -> PlaceMatch:
        """As ``resolve_place``."""
        return self._resolver.resolve(text)

    def ward_at(self, lat: float, lon: float) -> str | None:
        """The area's ward containing the point, by polygon; None outside the area."""
        return self._resolver.places.ward_at(lat, lon)

    def row_ward(self, lat: str | None, lon: str | None) -> tuple[bool, str | None]:
        """(True, ward or None) when an imported row's coordinates can be read: placed by polygon, with no
        text matching; (False, None) when it has none, so its text is used."""
        try:
            la, lo = float(lat or ""), float(lon or "")
        except ValueError:
            return False, None
        return True, self.ward_at(la, lo)


def area_placer(session: Session, p: Partnership) -> AreaPlacer | None:
    """A placer over the imported data, or None when nothing is imported."""
    resolver = _resolver(session, p)
    return AreaPlacer(resolver) if resolver else None
