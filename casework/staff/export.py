"""CSV export of the filtered inbox with minimal personal data (never phone numbers; descriptions only when
asked for), audited with who exported what.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from casework.core.audit import audit
from casework.core.models import Intervention, Report
from casework.staff.access import Actor, report_scope, require
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
    "interventions_preventative",
    "interventions_enforcement",
    "interventions_advisory",
    "intervention_agencies",
)
INTERVENTION_CLASSES = ("preventative", "enforcement", "advisory")
INTERVENTION_COLUMNS = COLUMNS[-4:]
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


def _columns(parent: Any) -> list[Any]:
    """The exported columns of a report, in COLUMNS order (the linked primary through ``parent``)."""
    return [
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


def _interventions_by_report(session: Session, report_ids: Select[Any]) -> dict[int, dict[str, Counter[str]]]:
    """Each exported report's interventions: counts by class and by agency."""
    stmt = (
        select(Intervention.report_id, Intervention.intervention_class, Intervention.agency_id, func.count())
        .where(Intervention.report_id.in_(report_ids.scalar_subquery()))
        .group_by(Intervention.report_id, Intervention.intervention_class, Intervention.agency_id)
    )
    out: dict[int, dict[str, Counter[str]]] = {}
    for report_id, cls, agency, n in session.execute(stmt):
        entry = out.setdefault(report_id, {"classes": Counter(), "agencies": Counter()})
        entry["classes"][cls] += n
        entry["agencies"][agency] += n
    return out


def _intervention_cells(entry: dict[str, Counter[str]] | None) -> list[str]:
    if entry is None:
        return ["0", "0", "0", ""]
    agencies = " ".join(f"{a}:{n}" for a, n in sorted(entry["agencies"].items()))
    return [str(entry["classes"].get(c, 0)) for c in INTERVENTION_CLASSES] + [agencies]


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
    columns: list[Any] = _columns(parent)
    header = list(COLUMNS)
    columns.insert(0, Report.id)
    if include_descriptions:
        columns.append(Report.description)
        header.append("description")
    # A link is named only when the exporter may open the linked report too.
    joined = select(*columns).outerjoin(
        parent,
        and_(parent.id == Report.linked_to_id, report_scope(actor, parent)),  # type: ignore[arg-type]
    )
    stmt = apply_filters(joined, actor, filters)
    done = _interventions_by_report(session, apply_filters(select(Report.id), actor, filters))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    count = 0
    for row in session.execute(stmt.order_by(*order_for(filters.sort))).yield_per(2000):
        report_id, *values = row
        base = len(COLUMNS) - len(INTERVENTION_COLUMNS)
        cells = [_cell(v) for v in values[:base]] + _intervention_cells(done.get(report_id))
        writer.writerow(cells + [_cell(v) for v in values[base:]])
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
