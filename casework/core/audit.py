"""Audit trail and report timeline: written in the same transaction as the change they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from casework.core.models import AuditEvent, Report, ReportEvent


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    at: datetime,
    target_type: str | None = None,
    target_id: str | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did or saw what (staff views of personal data, staff and system actions)."""
    event = AuditEvent(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        ip=ip,
        detail=detail or {},
        created_at=at,
    )
    session.add(event)
    return event


def add_event(
    session: Session,
    report: Report,
    *,
    kind: str,
    actor: str,
    at: datetime,
    body: str = "",
    public: bool = False,
    data: dict[str, Any] | None = None,
    source: str | None = None,
    external_id: str | None = None,
) -> ReportEvent:
    """Append an entry to a report's timeline."""
    event = ReportEvent(
        report_id=report.id,
        kind=kind,
        actor=actor,
        body=body,
        public=public,
        data=data or {},
        source=source,
        external_id=external_id,
        created_at=at,
    )
    session.add(event)
    return event
