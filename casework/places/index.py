"""The official place data of one partnership, held in memory for fast look-up.

Built from the imported tables (a district is a few thousand postcodes and streets): postcodes with their
wards, streets and named places by normalised name, towns with the wards their streets fall in, and the
ward polygons. ``casework.places.resolve`` reads it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.place_models import PlaceName, PlacePostcode, WardBoundary
from casework.partnership import Partnership, normalise_place_name
from casework.places.geo import WardShapes, metres_between

# Street-type words and the short forms residents type ("Bore St", "Cannock Rd").
SUFFIXES: dict[str, tuple[str, ...]] = {
    "street": ("st", "str"),
    "road": ("rd",),
    "lane": ("ln",),
    "avenue": ("ave", "av"),
    "close": ("cl",),
    "drive": ("dr",),
    "crescent": ("cres",),
    "gardens": ("gdns",),
    "grove": ("gr",),
    "place": ("pl",),
    "square": ("sq",),
    "terrace": ("terr",),
    "court": ("ct",),
    "way": ("wy",),
}
ROAD_TYPES = {"Named Road", "Numbered Road", "Section Of Named Road", "Section Of Numbered Road"}
BIG_SETTLEMENTS = {"City", "Town"}


@dataclass(frozen=True)
class Named:
    """A street, settlement or feature with its ward (by polygon) and its settlement."""

    name: str
    key: str
    kind: str  # street | town | feature
    ward: str | None
    town: str | None
    lat: float
    lon: float
    in_area: bool = True
    local_type: str = ""


@dataclass(frozen=True)
class Postcode:
    """A postcode's ward and point; ``in_area`` is False for a neighbour's (kept to see what straddles)."""

    postcode: str
    ward: str | None
    lat: float
    lon: float
    terminated: bool
    in_area: bool = True


def street_variants(key: str) -> set[str]:
    """A street's name as residents write it: "bore street", "bore st", "bore str"."""
    words = key.split()
    variants = {key}
    if len(words) >= 2 and words[-1] in SUFFIXES:
        variants |= {" ".join([*words[:-1], short]) for short in SUFFIXES[words[-1]]}
    return variants


@dataclass
class OfficialPlaces:
    """The partnership's imported postcodes, names and ward polygons, indexed."""

    partnership: Partnership
    shapes: WardShapes
    ward_names: dict[str, str]  # ward code -> the ward's name as the partnership writes it
    postcodes: dict[str, Postcode] = field(default_factory=dict)
    sectors: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    districts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # Live postcodes just outside the area, per sector and district: those that straddle the boundary.
    outside_sectors: Counter[str] = field(default_factory=Counter)
    outside_districts: Counter[str] = field(default_factory=Counter)
    streets: dict[str, list[Named]] = field(default_factory=lambda: defaultdict(list))
    street_phrases: dict[str, str] = field(default_factory=dict)  # variant -> key
    towns: dict[str, Named] = field(default_factory=dict)
    town_wards: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    features: dict[str, Named] = field(default_factory=dict)

    def ward_at(self, lat: float, lon: float) -> str | None:
        """The name of the area's ward containing the point, or None outside the area."""
        found = self.shapes.ward_at(lat, lon)
        if found is None or found.lad_code not in set(self.partnership.local_authority_codes):
            return None
        return self.ward_names.get(found.code, found.name)

    def nearest_street(self, lat: float, lon: float, *, within_m: float = 400.0) -> Named | None:
        """The nearest named street to a point in the area, within ``within_m`` metres."""
        best, best_d = None, within_m
        for entries in self.streets.values():
            for street in entries:
                d = metres_between(lat, lon, street.lat, street.lon)
                if d <= best_d:
                    best, best_d = street, d
        return best

    def town_ward(self, town: str) -> str | None:
        """The ward of a settlement when all of it is in one ward, else None (a town spanning wards)."""
        gazetteer = {normalise_place_name(k): v for k, v in self.partnership.gazetteer.towns.items()}
        key = normalise_place_name(town)
        if key in gazetteer:
            return self.partnership.canonical_ward(gazetteer[key])
        wards = self.town_wards.get(key, set())
        return next(iter(wards)) if len(wards) == 1 else None


def _ward_name(p: Partnership, code: str, published: str) -> str:
    return p.canonical_ward(published) or published.replace(" & ", " and ")


def build_official_places(session: Session, p: Partnership) -> OfficialPlaces | None:
    """The in-memory index of the stored official data, or None when nothing is imported."""
    wards = session.execute(
        select(WardBoundary.code, WardBoundary.name, WardBoundary.lad_code, WardBoundary.geometry)
    ).all()
    has_postcodes = session.scalar(select(PlacePostcode.postcode).limit(1)) is not None
    if not wards and not has_postcodes:
        return None
    index = OfficialPlaces(
        partnership=p,
        shapes=WardShapes([(c, n, lad, g) for c, n, lad, g in wards]),
        ward_names={c: _ward_name(p, c, n) for c, n, _, _ in wards},
    )
    _load_postcodes(session, index)
    _load_names(session, index)
    return index


def _load_postcodes(session: Session, index: OfficialPlaces) -> None:
    area = set(index.partnership.local_authority_codes)
    for row in session.scalars(select(PlacePostcode)):
        if row.lad_code not in area:
            index.postcodes[row.postcode] = Postcode(
                row.postcode, None, row.latitude, row.longitude, bool(row.terminated), in_area=False
            )
            if not row.terminated:
                index.outside_sectors[row.sector] += 1
                index.outside_districts[row.district] += 1
            continue
        ward = index.ward_names.get(row.ward_code or "") or index.ward_at(row.latitude, row.longitude)
        index.postcodes[row.postcode] = Postcode(
            row.postcode, ward, row.latitude, row.longitude, bool(row.terminated)
        )
        if ward and not row.terminated:
            index.sectors[row.sector][ward] += 1
            index.districts[row.district][ward] += 1


def _load_names(session: Session, index: OfficialPlaces) -> None:
    for row in session.scalars(select(PlaceName)):
        ward = index.ward_at(row.latitude, row.longitude) if row.in_area else None
        named = Named(
            row.name,
            row.name_key,
            "street",
            ward,
            row.populated_place,
            row.latitude,
            row.longitude,
            row.in_area,
            row.local_type,
        )
        if row.kind == "transportNetwork" and row.local_type in ROAD_TYPES:
            if row.in_area:
                index.streets[row.name_key].append(named)
                for variant in street_variants(row.name_key):
                    index.street_phrases.setdefault(variant, row.name_key)
                if ward and row.populated_place:
                    index.town_wards[normalise_place_name(row.populated_place)].add(ward)
        elif row.kind == "populatedPlace":
            if row.name_key in index.towns and index.towns[row.name_key].in_area:
                continue  # a name used in and outside the area: the area's own place
            index.towns[row.name_key] = Named(
                row.name,
                row.name_key,
                "town",
                ward,
                row.name,
                row.latitude,
                row.longitude,
                row.in_area,
                row.local_type,
            )
            if ward and row.local_type not in BIG_SETTLEMENTS:
                index.town_wards[row.name_key].add(ward)
        elif row.in_area:
            index.features[row.name_key] = Named(
                row.name, row.name_key, "feature", ward, row.populated_place, row.latitude, row.longitude
            )
