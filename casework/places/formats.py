"""Readers for the published formats: ONSPD/NSPL CSV, OS Open Names CSV and ONS ward GeoJSON.

Each reader checks the file against the product's published columns first and raises ``FormatError``
naming what is missing; then it yields one record per row (a dict) or a reason to skip the row (a str).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from casework.partnership import normalise_postcode

Progress = Callable[[int], None]
Record = dict[str, Any]


class FormatError(Exception):
    """The file is not in the published format; the message names the file and the missing column."""


# OS Open Names' 34 columns (Doc/OS_Open_Names_Header.csv), for data files read without the header file.
OPEN_NAMES_COLUMNS = (
    "ID,NAMES_URI,NAME1,NAME1_LANG,NAME2,NAME2_LANG,TYPE,LOCAL_TYPE,GEOMETRY_X,GEOMETRY_Y,"
    "MOST_DETAIL_VIEW_RES,LEAST_DETAIL_VIEW_RES,MBR_XMIN,MBR_YMIN,MBR_XMAX,MBR_YMAX,POSTCODE_DISTRICT,"
    "POSTCODE_DISTRICT_URI,POPULATED_PLACE,POPULATED_PLACE_URI,POPULATED_PLACE_TYPE,DISTRICT_BOROUGH,"
    "DISTRICT_BOROUGH_URI,DISTRICT_BOROUGH_TYPE,COUNTY_UNITARY,COUNTY_UNITARY_URI,COUNTY_UNITARY_TYPE,"
    "REGION,REGION_URI,COUNTRY,COUNTRY_URI,RELATED_SPATIAL_OBJECT,SAME_AS_DBPEDIA,SAME_AS_GEONAMES"
).split(",")
OPEN_NAMES_NEEDED = (
    "ID",
    "NAME1",
    "TYPE",
    "LOCAL_TYPE",
    "GEOMETRY_X",
    "GEOMETRY_Y",
    "POSTCODE_DISTRICT",
    "POPULATED_PLACE",
    "DISTRICT_BOROUGH",
    "COUNTY_UNITARY",
)
# Open Names types kept: roads, settlements and named features residents give as a place.
OPEN_NAMES_TYPES = {"transportNetwork", "populatedPlace", "other", "landcover", "landform", "hydrography"}
# ONSPD names first, NSPL's second: a file may use either.
ONSPD_COLUMNS: dict[str, tuple[str, ...]] = {
    "postcode": ("pcds",),
    "ward": ("osward", "ward"),
    "lad": ("oslaua", "laua"),
    "lat": ("lat",),
    "long": ("long",),
    "terminated": ("doterm",),
}


def _lines(handle: IO[str], progress: Progress | None) -> Iterator[str]:
    for line in handle:
        if progress:
            progress(len(line))
        yield line


def _pick(header: list[str], names: tuple[str, ...], file: str) -> int:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    raise FormatError(
        f"{file}: missing column {names[0]!r}" + (f" (or {names[1]!r})" if len(names) > 1 else "")
    )


def read_onspd(
    path: Path,
    lads: set[str],
    progress: Progress | None = None,
    *,
    near: Callable[[float, float], bool] | None = None,
) -> Iterator[Record | str]:
    """Postcodes of the given local authorities from an ONSPD or NSPL CSV, and live ones of other
    authorities where ``near`` says their point is close to the area; others are skipped."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(_lines(handle, progress))
        header = next(reader, None)
        if not header:
            raise FormatError(f"{path.name}: empty file; expected the ONSPD header row (pcds, ...)")
        at = {key: _pick(header, names, path.name) for key, names in ONSPD_COLUMNS.items()}
        for row in reader:
            yield _onspd_row(row, at, lads, near)


def _onspd_row(
    row: list[str], at: dict[str, int], lads: set[str], near: Callable[[float, float], bool] | None
) -> Record | str:
    if len(row) <= max(at.values()):
        return "row too short"
    neighbour = row[at["lad"]].strip() not in lads
    if neighbour and (near is None or row[at["terminated"]].strip()):
        return "outside the partnership's area"
    postcode = normalise_postcode(row[at["postcode"]])
    try:
        lat, lon = float(row[at["lat"]]), float(row[at["long"]])
    except ValueError:
        lat = lon = 99.0
    if neighbour and not (lat <= 90 and near and near(lat, lon)):
        return "outside the partnership's area"
    if postcode is None:
        return "postcode not readable"
    if lat > 90:  # ONSPD writes 99.999999 for postcodes without a grid reference
        return "no coordinates"
    return {
        "postcode": postcode,
        "sector": postcode[:-2],
        "district": postcode.split(" ")[0],
        "ward_code": row[at["ward"]].strip() or None,
        "lad_code": row[at["lad"]].strip(),
        "latitude": lat,
        "longitude": lon,
        "terminated": row[at["terminated"]].strip() or None,
    }


def open_names_header(header_path: Path | None) -> list[str]:
    """The column names: from OS's header file when given, else the published 34."""
    if header_path is None:
        return list(OPEN_NAMES_COLUMNS)
    with header_path.open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle), None)
    if not first:
        raise FormatError(
            f"{header_path.name}: empty header file; expected {','.join(OPEN_NAMES_COLUMNS[:3])},..."
        )
    return [c.strip() for c in first]


def read_open_names(
    path: Path, header: list[str], progress: Progress | None = None
) -> Iterator[Record | str]:
    """OS Open Names rows (data files have no header row) as records with BNG coordinates."""
    for name in OPEN_NAMES_NEEDED:
        if name not in header:
            raise FormatError(f"{path.name}: missing column {name!r} (OS Open Names header)")
    at = {name: header.index(name) for name in OPEN_NAMES_NEEDED}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.reader(_lines(handle, progress)), start=1):
            if number == 1 and row and row[0].strip() == "ID":
                continue  # a copy with the header row added
            if len(row) != len(header):
                raise FormatError(
                    f"{path.name}: row {number} has {len(row)} columns; OS Open Names has {len(header)} "
                    f"({header[0]} ... {header[-1]}): missing column {header[len(row)]!r}"
                    if len(row) < len(header)
                    else f"{path.name}: row {number} has {len(row)} columns; OS Open Names has {len(header)}"
                )
            yield _open_names_row(row, at)


def _open_names_row(row: list[str], at: dict[str, int]) -> Record | str:
    kind, local_type = row[at["TYPE"]].strip(), row[at["LOCAL_TYPE"]].strip()
    if kind not in OPEN_NAMES_TYPES or local_type == "Postcode":
        return f"not a street or named place ({local_type or kind})"
    try:
        x, y = float(row[at["GEOMETRY_X"]]), float(row[at["GEOMETRY_Y"]])
    except ValueError:
        return "no coordinates"
    return {
        "id": row[at["ID"]].strip(),
        "name": row[at["NAME1"]].strip(),
        "kind": kind,
        "local_type": local_type,
        "x": x,
        "y": y,
        "populated_place": row[at["POPULATED_PLACE"]].strip() or None,
        "district": (row[at["DISTRICT_BOROUGH"]] or row[at["COUNTY_UNITARY"]]).strip() or None,
        "postcode_district": row[at["POSTCODE_DISTRICT"]].strip() or None,
    }


_CODE = re.compile(r"^WD\d\dCD$", re.I)
_NAME = re.compile(r"^WD\d\dNM$", re.I)
_LAD = re.compile(r"^LAD\d\dCD$", re.I)


def read_wards(path: Path) -> tuple[list[Record], bool]:
    """The wards of an ONS boundaries GeoJSON: records and whether the file names each ward's LAD."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path.name}: not GeoJSON ({exc})") from None
    features = data.get("features") if isinstance(data, dict) else None
    if data.get("type") != "FeatureCollection" or not isinstance(features, list) or not features:
        raise FormatError(f"{path.name}: missing member 'features' (a GeoJSON FeatureCollection of wards)")
    props = features[0].get("properties") or {}
    code_key = next((k for k in props if _CODE.match(k)), None)
    name_key = next((k for k in props if _NAME.match(k)), None)
    lad_key = next((k for k in props if _LAD.match(k)), None)
    if code_key is None:
        raise FormatError(f"{path.name}: missing column 'WD24CD' (the ward code property, WDyyCD)")
    if name_key is None:
        raise FormatError(f"{path.name}: missing column 'WD24NM' (the ward name property, WDyyNM)")
    records = []
    for feature in features:
        p = feature.get("properties") or {}
        records.append(
            {
                "code": str(p.get(code_key) or "").strip(),
                "name": str(p.get(name_key) or "").strip(),
                "lad_code": str(p.get(lad_key) or "").strip() or None if lad_key else None,
                "geometry": feature.get("geometry") or {},
            }
        )
    return records, lad_key is not None
