"""Full and partial postcodes against the imported ONSPD: a unit, a sector ("WS13 6") or a district ("WS7").

A sector or district is placed only when every live postcode in it that we hold is the area's. One that
straddles the boundary (the ONSPD import keeps live postcodes just outside the area for this) is not
placed: "B78 3" may be Fazeley or Tamworth, so the resident is asked for the street.
"""

from __future__ import annotations

import re
from collections import Counter

from casework.partnership import PlaceMatch
from casework.places.index import OfficialPlaces

SECTOR = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s+([0-9])\b")
DISTRICT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\b")


def placed(
    places: OfficialPlaces,
    ward: str | None,
    key: str | None,
    method: str,
    confidence: float,
    *,
    town: str | None,
    point: tuple[float, float] | None = None,
) -> PlaceMatch:
    """A match placed in a ward (unresolved when the ward is None), with the ward's town by default."""
    w = places.partnership.ward(ward)
    precision = {"street+town": "street", "fuzzy": "street"}.get(method, method)
    return PlaceMatch(
        resolved=ward is not None,
        ward=ward,
        place_key=key,
        town=town or (w.town if w else None),
        precision=precision,
        method=method,
        confidence=confidence if ward else 0.0,
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
    )


def partial_postcode(places: OfficialPlaces, upper: str) -> PlaceMatch:
    """A sector or district named in the (upper-case) text; unplaced when none, or when it straddles."""
    for m in SECTOR.finditer(upper):
        sector = f"{m.group(1)} {m.group(2)}"
        counts, outside = places.sectors.get(sector), places.outside_sectors.get(sector, 0)
        known_district = m.group(1) in places.districts or m.group(1) in places.outside_districts
        if not counts and (outside or known_district):
            # Every live postcode of the area is loaded: a sector with none of them is not ours.
            return PlaceMatch(method="sector", confidence=0.7)
        if counts and outside:
            return PlaceMatch(method="sector", confidence=0.5)  # straddles the boundary: ask for the street
        if counts:
            ward, n = counts.most_common(1)[0]
            return placed(places, ward, None, "sector", round(0.7 * n / sum(counts.values()), 2), town=None)
    for m in DISTRICT.finditer(upper):
        district = m.group(1)
        counts, outside = places.districts.get(district), places.outside_districts.get(district, 0)
        if outside:
            # Partly or wholly outside the area: a district alone does not say which side.
            return PlaceMatch(method="district", confidence=0.3 if counts else 0.6)
        if counts:
            ward, n = counts.most_common(1)[0]
            if n == sum(counts.values()):
                return placed(places, ward, None, "district", 0.5, town=None)
            return PlaceMatch(
                town=_district_town(places, district, counts),
                precision="district",
                method="district",
                confidence=0.3,
            )
    return PlaceMatch()


def _district_town(places: OfficialPlaces, district: str, counts: Counter[str]) -> str:
    """The town a whole postcode district names: the file's when it says, else its commonest ward's."""
    p = places.partnership
    by_hand = p.gazetteer.postcode_districts.get(district)
    ward = p.ward(by_hand) if by_hand else None
    if by_hand:
        return (ward.town if ward else None) or by_hand
    towns = [found.town for name, _ in counts.most_common() if (found := p.ward(name)) and found.town]
    return towns[0] if towns else district


def full_postcode(places: OfficialPlaces, postcode: str, street_key: str | None) -> PlaceMatch | None:
    """A full postcode's ward and point; not in the area when it is a neighbour's; None when unknown."""
    found = places.postcodes.get(postcode)
    if found is None:
        return None
    if not found.in_area:
        return PlaceMatch(postcode=postcode, method="postcode", confidence=0.97)
    ward_streets = {s.ward for s in places.streets.get(street_key or "", [])}
    key = street_key if street_key and ward_streets == {found.ward} else postcode.lower()
    return PlaceMatch(
        resolved=found.ward is not None,
        ward=found.ward,
        place_key=key,
        postcode=postcode,
        town=_town_of(places, found.ward, found.lat, found.lon),
        precision="postcode",
        method="postcode",
        confidence=0.85 if found.terminated else 0.97,
        latitude=found.lat,
        longitude=found.lon,
    )


def _town_of(places: OfficialPlaces, ward: str | None, lat: float, lon: float) -> str | None:
    near = places.nearest_street(lat, lon, within_m=1500)
    if near and near.town:
        return near.town
    w = places.partnership.ward(ward)
    return w.town if w else None
