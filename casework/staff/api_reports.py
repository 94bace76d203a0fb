"""Reports for the staff API (GET /api/v1/reports[/<reference>]): scoped by role, paginated, audited.

Scope comes from casework.staff.access (triage officers see every report; an agency officer only reports their
agency leads or is copied into; admins and viewers see no case files). Filters and sorting are the
inbox's (casework.staff.inbox), so the API and the inbox always agree. Every read is audited. The
reporter's phone number is never in the API: staff who need to call use the inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casework.core.asb_types import asb_label
from casework.core.audit import audit
from casework.core.db import transaction
from casework.core.models import Report, ReportEvent
from casework.core.values import isoformat as _iso
from casework.diary import diary_entries, entry_as_dict
from casework.staff.access import (
    Actor,
    get_report_for,
    hidden_references,
    redact_references,
    report_scope,
    require,
)
from casework.staff.inbox import apply_filters, order_for, parse_filters

# API parameter names that differ from the inbox's query-string names.
ALIASES = {"asb_type": "type", "lead_agency": "agency", "date_from": "from", "date_to": "to"}


@dataclass(frozen=True)
class ReportsPage:
    """One page of the API's report list."""

    reports: list[dict[str, Any]]
    page: int
    per_page: int
    total: int

    @property
    def next_page(self) -> int | None:
        """The number of the next page, or None on the last."""
        pages = max(1, -(-self.total // self.per_page))
        return self.page + 1 if self.page < pages else None


def serialise(report: Report, linked_to: str | None) -> dict[str, Any]:
    """A report's summary fields for the staff API (no description, no contact details)."""
    return {
        "reference": report.reference,
        "asb_type": report.asb_type,
        "asb_type_label": asb_label(report.asb_type),
        "nsir_class": report.nsir_class,
        "status": report.status,
        "lead_agency": report.lead_agency,
        "copied_agencies": list(report.copied_agencies or []),
        "risk_level": report.risk_level,
        "ward": report.ward,
        "postcode": report.postcode,
        "hate": report.hate,
        "domestic_abuse": report.domestic_abuse,
        "linked_to": linked_to,
        "channel": report.channel,
        "reporter_role": report.reporter_role,
        "repeat_victim_count": report.repeat_victim_count,
        "diary_count": report.diary_count or 0,
        "repeat_location_count": report.repeat_location_count,
        "hotspot": report.hotspot,
        "case_review_eligible": report.case_review_eligible,
        "created_at": _iso(report.created_at),
        "updated_at": _iso(report.updated_at),
        "last_activity_at": _iso(report.last_activity_at),
        "due_at": _iso(report.due_at),
        "first_response_at": _iso(report.first_response_at),
        "closed_at": _iso(report.closed_at),
    }


def _args(args: Mapping[str, str]) -> dict[str, str]:
    out = {ALIASES.get(k, k): v for k, v in args.items()}
    return out


def list_for_api(
    session: Session, *, actor: Actor, args: Mapping[str, str], now: datetime, via: str
) -> ReportsPage:
    """The page of reports the actor may see matching the filters; audited; InvalidFilter on bad input."""
    require(actor, "report.view")
    filters = parse_filters(_args(args))
    total = session.scalar(apply_filters(select(func.count()).select_from(Report), actor, filters)) or 0
    rows = session.scalars(
        apply_filters(select(Report), actor, filters)
        .order_by(*order_for(filters.sort))
        .offset((filters.page - 1) * filters.per_page)
        .limit(filters.per_page)
    ).all()
    parent_ids = {r.linked_to_id for r in rows if r.linked_to_id}
    refs: dict[int, str] = {}
    if parent_ids:
        # Only parents the caller may open are named; a link to another agency's report shows as null.
        refs = dict(
            session.execute(
                select(Report.id, Report.reference).where(Report.id.in_(parent_ids), report_scope(actor))
            ).all()
        )
    audit(
        session,
        actor=actor.label,
        action="api.reports.list",
        at=now,
        target_type="report",
        ip=actor.ip,
        detail={
            "via": via,
            "count": len(rows),
            "references": [r.reference for r in rows],
            "filters": filters.as_query(),
        },
    )
    reports = [serialise(r, refs.get(r.linked_to_id) if r.linked_to_id else None) for r in rows]
    return ReportsPage(reports=reports, page=filters.page, per_page=filters.per_page, total=total)


def _visible_links(session: Session, actor: Actor, report: Report) -> tuple[str | None, list[str]]:
    """The references of the report's parent and duplicates that the actor may open (others unnamed)."""
    linked_to = (
        session.scalar(select(Report.reference).where(Report.id == report.linked_to_id, report_scope(actor)))
        if report.linked_to_id
        else None
    )
    duplicates = session.scalars(
        select(Report.reference)
        .where(Report.linked_to_id == report.id, report_scope(actor))
        .order_by(Report.id)
    ).all()
    return linked_to, list(duplicates)


def _subjects(session: Session, actor: Actor, report: Report) -> list[dict[str, Any]]:
    """The report's subjects as the caller may see them (staff only)."""
    from casework.subjects import api_subjects  # subjects build on staff access: imported late

    return api_subjects(session, actor=actor, report=report)


def report_for_api(
    session: Session, *, actor: Actor, reference: str, now: datetime, via: str
) -> dict[str, Any]:
    """One report in full for the API (NotFound if the actor may not see it); audited."""
    report = get_report_for(session, actor, reference)
    linked_to, duplicates = _visible_links(session, actor, report)
    events = session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id == report.id)
        .order_by(ReportEvent.created_at, ReportEvent.id)
    ).all()
    reasons = [str(r) for r in (report.routing_reasons or [])]
    hidden = hidden_references(session, actor, [*reasons, *(e.body for e in events)])
    body = serialise(report, linked_to)
    body.update(
        {
            "description": report.description,
            "location": report.location_text,
            "occurred": report.occurred_text,
            "ongoing": report.ongoing,
            "tenure": report.tenure,
            "hate_motivation": report.hate_motivation,
            "risk_reasons": list(report.risk_reasons or []),
            "routing_reasons": [redact_references(r, hidden) for r in reasons],
            "case_review_explained": report.case_review_explained,
            "outcome": report.outcome,
            "linked_reports": list(duplicates),
            "subjects": _subjects(session, actor, report),
            "diary": [
                entry_as_dict(e, reference=report.reference) for e in diary_entries(session, report.id)
            ],
            "reporter": {
                "anonymous": report.anonymous,
                "wants_updates": report.wants_updates,
                "has_contact": report.contact_id is not None and not report.anonymous,
            },
            "timeline": [
                {
                    "kind": e.kind,
                    "public": e.public,
                    "body": redact_references(e.body, hidden),
                    "actor": e.actor,
                    "at": _iso(e.created_at),
                }
                for e in events
            ],
        }
    )
    audit(
        session,
        actor=actor.label,
        action="api.report.view",
        at=now,
        target_type="report",
        target_id=report.reference,
        ip=actor.ip,
        detail={"via": via},
    )
    return body


def api_actor(
    session: Session,
    *,
    token: str | None,
    user_id: object,
    staff_api_token: str,
    ip: str | None,
    session_generation: object = None,
) -> tuple[Actor, str] | None:
    """The caller and how they signed in (STAFF_API_TOKEN, a staff bearer token, or a session), or None.

    STAFF_API_TOKEN acts as a triage officer; a staff account's own token acts as that account.
    """
    import hmac

    from casework.staff.access import actor_for
    from casework.staff.accounts import staff_for_token
    from casework.staff.sign_in import staff_for_session

    if token:
        if staff_api_token and hmac.compare_digest(token.encode(), staff_api_token.encode()):
            return Actor(user_id=0, role="triage", ip=ip, name="STAFF_API_TOKEN"), "staff_api_token"
        user = staff_for_token(session, token)
        return (actor_for(user, ip), "bearer") if user is not None else None
    if user_id is not None:
        user = staff_for_session(session, user_id, session_generation)
        if user is not None:
            return actor_for(user, ip), "session"
    return None


class Unauthenticated(Exception):
    """No valid credentials: no token, an unknown token, or no signed-in staff session."""


@dataclass(frozen=True)
class Credentials:
    """What the caller presented: a bearer token and/or a signed-in session's account id and generation."""

    token: str | None
    user_id: object
    staff_api_token: str
    ip: str | None
    session_generation: object = None


def _caller(session: Session, credentials: Credentials) -> tuple[Actor, str]:
    who = api_actor(
        session,
        token=credentials.token,
        user_id=credentials.user_id,
        session_generation=credentials.session_generation,
        staff_api_token=credentials.staff_api_token,
        ip=credentials.ip,
    )
    if who is None:
        raise Unauthenticated()
    return who


def reports_for_caller(
    sessions: sessionmaker[Session], *, credentials: Credentials, args: Mapping[str, str], now: datetime
) -> ReportsPage:
    """The list use case: who is calling, then their reports (filtered, paginated, audited)."""
    with transaction(sessions) as session:
        actor, via = _caller(session, credentials)
        return list_for_api(session, actor=actor, args=args, now=now, via=via)


def report_for_caller(
    sessions: sessionmaker[Session], *, credentials: Credentials, reference: str, now: datetime
) -> dict[str, Any]:
    """The one-report use case: who is calling, then the report if they may see it (audited)."""
    with transaction(sessions) as session:
        actor, via = _caller(session, credentials)
        return report_for_api(session, actor=actor, reference=reference, now=now, via=via)
