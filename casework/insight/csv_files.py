"""Reading an uploaded CSV: decoding, streaming from a temporary file, rows one by one (a bad row is
skipped with its reason, never the file), and the checks a file must pass before anything is imported."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

from casework.core.asb_types import ASB_TYPES
from casework.core.inputs import clean_text

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
MAX_ROWS = 500_000


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
