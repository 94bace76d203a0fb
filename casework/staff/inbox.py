"""The triage inbox: filtered, sorted, paginated lists of reports with badges, and the report page's data.

Lists read only the columns they show, and are limited to what the actor may see (casework.staff.access).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from casework.core.clock import LONDON
from casework.core.inputs import InvalidDay, parse_day
from casework.core.models import OutboxMessage, Report
from casework.core.references import parse_reference
from casework.core.states import ReportStatus
from casework.core.values import yes_no
from casework.staff.access import Actor, report_scope
from casework.staff.badges import Badge, badges_for, has_new_diary, is_overdue
from casework.staff.inbox_rows import COUNT_CAP, InboxPage, InboxRow

STATUSES: dict[str, str] = {
    ReportStatus.OPEN: "New",
    ReportStatus.ACCEPTED: "Accepted",
    ReportStatus.IN_PROGRESS: "In progress",
    ReportStatus.WAITING: "Waiting for information",
    ReportStatus.LINKED: "Linked to another report",
    ReportStatus.CLOSED: "Closed",
}
RISK_LEVELS = ("standard", "medium", "high")
SORTS = ("newest", "oldest", "due", "risk")
REPEAT_VICTIM_REPORTS = 2
REPEAT_LOCATION_REPORTS = 3
PER_PAGE_DEFAULT = 50
ACTIVE_STATUSES = tuple(s for s in ReportStatus if s != ReportStatus.CLOSED)
PER_PAGE_MAX = 200
PAGE_MAX = 100_000  # far past any real list; keeps OFFSET inside what every database accepts


SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])


class InvalidFilter(ValueError):
    """A filter value that cannot be used: ``field`` names the filter, the message says why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox list is narrowed to, sorted by and which page is shown."""

    status: str | None = None
    agency: str | None = None
    asb_type: str | None = None
    ward: str | None = None
    risk: str | None = None
    hate: bool | None = None
    domestic_abuse: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    sort: str = "newest"
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT

    def as_query(self, **changes: Any) -> dict[str, str]:
        """The filters as query-string parameters (for links to other pages and sorts)."""
        f = replace(self, **changes)
        out: dict[str, str] = {}
        for name in ("status", "agency", "asb_type", "ward", "risk", "q"):
            value = getattr(f, name)
            if value:
                out["type" if name == "asb_type" else name] = value
        for name in ("hate", "domestic_abuse"):
            value = getattr(f, name)
            if value is not None:
                out[name] = "yes" if value else "no"
        if f.date_from:
            out["from"] = f.date_from.isoformat()
        if f.date_to:
            out["to"] = f.date_to.isoformat()
        if f.sort != "newest":
            out["sort"] = f.sort
        if f.page != 1:
            out["page"] = str(f.page)
        if f.per_page != PER_PAGE_DEFAULT:
            out["per_page"] = str(f.per_page)
        return out


def _yes_no(name: str, value: str | None) -> bool | None:
    if value == "any":
        return None
    try:
        return yes_no(value)
    except ValueError:
        raise InvalidFilter(name, "use yes or no") from None


def _date(name: str, value: str | None) -> date | None:
    try:
        return parse_day(name, value)
    except InvalidDay as exc:
        raise InvalidFilter(name, str(exc).removeprefix(f"{name}: ")) from None


def _positive_int(name: str, value: str | None, default: int, maximum: int | None = None) -> int:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise InvalidFilter(name, "must be a whole number") from None
    if number < 1:
        raise InvalidFilter(name, "must be 1 or more")
    return min(number, maximum) if maximum else number


def _page_number(value: str | None) -> int:
    number = _positive_int("page", value, 1)
    if number > PAGE_MAX:
        raise InvalidFilter("page", f"must be {PAGE_MAX} or less")
    return number


def parse_filters(args: Mapping[str, str]) -> InboxFilters:
    """Read filters from query-string style arguments; raises InvalidFilter naming a bad one."""

    def text(name: str) -> str | None:
        value = (args.get(name) or "").strip()
        return value or None

    risk = text("risk")
    if risk and risk not in RISK_LEVELS:
        raise InvalidFilter("risk", f"must be one of {', '.join(RISK_LEVELS)}")
    sort = text("sort") or "newest"
    if sort not in SORTS:
        raise InvalidFilter("sort", f"must be one of {', '.join(SORTS)}")
    filters = InboxFilters(
        status=text("status"),
        agency=text("agency"),
        asb_type=text("type"),
        ward=text("ward"),
        risk=risk,
        hate=_yes_no("hate", text("hate")),
        domestic_abuse=_yes_no("domestic_abuse", text("domestic_abuse")),
        date_from=_date("from", text("from")),
        date_to=_date("to", text("to")),
        q=text("q"),
        sort=sort,
        page=_page_number(text("page")),
        per_page=_positive_int("per_page", text("per_page"), PER_PAGE_DEFAULT, PER_PAGE_MAX),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidFilter("from", "must not be after to")
    return filters


def london_day_start(day: date) -> datetime:
    """Midnight in Europe/London at the start of a day, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def apply_filters(stmt: SelectT, actor: Actor, filters: InboxFilters) -> SelectT:
    """Add the actor's scope and the filters to a select over reports."""
    conditions = [report_scope(actor)]
    if filters.status == "active":
        conditions.append(Report.status.in_(ACTIVE_STATUSES))  # IN, not !=, so the status index is used
    elif filters.status:
        conditions.append(Report.status == filters.status)
    if filters.agency:
        conditions.append(Report.lead_agency == filters.agency)
    if filters.asb_type:
        conditions.append(Report.asb_type == filters.asb_type)
    if filters.ward:
        conditions.append(Report.ward == filters.ward)
    if filters.risk:
        conditions.append(Report.risk_level == filters.risk)
    if filters.hate is not None:
        conditions.append(Report.hate.is_(filters.hate))
    if filters.domestic_abuse is not None:
        conditions.append(Report.domestic_abuse.is_(filters.domestic_abuse))
    if filters.date_from:
        conditions.append(Report.created_at >= london_day_start(filters.date_from))
    if filters.date_to:
        conditions.append(Report.created_at < london_day_start(filters.date_to + timedelta(days=1)))
    if filters.q:
        reference = parse_reference(filters.q)
        if reference:
            conditions.append(Report.reference == reference)
        else:
            fragment = "".join(ch for ch in filters.q.upper() if ch.isalnum() or ch == "-")
            conditions.append(Report.reference.like(f"%{fragment}%") if fragment else Report.id.is_(None))
    return stmt.where(and_(*conditions))


def order_for(sort: str) -> tuple[Any, ...]:
    """ORDER BY terms for a sort name (ties broken by id so pages never overlap)."""
    if sort == "oldest":
        return (Report.created_at.asc(), Report.id.asc())
    if sort == "due":
        # Reports without a target last; matches the (due_at, id) index on PostgreSQL.
        return (Report.due_at.asc().nulls_last(), Report.id.asc())
    if sort == "risk":
        # Alphabetical order of the levels is the order wanted (high, medium, standard): uses an index.
        return (Report.risk_level.asc(), Report.created_at.desc(), Report.id.desc())
    # "Newest": latest activity first (filed, or a new diary entry), so a report the resident has added
    # to comes back to the top. Reports stored before the column existed fall back to when they were filed.
    return (Report.last_activity_at.desc().nulls_last(), Report.id.desc())


LIST_COLUMNS = (
    Report.id,
    Report.reference,
    Report.asb_type,
    Report.status,
    Report.lead_agency,
    Report.ward,
    Report.risk_level,
    Report.hate,
    Report.domestic_abuse,
    Report.created_at,
    Report.due_at,
    Report.first_response_at,
    Report.repeat_victim_count,
    Report.repeat_location_count,
    Report.case_review_eligible,
    Report.linked_to_id,
    Report.hotspot,
    Report.diary_count,
    Report.last_diary_at,
    Report.last_public_update_at,
)


def _row_badges(r: Any, linked_count: int, overdue: bool) -> list[Badge]:
    return badges_for(
        risk_level=r.risk_level,
        repeat_victim_count=r.repeat_victim_count or 0,
        repeat_location_count=r.repeat_location_count or 0,
        case_review_eligible=bool(r.case_review_eligible),
        linked_count=linked_count,
        overdue=overdue,
        hate=r.hate,
        domestic_abuse=r.domestic_abuse,
        hotspot=bool(r.hotspot),
        diary_count=r.diary_count or 0,
        new_diary=has_new_diary(r.status, r.last_diary_at, r.last_public_update_at),
    )


def _links_for(session: Session, actor: Actor, rows: Sequence[Any]) -> tuple[dict[int, int], dict[int, str]]:
    """Per listed report: how many reports link to it, and its parent's reference if the actor may open it."""
    ids = [r.id for r in rows]
    parent_ids = {r.linked_to_id for r in rows if r.linked_to_id}
    counts = select(Report.linked_to_id, func.count()).where(Report.linked_to_id.in_(ids))
    counted = session.execute(counts.group_by(Report.linked_to_id)).all() if ids else []
    # A parent the officer may not open is never named.
    parents = select(Report.id, Report.reference).where(Report.id.in_(parent_ids), report_scope(actor))
    named = session.execute(parents).all() if parent_ids else []
    return {parent: n for parent, n in counted if parent is not None}, {pid: ref for pid, ref in named}


def list_reports(session: Session, *, actor: Actor, filters: InboxFilters, now: datetime) -> InboxPage:
    """The page of reports the actor asked for, with badges (no personal data is read)."""
    base = apply_filters(select(*LIST_COLUMNS), actor, filters)
    # Counting stops at COUNT_CAP: an exact count of a large list costs a scan of the whole table.
    matches = apply_filters(select(Report.id), actor, filters).limit(COUNT_CAP).subquery()
    total = session.scalar(select(func.count()).select_from(matches)) or 0
    offset = (filters.page - 1) * filters.per_page
    rows = session.execute(
        base.order_by(*order_for(filters.sort)).offset(offset).limit(filters.per_page + 1)
    ).all()
    has_next = len(rows) > filters.per_page
    rows = rows[: filters.per_page]
    linked_counts, parent_refs = _links_for(session, actor, rows)
    out = []
    for r in rows:
        overdue = is_overdue(status=r.status, due_at=r.due_at, first_response_at=r.first_response_at, now=now)
        out.append(
            InboxRow(
                id=r.id,
                reference=r.reference,
                asb_type=r.asb_type,
                status=r.status,
                lead_agency=r.lead_agency,
                ward=r.ward,
                risk_level=r.risk_level,
                hate=r.hate,
                domestic_abuse=r.domestic_abuse,
                created_at=r.created_at,
                due_at=r.due_at,
                linked_to_reference=parent_refs.get(r.linked_to_id) if r.linked_to_id else None,
                badges=_row_badges(r, linked_counts.get(r.id, 0), overdue),
            )
        )
    return InboxPage(rows=out, total=total, filters=filters, has_next=has_next)


def needs_attention_count(session: Session, *, actor: Actor) -> int:
    """How many of the actor's reports have a message that failed permanently (shown on the inbox)."""
    stmt = (
        select(func.count(func.distinct(OutboxMessage.report_id)))
        .select_from(OutboxMessage)
        .join(Report, Report.id == OutboxMessage.report_id)
        .where(OutboxMessage.needs_attention, Report.status != ReportStatus.CLOSED, report_scope(actor))
    )
    return session.scalar(stmt) or 0
