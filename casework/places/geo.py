"""Coordinates and shapes: British National Grid to WGS84 (pyproj) and ward polygons (shapely)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyproj import Transformer
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep


@lru_cache(maxsize=1)
def _bng_to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def bng_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) of a British National Grid point (OSGB36, EPSG:27700), 6 decimal places."""
    lon, lat = _bng_to_wgs84().transform(easting, northing)
    return round(lat, 6), round(lon, 6)


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres between two WGS84 points (haversine; plenty for a district)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class WardShape:
    """One ward's boundary, ready for point-in-polygon tests."""

    code: str
    name: str
    lad_code: str | None
    geometry: BaseGeometry
    prepared: PreparedGeometry


class WardShapes:
    """Every stored ward polygon, with a spatial index: which ward is this point in?"""

    def __init__(self, wards: list[tuple[str, str, str | None, dict[str, Any]]]) -> None:
        self.wards = [WardShape(c, n, lad, g := shape(geo), prep(g)) for c, n, lad, geo in wards]
        self._tree = STRtree([w.geometry for w in self.wards]) if self.wards else None
        self.by_code = {w.code: w for w in self.wards}

    def __bool__(self) -> bool:
        return bool(self.wards)

    def ward_at(self, lat: float, lon: float) -> WardShape | None:
        """The ward containing the point (on a shared edge: the first), or None outside every ward."""
        if self._tree is None:
            return None
        point = Point(lon, lat)
        for i in self._tree.query(point):
            ward = self.wards[int(i)]
            if ward.prepared.covers(point):
                return ward
        return None


def geometry_bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a GeoJSON geometry."""
    minx, miny, maxx, maxy = shape(geometry).bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def check_polygon(geometry: dict[str, Any]) -> str | None:
    """Why a GeoJSON geometry cannot be used as a ward boundary, or None when it can."""
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return f"geometry type {geometry.get('type')!r} is not Polygon or MultiPolygon"
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, IndexError, AttributeError) as exc:
        return f"geometry cannot be read ({exc})"
    if geom.is_empty or not geom.is_valid:
        return "geometry is empty or not a valid polygon"
    return None
