"""Import official open data for the partnership's area: one use case per source, each idempotent.

Rows already stored unchanged count as "already present"; changed rows (a new release moving a postcode)
are updated; rows outside the area or unusable are skipped with a reason. Each import is recorded in
``place_imports`` and audited.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casework.core.audit import audit
from casework.core.db import transaction
from casework.core.place_models import PlaceImport, PlaceName, PlacePostcode, WardBoundary
from casework.partnership import Partnership, normalise_place_name
from casework.places.formats import (
    FormatError,
    Progress,
    Record,
    open_names_header,
    read_onspd,
    read_open_names,
    read_wards,
)
from casework.places.geo import WardShapes, bng_to_wgs84, check_polygon, geometry_bounds

CHUNK = 2000


@dataclass
class ImportSummary:
    """What an import did: imported, updated, already present, and skipped with reasons."""

    source: str
    filename: str
    imported: int = 0
    updated: int = 0
    already_present: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        """The summary as printed by the command."""
        out = [
            f"{self.source} {self.filename}: imported {self.imported}, updated {self.updated}, "
            f"already present {self.already_present}, skipped {sum(self.skipped.values())}"
        ]
        out += [f"  skipped {n}: {reason}" for reason, n in self.skipped.most_common()]
        return out


def _area_codes(p: Partnership) -> set[str]:
    if not p.local_authority_codes:
        raise FormatError(
            f"partnership {p.id!r} has no local_authority_codes: add them to partnerships/{p.id}.yml"
        )
    return set(p.local_authority_codes)


def _store(session: Session, model: Any, key: str, records: list[Record], summary: ImportSummary) -> None:
    """Insert new rows, update changed ones, count unchanged ones (one chunk, in the caller's transaction)."""
    column = getattr(model, key)
    existing = {
        getattr(r, key): r
        for r in session.scalars(select(model).where(column.in_([r[key] for r in records])))
    }
    for record in records:
        row = existing.get(record[key])
        if row is None:
            session.add(model(**record))
            existing[record[key]] = record  # a key twice in one file counts once
            summary.imported += 1
        elif isinstance(row, dict) or all(getattr(row, k) == v for k, v in record.items()):
            summary.already_present += 1
        else:
            for k, v in record.items():
                setattr(row, k, v)
            summary.updated += 1


def _run(
    sessions: sessionmaker[Session],
    model: Any,
    key: str,
    rows: Iterable[Record | str],
    summary: ImportSummary,
    *,
    now: datetime,
    actor: str,
) -> ImportSummary:
    pending: list[Record] = []
    for result in rows:
        if isinstance(result, str):
            summary.skipped[result] += 1
            continue
        pending.append(result)
        if len(pending) >= CHUNK:
            with transaction(sessions) as session:
                _store(session, model, key, pending, summary)
            pending = []
    with transaction(sessions) as session:
        if pending:
            _store(session, model, key, pending, summary)
        session.add(
            PlaceImport(
                source=summary.source,
                filename=summary.filename[:200],
                imported=summary.imported,
                updated=summary.updated,
                already_present=summary.already_present,
                skipped=dict(summary.skipped),
                created_at=now,
            )
        )
        audit(session, actor=actor, action=f"places.import.{summary.source}", at=now, detail=_detail(summary))
    return summary


def _detail(summary: ImportSummary) -> dict[str, Any]:
    return {
        "file": summary.filename,
        "imported": summary.imported,
        "updated": summary.updated,
        "already_present": summary.already_present,
        "skipped": dict(summary.skipped),
    }


def import_onspd(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    partnership: Partnership,
    now: datetime,
    actor: str,
    progress: Progress | None = None,
) -> ImportSummary:
    """Load the area's postcodes (live and terminated) from an ONSPD or NSPL CSV, and the live postcodes
    of neighbouring authorities within a few kilometres (once boundaries are loaded), so a sector or
    district that straddles the boundary is known to."""
    lads = _area_codes(partnership)
    with transaction(sessions) as session:
        near = _near_area(session, lads)
    rows = read_onspd(path, lads, progress, near=near)
    first = next(rows, None)  # reads the header: a bad file fails before anything is stored
    summary = ImportSummary("onspd", path.name)
    return _run(sessions, PlacePostcode, "postcode", _chain(first, rows), summary, now=now, actor=actor)


def _chain(first: Record | str | None, rest: Iterator[Record | str]) -> Iterator[Record | str]:
    if first is not None:
        yield first
    yield from rest


def stored_wards(session: Session) -> WardShapes:
    """The stored ward polygons as shapes (for placing points)."""
    rows = session.execute(
        select(WardBoundary.code, WardBoundary.name, WardBoundary.lad_code, WardBoundary.geometry)
    )
    return WardShapes([(c, n, lad, g) for c, n, lad, g in rows])


# How far beyond the area's wards (their bounding box) neighbours' postcodes are kept.
NEIGHBOURS_KM = 5.0


def _near_area(session: Session, lads: set[str]) -> Callable[[float, float], bool] | None:
    """Whether a point is within NEIGHBOURS_KM of the area's wards' bounding box; None before wards."""
    box = session.execute(
        select(
            func.min(WardBoundary.min_lat),
            func.min(WardBoundary.min_lon),
            func.max(WardBoundary.max_lat),
            func.max(WardBoundary.max_lon),
        ).where(WardBoundary.lad_code.in_(lads))
    ).one()
    if box[0] is None:
        return None
    dlat = NEIGHBOURS_KM / 111.0
    dlon = dlat / max(0.2, math.cos(math.radians((box[0] + box[2]) / 2)))
    south, west, north, east = box[0] - dlat, box[1] - dlon, box[2] + dlat, box[3] + dlon
    return lambda lat, lon: south <= lat <= north and west <= lon <= east


def import_open_names(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    header: Path | None,
    partnership: Partnership,
    now: datetime,
    actor: str,
    progress: Progress | None = None,
) -> ImportSummary:
    """Load the area's streets, settlements and named features from OS Open Names (wards first)."""
    lads = _area_codes(partnership)
    columns = open_names_header(header)
    with transaction(sessions) as session:
        shapes = stored_wards(session)
    if not shapes:
        raise FormatError(
            "no ward boundaries stored: run `python -m casework.places import wards FILE` first"
        )
    rows = read_open_names(path, columns, progress)
    first = next(rows, None)
    summary = ImportSummary("open-names", path.name)
    placed = (_place_name(r, shapes, lads) for r in _chain(first, rows))
    return _run(sessions, PlaceName, "id", placed, summary, now=now, actor=actor)


def _place_name(record: Record | str, shapes: WardShapes, lads: set[str]) -> Record | str:
    if isinstance(record, str):
        return record
    lat, lon = bng_to_wgs84(record.pop("x"), record.pop("y"))
    ward = shapes.ward_at(lat, lon)
    in_area = ward is not None and ward.lad_code in lads
    if not in_area and record["kind"] != "populatedPlace":
        return "outside the partnership's area"
    return {
        **record,
        "name_key": normalise_place_name(record["name"])[:200],
        "latitude": lat,
        "longitude": lon,
        "in_area": in_area,
    }


def import_wards(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    partnership: Partnership,
    now: datetime,
    actor: str,
    progress: Progress | None = None,
) -> ImportSummary:
    """Load ward boundaries from an ONS GeoJSON: the area's wards and the neighbours touching it."""
    lads = _area_codes(partnership)
    records, has_lad = read_wards(path)
    if not has_lad:
        with transaction(sessions) as session:
            known = set(
                session.scalars(
                    select(PlacePostcode.ward_code).where(PlacePostcode.lad_code.in_(lads)).distinct()
                )
            )
        if not known:
            raise FormatError(
                f"{path.name}: missing column 'LAD24CD' (join the Ward to LAD lookup, or import ONSPD first "
                "so wards can be matched to the area by their postcodes)"
            )
        for r in records:
            r["lad_code"] = next(iter(lads)) if r["code"] in known else None
    summary = ImportSummary("wards", path.name)
    return _run(
        sessions, WardBoundary, "code", _ward_rows(records, lads, progress), summary, now=now, actor=actor
    )


def _ward_rows(records: list[Record], lads: set[str], progress: Progress | None) -> Iterator[Record | str]:
    for r in records:
        if progress:
            progress(1)
        if not r["code"]:
            yield "no ward code"
            continue
        if r["lad_code"] not in lads:
            yield "outside the partnership's area"
            continue
        problem = check_polygon(r["geometry"])
        if problem:
            yield problem
            continue
        min_lon, min_lat, max_lon, max_lat = geometry_bounds(r["geometry"])
        yield {**r, "min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat}
