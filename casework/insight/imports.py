"""Imports of other agencies' ASB data, so the partnership's picture combines them (never the inbox).

- police.uk street-level crime CSV (data.police.uk downloads): only "Anti-social behaviour" rows. Those rows
  have no Crime ID, so each gets a stable id from a hash of its content plus how many identical rows came
  before it in the file: importing the same file (or an overlapping download) again adds nothing.
- A generic CSV from a landlord or council, with a column mapping chosen at upload.

Progress is committed every chunk on the ImportBatch (processed_rows of total_rows) so a page can show a
progress bar while the import runs; the summary counts imported, duplicate and skipped rows with reasons.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.core.asb_types import ASB_TYPES
from casework.core.audit import audit
from casework.core.clock import LONDON
from casework.core.inputs import clean_text
from casework.core.models import ImportBatch
from casework.insight.csv_files import (
    MAX_ROWS,
    ColumnMapping,
    CsvSource,
    ImportFileError,
    Row,
    _rows,
)

if TYPE_CHECKING:
    from casework.partnership import Partnership
    from casework.places import AreaPlacer


class ImportStatus(StrEnum):
    """An import batch: running (progress stored every CHUNK rows) -> done, or failed (a bad file, or
    stalled: see STALLED_AFTER)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


POLICE_UK_ASB = "Anti-social behaviour"
UNSPECIFIED_TYPE = "unspecified"  # the source does not say which kind of ASB
CHUNK = 500
# A running import stores progress every CHUNK rows, within seconds. One silent for this long was stopped
# (the web process that ran it restarted or crashed): it is marked failed and can be uploaded again.
STALLED_AFTER = timedelta(minutes=10)
STALLED_REASON = (
    "import interrupted (the server restarted); upload the file again: rows already imported are skipped"
)
MAX_ID = 160  # imported_incidents.source_id
MAX_LOCATION = 200  # imported_incidents.location


def start_batch(
    session: Session,
    *,
    source: str,
    filename: str,
    total_rows: int,
    created_by: int | None,
    now: datetime,
    actor: str,
    ip: str | None = None,
) -> ImportBatch:
    """Record a new import (status running), audited."""
    if total_rows > MAX_ROWS:
        raise ImportFileError(
            f"the file has {total_rows:,} rows; split it into files of at most {MAX_ROWS:,} rows"
        )
    batch = ImportBatch(
        source=clean_text(source).strip()[:80],
        filename=clean_text(filename).strip()[:200],
        status=ImportStatus.RUNNING,
        total_rows=total_rows,
        processed_rows=0,
        imported=0,
        duplicates=0,
        skipped=0,
        skip_reasons={},
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    session.add(batch)
    session.flush()
    audit(
        session,
        actor=actor,
        action="import.start",
        at=now,
        target_type="import",
        target_id=str(batch.id),
        ip=ip,
        detail={"source": source, "filename": filename, "rows": total_rows},
    )
    return batch


@dataclass
class Incident:
    """One row ready to store."""

    source_id: str
    asb_type: str
    occurred_at: datetime
    ward: str | None
    location: str | None
    latitude: float | None
    longitude: float | None


RowResult = Incident | str  # an incident, or the reason the row was skipped


def _row_hash(row: Row, seen: Counter[str]) -> str:
    content = "\x1f".join(f"{k}={v.strip()}" for k, v in sorted(row.items()) if k)
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:40]
    seen[digest] += 1
    # Identical rows are different incidents (two ASB reports on one street in one month look the same).
    return f"{digest}:{seen[digest]}"


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value and value.strip() else None
    except ValueError:
        return None


def _month_start(value: str) -> datetime | None:
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return datetime.combine(date(int(match.group(1)), int(match.group(2)), 1), time(0), tzinfo=LONDON)


def _ward(
    partnership: Partnership | None, *texts: str | None, placer: AreaPlacer | None = None
) -> str | None:
    if partnership is None:
        return None
    for text in texts:
        if not text:
            continue
        ward = partnership.canonical_ward(text)
        if ward:
            return ward
        match = placer.text(text) if placer else partnership.resolve_place(text)
        if match.ward:
            return str(match.ward)
    return None


def police_uk_rows(
    source: CsvSource, partnership: Partnership | None, placer: AreaPlacer | None = None
) -> Iterator[RowResult]:
    """Each police.uk row as an incident to import or a reason to skip it (rows with coordinates are
    placed by the ward polygons when they are loaded, without matching the location text)."""
    seen: Counter[str] = Counter()
    for row in _rows(source):
        if isinstance(row, str):
            yield row
            continue
        if (row.get("Crime type") or "").strip() != POLICE_UK_ASB:
            yield "not anti-social behaviour"
            continue
        occurred = _month_start(row.get("Month") or "")
        if occurred is None:
            yield "month missing or not YYYY-MM"
            continue
        crime_id = (row.get("Crime ID") or "").strip()
        if len(crime_id) > MAX_ID:
            yield f"id longer than {MAX_ID} characters"
            continue
        source_id = crime_id or _row_hash(row, seen)
        location = re.sub(r"^\s*on or near\s+", "", row.get("Location") or "", flags=re.I).strip() or None
        if location and location.lower() == "no location":
            location = None
        lsoa_town = re.sub(r"\s+\d+[A-Z]?$", "", (row.get("LSOA name") or "").strip()) or None
        by_point, ward = (
            placer.row_ward(row.get("Latitude"), row.get("Longitude")) if placer else (False, None)
        )
        yield Incident(
            source_id=source_id,
            asb_type=UNSPECIFIED_TYPE,
            occurred_at=occurred,
            ward=ward
            if by_point
            else _ward(
                partnership,
                f"{location}, {lsoa_town}" if location and lsoa_town else None,
                location,
                lsoa_town,
                placer=placer,
            ),
            location=location[:MAX_LOCATION] if location else None,
            latitude=_float(row.get("Latitude")),
            longitude=_float(row.get("Longitude")),
        )


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%y",
    "%Y-%m",
)


def parse_when(value: str) -> datetime | None:
    """A date or date-time as UK spreadsheets write them (day first), in Europe/London; None if unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=LONDON) if parsed.tzinfo is None else parsed
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=LONDON)
        except ValueError:
            continue
    return None


def _type_for(value: str | None, mapping: ColumnMapping) -> str:
    text = (value or "").strip()
    if not text:
        return UNSPECIFIED_TYPE
    lowered = text.lower()
    if lowered in mapping.type_values:
        return mapping.type_values[lowered]
    if lowered in ASB_TYPES:
        return lowered
    for code, asb_type in ASB_TYPES.items():
        if asb_type.label.lower() == lowered:
            return code
    return UNSPECIFIED_TYPE


def generic_rows(
    source: CsvSource,
    mapping: ColumnMapping,
    partnership: Partnership | None,
    placer: AreaPlacer | None = None,
) -> Iterator[RowResult]:
    """Each row of a mapped CSV as an incident to import or a reason to skip it (by polygon when it has
    coordinates and boundaries are loaded, else by its ward or location text)."""
    seen: Counter[str] = Counter()
    for row in _rows(source):
        if isinstance(row, str):
            yield row
            continue
        raw_date = row.get(mapping.date) or ""
        if not raw_date.strip():
            yield "no date"
            continue
        occurred = parse_when(raw_date)
        if occurred is None:
            yield "date not understood"
            continue
        own_id = (row.get(mapping.id) or "").strip() if mapping.id else ""
        if len(own_id) > MAX_ID:
            yield f"id longer than {MAX_ID} characters"
            continue
        location = (row.get(mapping.location) or "").strip() or None if mapping.location else None
        ward_text = (row.get(mapping.ward) or "").strip() or None if mapping.ward else None
        lat, lon = row.get(mapping.latitude or ""), row.get(mapping.longitude or "")
        by_point, ward = placer.row_ward(lat, lon) if placer else (False, None)
        yield Incident(
            source_id=own_id or _row_hash(row, seen),
            asb_type=_type_for(row.get(mapping.asb_type) if mapping.asb_type else None, mapping),
            occurred_at=occurred,
            ward=ward if by_point else _ward(partnership, ward_text, location, placer=placer),
            location=location[:MAX_LOCATION] if location else None,
            latitude=_float(row.get(mapping.latitude)) if mapping.latitude else None,
            longitude=_float(row.get(mapping.longitude)) if mapping.longitude else None,
        )


def mark_stalled(session: Session, *, now: datetime) -> int:
    """Mark running imports that stopped storing progress as failed, saying what to do."""
    stalled = session.scalars(
        select(ImportBatch).where(
            ImportBatch.status == ImportStatus.RUNNING,
            func.coalesce(ImportBatch.updated_at, ImportBatch.created_at) < now - STALLED_AFTER,
        )
    ).all()
    for batch in stalled:
        batch.status = ImportStatus.FAILED
        batch.skip_reasons = {**(batch.skip_reasons or {}), STALLED_REASON: 1}
        batch.finished_at = now
    return len(stalled)


def recent_batches(session: Session, *, limit: int = 50) -> list[ImportBatch]:
    """The latest imports, newest first."""
    return list(
        session.scalars(
            select(ImportBatch).order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(limit)
        )
    )
