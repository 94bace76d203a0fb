"""Map geometry for staff pages: ward outlines projected to SVG coordinates from the stored polygons.

Drawn server-side (no tiles, works offline); the templates add classes, never inline styles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from casework.partnership import Partnership
from casework.places.service import approximate_place_data, official_places


@dataclass(frozen=True)
class MapWard:
    """One ward on the map: its outline as an SVG path, label point, counts and shading level (0-4)."""

    name: str
    code: str
    path: str
    label_x: float
    label_y: float
    hotspot: bool
    reports: int
    incidents: int
    level: int


@dataclass(frozen=True)
class WardMap:
    """The whole map: the SVG view box and its wards; ``dot`` is a point to mark (x, y) when known;
    ``approximate`` while the boundaries are the demo's approximate fixture extracts."""

    width: int
    height: int
    wards: list[MapWard]
    dot: tuple[float, float] | None = None
    approximate: bool = False


class _Projection:
    """Equirectangular projection scaled to fit a width, north up (good enough at district scale)."""

    def __init__(self, bounds: tuple[float, float, float, float], width: int, pad: float = 6.0) -> None:
        minx, miny, maxx, maxy = bounds
        self.kx = math.cos(math.radians((miny + maxy) / 2))
        span_x = max((maxx - minx) * self.kx, 1e-9)
        self.scale = (width - 2 * pad) / span_x
        self.minx, self.maxy, self.pad = minx, maxy, pad
        self.height = int((maxy - miny) * self.scale + 2 * pad) + 1

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            round((lon - self.minx) * self.kx * self.scale + self.pad, 1),
            round((self.maxy - lat) * self.scale + self.pad, 1),
        )


def _path(geometry: BaseGeometry, proj: _Projection) -> str:
    polygons = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    parts = []
    for poly in polygons:
        assert isinstance(poly, Polygon)
        for ring in (poly.exterior, *poly.interiors):
            points = [proj.xy(x, y) for x, y in ring.coords]
            parts.append("M" + " L".join(f"{x},{y}" for x, y in points) + " Z")
    return " ".join(parts)


def _level(value: int, top: int) -> int:
    if value <= 0 or top <= 0:
        return 0
    return min(4, 1 + int(3 * value / top))


def ward_map(
    session: Session, p: Partnership, counts: dict[str, tuple[int, int]], *, width: int = 560
) -> WardMap | None:
    """The area's wards shaded by reports + imported incidents (``counts``: ward -> (reports, incidents))."""
    places = official_places(session, p)
    if places is None or not places.shapes:
        return None
    area = set(p.local_authority_codes)
    shapes = [w for w in places.shapes.wards if w.lad_code in area]
    if not shapes:
        return None
    bounds = _union_bounds([w.geometry for w in shapes])
    proj = _Projection(bounds, width)
    top = max((sum(counts.get(places.ward_names[w.code], (0, 0))) for w in shapes), default=0)
    hotspots = set(p.hotspot_wards)
    wards = []
    for w in shapes:
        name = places.ward_names[w.code]
        reports, incidents = counts.get(name, (0, 0))
        point = w.geometry.representative_point()
        lx, ly = proj.xy(point.x, point.y)
        wards.append(
            MapWard(
                name,
                w.code,
                _path(w.geometry, proj),
                lx,
                ly,
                name in hotspots,
                reports,
                incidents,
                _level(reports + incidents, top),
            )
        )
    wards.sort(key=lambda m: m.name)
    return WardMap(width, proj.height, wards, approximate=approximate_place_data(session))


def _union_bounds(geometries: list[BaseGeometry]) -> tuple[float, float, float, float]:
    b = [g.bounds for g in geometries]
    return min(x[0] for x in b), min(x[1] for x in b), max(x[2] for x in b), max(x[3] for x in b)


def report_map(
    session: Session,
    p: Partnership,
    ward: str | None,
    lat: float | None,
    lon: float | None,
    *,
    width: int = 220,
) -> WardMap | None:
    """One ward's outline with a dot where the report is (when its coordinates are known)."""
    places = official_places(session, p)
    if places is None or not ward:
        return None
    code = next((c for c, n in places.ward_names.items() if n == ward), None)
    shape = places.shapes.by_code.get(code or "")
    if shape is None:
        return None
    proj = _Projection(shape.geometry.bounds, width)
    point = shape.geometry.representative_point()
    lx, ly = proj.xy(point.x, point.y)
    outline = MapWard(ward, shape.code, _path(shape.geometry, proj), lx, ly, ward in p.hotspot_wards, 0, 0, 0)
    inside = lat is not None and lon is not None and places.ward_at(lat, lon) == ward
    dot = proj.xy(lon, lat) if inside and lat is not None and lon is not None else None
    return WardMap(width, proj.height, [outline], dot, approximate=approximate_place_data(session))
