"""Imports of other agencies' ASB data, so the partnership's picture combines them (never the inbox).

- police.uk street-level crime CSV (data.police.uk downloads): only "Anti-social behaviour" rows. Those rows
  have no Crime ID, so each gets a stable id from a hash of its content plus how many identical rows came
  before it in the file: importing the same file (or an overlapping download) again adds nothing.
- A generic CSV from a landlord or council, with a column mapping chosen at upload.

Progress is committed every chunk on the ImportBatch (processed_rows of total_rows) so a page can show a
progress bar while the import runs; the summary counts imported, duplicate and skipped rows with reasons.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casework.asb_types import ASB_TYPES
from casework.audit import audit
from casework.clock import LONDON
from casework.inputs import clean_text
from casework.models import ImportBatch, ImportedIncident

if TYPE_CHECKING:
    from casework.partnership import Partnership

POLICE_UK_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
POLICE_UK_ASB = "Anti-social behaviour"
UNSPECIFIED_TYPE = "unspecified"  # the source does not say which kind of ASB
CHUNK = 500
# A running import stores progress every CHUNK rows, within seconds. One silent for this long was stopped
# (the web process that ran it restarted or crashed): it is marked failed and can be uploaded again.
STALLED_AFTER = timedelta(minutes=10)
STALLED_REASON = (
    "import interrupted (the server restarted); upload the file again: rows already imported are skipped"
)
MAX_ROWS = 500_000
MAX_ID = 160  # imported_incidents.source_id
MAX_LOCATION = 200  # imported_incidents.location


class ImportFileError(ValueError):
    """The file cannot be imported at all (wrong columns, not CSV); nothing was imported."""


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns of a generic CSV hold what; only the date column is required."""

    source: str
    date: str
    asb_type: str | None = None
    location: str | None = None
    ward: str | None = None
    id: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    type_values: dict[str, str] = field(default_factory=dict)  # the file's wording -> our asb_type code

    def columns(self) -> list[str]:
        """The mapped column names."""
        return [
            c
            for c in (
                self.date,
                self.asb_type,
                self.location,
                self.ward,
                self.id,
                self.latitude,
                self.longitude,
            )
            if c
        ]


def parse_type_values(text: str) -> dict[str, str]:
    """Lines like "Noise complaint = noise" into a mapping; raises ImportFileError naming a bad line."""
    mapping = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise ImportFileError(f"type mapping line {n}: write it as <their wording> = <type code>")
        theirs, ours = (part.strip() for part in line.rsplit("=", 1))
        if ours not in ASB_TYPES:
            raise ImportFileError(f"type mapping line {n}: {ours!r} is not an ASB type code")
        mapping[theirs.lower()] = ours
    return mapping


def decode(data: bytes) -> str:
    """CSV bytes as text (UTF-8 with or without BOM, else Windows-1252 as spreadsheets save it)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class CsvFile:
    """An uploaded CSV kept in a temporary file and read as a stream, so a large file is never all in memory.

    The encoding is found while saving: UTF-8 (with or without BOM) if every byte decodes, else Windows-1252.
    """

    path: Path
    encoding: str

    @classmethod
    def save(cls, stream: IO[bytes], *, chunk_size: int = 1 << 20) -> CsvFile:
        """Copy the upload to a temporary file; the caller removes it (`remove`) when done."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = True
        with tempfile.NamedTemporaryFile("wb", prefix="asb-import-", suffix=".csv", delete=False) as out:
            while block := stream.read(chunk_size):
                out.write(block)
                if utf8:
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError:
                        utf8 = False
            if utf8:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8 = False
        return cls(Path(out.name), "utf-8-sig" if utf8 else "cp1252")

    def open(self) -> TextIO:
        """The file as text; newline="" lets the CSV reader take CR, LF or CRLF line endings."""
        return open(self.path, encoding=self.encoding, errors="replace", newline="")  # noqa: SIM115

    def remove(self) -> None:
        """Delete the temporary file."""
        self.path.unlink(missing_ok=True)


CsvSource = str | CsvFile  # the text itself (tests, small files) or an uploaded file
Row = dict[str, str]


def _open(source: CsvSource) -> TextIO:
    # newline="": a CR-only (old Mac) file is split into lines, not read as one line.
    return io.StringIO(source, newline="") if isinstance(source, str) else source.open()


def _fieldnames(reader: Iterator[list[str]]) -> list[str]:
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportFileError(f"the first line is not a CSV header: {exc}") from exc
    if not header or not any(name.strip() for name in header):
        raise ImportFileError("the file is empty or not a CSV file")
    return [clean_text(name).strip() for name in header]


def _unreadable(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a value larger than {csv.field_size_limit() // 1024} KB (row not read)"
    return f"row not readable as CSV: {exc}"[:200]


def _rows(source: CsvSource) -> Iterator[Row | str]:
    """Each data row by column name, or the reason it cannot be read; one bad row never stops the rest.

    Values are cleaned of control characters (a NUL cannot be stored). A row with more values than the
    header has columns is read if the extra values are empty (a trailing comma), else skipped.
    """
    with _open(source) as stream:
        reader = csv.reader(stream)
        names = _fieldnames(reader)
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield _unreadable(exc)
                continue
            if not values:
                continue  # a blank line
            if any(v.strip() for v in values[len(names) :]):
                yield "more values than the header has columns"
                continue
            values = [clean_text(v) for v in values[: len(names)]]
            yield dict(zip(names, values + [""] * (len(names) - len(values)), strict=True))


def fieldnames(source: CsvSource) -> list[str]:
    """The file's column names; raises ImportFileError if it has no header."""
    with _open(source) as stream:
        return _fieldnames(csv.reader(stream))


def count_rows(source: CsvSource, *, limit: int | None = None) -> int:
    """Data rows in a CSV (for the progress bar); stops counting at limit + 1 when a limit is given."""
    n = 0
    for _ in _rows(source):
        n += 1
        if limit is not None and n > limit:
            break
    return n


def check_row_count(source: CsvSource) -> int:
    """The number of data rows; raises ImportFileError (nothing imported) for a file over MAX_ROWS."""
    n = count_rows(source, limit=MAX_ROWS)
    if n > MAX_ROWS:
        raise ImportFileError(
            f"the file has more than {MAX_ROWS:,} rows; split it into files of at most {MAX_ROWS:,} rows "
            "(nothing was imported)"
        )
    return n


def check_police_uk(source: CsvSource) -> None:
    """Refuse a file without the police.uk street-level columns, naming the missing ones."""
    names = fieldnames(source)
    missing = [c for c in POLICE_UK_COLUMNS if c not in names]
    if missing:
        raise ImportFileError(f"not a police.uk street-level file: missing columns {', '.join(missing)}")


def check_generic(source: CsvSource, mapping: ColumnMapping) -> None:
    """Refuse a mapping that names columns the file does not have."""
    if not mapping.source.strip():
        raise ImportFileError("source: say whose data this is (for example Bromford)")
    if not mapping.date:
        raise ImportFileError("date column: required")
    names = fieldnames(source)
    missing = [c for c in mapping.columns() if c not in names]
    if missing:
        raise ImportFileError(
            f"the file has no column {', '.join(repr(c) for c in missing)}; "
            f"its columns are {', '.join(names)}"
        )


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
    """Record a new import (status running), audited; the caller commits."""
    if total_rows > MAX_ROWS:
        raise ImportFileError(
            f"the file has {total_rows:,} rows; split it into files of at most {MAX_ROWS:,} rows"
        )
    batch = ImportBatch(
        source=clean_text(source).strip()[:80],
        filename=clean_text(filename).strip()[:200],
        status="running",
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


def _ward(partnership: Partnership | None, *texts: str | None) -> str | None:
    if partnership is None:
        return None
    for text in texts:
        if not text:
            continue
        ward = partnership.canonical_ward(text)
        if ward:
            return ward
        match = partnership.resolve_place(text)
        if match.ward:
            return str(match.ward)
    return None


def police_uk_rows(source: CsvSource, partnership: Partnership | None) -> Iterator[RowResult]:
    """Each police.uk row as an incident to import or a reason to skip it."""
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
        yield Incident(
            source_id=source_id,
            asb_type=UNSPECIFIED_TYPE,
            occurred_at=occurred,
            ward=_ward(
                partnership,
                f"{location}, {lsoa_town}" if location and lsoa_town else None,
                location,
                lsoa_town,
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
    source: CsvSource, mapping: ColumnMapping, partnership: Partnership | None
) -> Iterator[RowResult]:
    """Each row of a mapped CSV as an incident to import or a reason to skip it."""
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
        yield Incident(
            source_id=own_id or _row_hash(row, seen),
            asb_type=_type_for(row.get(mapping.asb_type) if mapping.asb_type else None, mapping),
            occurred_at=occurred,
            ward=_ward(partnership, ward_text, location),
            location=location[:MAX_LOCATION] if location else None,
            latitude=_float(row.get(mapping.latitude)) if mapping.latitude else None,
            longitude=_float(row.get(mapping.longitude)) if mapping.longitude else None,
        )


def run_import(
    sessions: sessionmaker[Session],
    *,
    batch_id: int,
    rows: Iterator[RowResult],
    now: Callable[[], datetime],
    chunk: int = CHUNK,
) -> ImportBatch:
    """Store the rows for a batch, committing progress every chunk; marks the batch done (or failed)."""
    with sessions() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise ImportFileError(f"no import batch {batch_id}")
        source = batch.source
    reasons: Counter[str] = Counter()
    imported = duplicates = processed = 0
    pending: list[Incident] = []

    def flush(final: bool) -> None:
        nonlocal imported, duplicates
        with sessions() as session:
            ids = {inc.source_id for inc in pending}
            existing = (
                set(
                    session.scalars(
                        select(ImportedIncident.source_id).where(
                            ImportedIncident.source == source, ImportedIncident.source_id.in_(ids)
                        )
                    )
                )
                if ids
                else set()
            )
            stamp = now()
            for inc in pending:
                if inc.source_id in existing:
                    duplicates += 1
                    continue
                existing.add(inc.source_id)
                session.add(
                    ImportedIncident(
                        batch_id=batch_id,
                        source=source,
                        source_id=inc.source_id,
                        asb_type=inc.asb_type,
                        ward=inc.ward,
                        location=inc.location,
                        latitude=inc.latitude,
                        longitude=inc.longitude,
                        occurred_at=inc.occurred_at,
                        created_at=stamp,
                    )
                )
                imported += 1
            batch = session.get(ImportBatch, batch_id)
            assert batch is not None
            batch.processed_rows = processed
            batch.imported, batch.duplicates = imported, duplicates
            batch.skipped, batch.skip_reasons = sum(reasons.values()), dict(reasons)
            batch.updated_at = stamp
            if final:
                batch.status = "done"
                batch.finished_at = stamp
            session.commit()
        pending.clear()

    try:
        for result in rows:
            processed += 1
            if isinstance(result, str):
                reasons[result] += 1
            else:
                pending.append(result)
            if processed % chunk == 0:
                flush(final=False)
        flush(final=True)
    except Exception as exc:
        with sessions() as session:
            batch = session.get(ImportBatch, batch_id)
            if batch is not None:
                batch.status = "failed"
                batch.skip_reasons = {
                    **dict(reasons),
                    f"import stopped: {type(exc).__name__}: {exc}"[:200]: 1,
                }
                batch.finished_at = now()
                session.commit()
        raise
    with sessions() as session:
        done = session.get(ImportBatch, batch_id)
        assert done is not None
        return done


def mark_stalled(session: Session, *, now: datetime) -> int:
    """Mark running imports that stopped storing progress as failed, saying what to do; the caller commits."""
    stalled = session.scalars(
        select(ImportBatch).where(
            ImportBatch.status == "running",
            func.coalesce(ImportBatch.updated_at, ImportBatch.created_at) < now - STALLED_AFTER,
        )
    ).all()
    for batch in stalled:
        batch.status = "failed"
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
