"""CSV export of the filtered inbox with minimal personal data (never phone numbers; descriptions only when
asked for), audited with who exported what.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from casework.core.audit import audit
from casework.core.models import Report
from casework.staff.access import Actor, require
from casework.staff.inbox import InboxFilters, apply_filters, order_for

COLUMNS = (
    "reference",
    "created_at",
    "asb_type",
    "nsir_class",
    "status",
    "lead_agency",
    "copied_agencies",
    "ward",
    "risk_level",
    "hate",
    "domestic_abuse",
    "repeat_victim_count",
    "repeat_location_count",
    "case_review_eligible",
    "linked_to",
    "channel",
    "due_at",
    "first_response_at",
    "closed_at",
)
# Spreadsheet programs run cells starting with these as formulas (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_reports(
    session: Session,
    *,
    actor: Actor,
    filters: InboxFilters,
    now: datetime,
    include_descriptions: bool = False,
) -> tuple[str, str]:
    """The filtered reports as CSV (filename, text), every page, audited; the caller commits."""
    require(actor, "export")
    parent = aliased(Report)
    columns = [
        Report.reference,
        Report.created_at,
        Report.asb_type,
        Report.nsir_class,
        Report.status,
        Report.lead_agency,
        Report.copied_agencies,
        Report.ward,
        Report.risk_level,
        Report.hate,
        Report.domestic_abuse,
        Report.repeat_victim_count,
        Report.repeat_location_count,
        Report.case_review_eligible,
        parent.reference.label("linked_to"),
        Report.channel,
        Report.due_at,
        Report.first_response_at,
        Report.closed_at,
    ]
    header = list(COLUMNS)
    if include_descriptions:
        columns.append(Report.description)
        header.append("description")
    stmt = apply_filters(select(*columns).outerjoin(parent, parent.id == Report.linked_to_id), actor, filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    count = 0
    for row in session.execute(stmt.order_by(*order_for(filters.sort))).yield_per(2000):
        writer.writerow([_cell(v) for v in row])
        count += 1
    detail = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in asdict(filters).items()
        if v not in (None, "") and k not in ("page", "per_page")
    }
    audit(
        session,
        actor=actor.label,
        action="reports.export",
        at=now,
        target_type="reports",
        ip=actor.ip,
        detail={"filters": detail, "rows": count, "descriptions": include_descriptions},
    )
    return f"asb-reports-{now.strftime('%Y%m%d-%H%M')}.csv", out.getvalue()
