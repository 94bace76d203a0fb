"""Tables of official open data about places (imported by ``python -m casework.places import ...``).

Postcodes (ONS Postcode Directory), named places and streets (OS Open Names), ward boundaries (ONS Open
Geography GeoJSON) and a record of each import. They hold no personal data. Only the partnership's area is
stored (its ``local_authority_codes``), plus populated places just outside it so "Church Street, Tamworth"
is known to be outside.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.models import Base


class PlacePostcode(Base):
    """A postcode unit (ONSPD/NSPL) with its ward, local authority and WGS84 coordinates."""

    __tablename__ = "place_postcodes"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)  # "WS13 6YU"
    sector: Mapped[str] = mapped_column(String(6), index=True)  # "WS13 6"
    district: Mapped[str] = mapped_column(String(4), index=True)  # "WS13"
    ward_code: Mapped[str | None] = mapped_column(String(9), index=True)
    lad_code: Mapped[str] = mapped_column(String(9))
    latitude: Mapped[float]
    longitude: Mapped[float]
    terminated: Mapped[str | None] = mapped_column(String(6))  # YYYYMM, kept so old addresses still place


class PlaceName(Base):
    """A named road, settlement or feature from OS Open Names (coordinates converted to WGS84)."""

    __tablename__ = "place_names"
    __table_args__ = (Index("ix_place_names_kind_key", "kind", "name_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # OS ID, e.g. osgb4000000074001620
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)  # normalised for look-up
    kind: Mapped[str] = mapped_column(String(40))  # TYPE: transportNetwork | populatedPlace | other | ...
    local_type: Mapped[str] = mapped_column(String(60))  # LOCAL_TYPE: Named Road | Village | ...
    populated_place: Mapped[str | None] = mapped_column(String(120))
    district: Mapped[str | None] = mapped_column(String(120))  # DISTRICT_BOROUGH or COUNTY_UNITARY
    postcode_district: Mapped[str | None] = mapped_column(String(4))
    latitude: Mapped[float]
    longitude: Mapped[float]
    in_area: Mapped[bool] = mapped_column(Boolean, default=True)


class WardBoundary(Base):
    """A ward's boundary (GeoJSON Polygon/MultiPolygon coordinates, WGS84) and its bounding box."""

    __tablename__ = "ward_boundaries"
    __table_args__ = (Index("ix_ward_boundaries_bbox", "min_lon", "min_lat", "max_lon", "max_lat"),)

    code: Mapped[str] = mapped_column(String(9), primary_key=True)  # WD24CD
    name: Mapped[str] = mapped_column(String(120))  # WD24NM as published
    lad_code: Mapped[str | None] = mapped_column(String(9), index=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    min_lon: Mapped[float]
    min_lat: Mapped[float]
    max_lon: Mapped[float]
    max_lat: Mapped[float]


class PlaceImport(Base):
    """One run of an import command: what it read and what it did (the summary it printed)."""

    __tablename__ = "place_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # onspd | open-names | wards
    filename: Mapped[str] = mapped_column(String(200))
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    already_present: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)
