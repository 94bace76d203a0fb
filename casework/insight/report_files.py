"""The quarterly report as CSV and PDF, written from ``compute_measures`` (the same numbers as the page).

Each download is audited (who, which period, which format). fpdf2 writes the PDF with its built-in
Helvetica, so text is kept to Latin-1 (other characters are replaced).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING

from fpdf import FPDF
from sqlalchemy.orm import Session, sessionmaker

from casework.core.audit import audit
from casework.core.db import transaction
from casework.insight.measures import MeasureRow, Measures, compute_measures
from casework.insight.stats import Period
from casework.staff import Actor

if TYPE_CHECKING:
    from casework.partnership import Partnership

CSV_HEADER = ("section", "measure", "breakdown", "value", "unit", "period_start", "period_end", "wards")


def format_value(row: MeasureRow) -> str:
    """A figure as printed: blank when there is nothing to measure, one decimal for shares and hours."""
    if row.value is None:
        return ""
    if isinstance(row.value, float):
        return f"{row.value:.1f}"
    return str(row.value)


def measures_csv(m: Measures) -> str:
    """The measures as CSV, one figure a line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    wards = " ".join(m.wards_limited_to or ())
    for row in m.rows:
        writer.writerow(
            [
                row.section,
                row.measure,
                row.breakdown,
                format_value(row),
                row.unit,
                m.period.start,
                m.period.end,
                wards,
            ]
        )
    return out.getvalue()


def _latin1(text: str) -> str:
    return text.replace("\u2013", "-").replace("\u2014", "-").encode("latin-1", "replace").decode("latin-1")


def measures_pdf(m: Measures, *, title: str, generated_at: datetime) -> bytes:
    """The measures as a PDF: a title, the period, and one table per section."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(_latin1(title))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    scope = f"; wards: {', '.join(m.wards_limited_to)}" if m.wards_limited_to else ""
    pdf.multi_cell(
        0,
        6,
        _latin1(
            f"Period {m.period.start:%d %B %Y} to {m.period.end:%d %B %Y}{scope}. "
            f"Generated {generated_at:%d %B %Y %H:%M} UTC."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for section, rows in m.sections():
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, _latin1(section), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        with pdf.table(col_widths=(70, 80, 30), text_align=("LEFT", "LEFT", "RIGHT")) as table:
            table.row(["Measure", "Breakdown", "Value"])
            for row in rows:
                value = format_value(row) + (f" {row.unit}" if row.unit and row.value is not None else "")
                table.row([_latin1(row.measure), _latin1(row.breakdown), value or "-"])
    return bytes(pdf.output())


def _compute_and_audit(
    session: Session, *, actor: Actor, period: Period, now: datetime, partnership: Partnership, fmt: str
) -> Measures:
    m = compute_measures(session, actor=actor, period=period, now=now, partnership=partnership)
    audit(
        session,
        actor=actor.label,
        action="measures.export",
        at=now,
        target_type="measures",
        ip=actor.ip,
        detail={
            "format": fmt,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "rows": len(m.rows),
        },
    )
    return m


def quarterly_report(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    period: Period,
    now: datetime,
    partnership: Partnership,
    fmt: str,
) -> tuple[str, str, bytes]:
    """Use case: the report for a period as (filename, media type, content), audited."""
    with transaction(sessions) as session:
        m = _compute_and_audit(session, actor=actor, period=period, now=now, partnership=partnership, fmt=fmt)
    stem = f"asb-measures-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if fmt == "pdf":
        title = f"{partnership.name}: ASB performance report"
        return f"{stem}.pdf", "application/pdf", measures_pdf(m, title=title, generated_at=now)
    return f"{stem}.csv", "text/csv", measures_csv(m).encode()
