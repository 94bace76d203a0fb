"""The shared steps of every triage action: load, check, touch, record and notify; the result shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.audit import add_event, audit
from casework.core.models import OutboxMessage, Report
from casework.core.states import OutboxStatus
from casework.messaging import notify_victim
from casework.staff.access import Actor, get_report_for, require

if TYPE_CHECKING:
    from casework.partnership import Partnership

MAX_MESSAGE = 2000


class TriageError(Exception):
    """An action that cannot be done as asked (the message tells the officer why; nothing was changed)."""


@dataclass(frozen=True)
class ActionResult:
    """What an action did, for the officer."""

    reference: str
    message: str
    still_visible: bool = True


@dataclass(frozen=True)
class SmsPreview:
    """The text a resident would receive, with its length and billing segments, or why none will go."""

    text: str
    length: int
    segments: int
    encoding: str
    blocked: str | None


def _load(session: Session, actor: Actor, reference: str) -> Report:
    require(actor, "report.act")
    return get_report_for(session, actor, reference, for_update=True)


def _clean(text: str | None, field: str, *, required: bool) -> str:
    value = (text or "").strip()
    if required and not value:
        raise TriageError(f"{field}: please fill this in")
    if len(value) > MAX_MESSAGE:
        raise TriageError(f"{field}: keep it under {MAX_MESSAGE} characters")
    return value


def _touch(report: Report, now: datetime) -> None:
    if report.first_response_at is None:
        report.first_response_at = now
    report.updated_at = now


def _record(
    session: Session,
    report: Report,
    actor: Actor,
    now: datetime,
    *,
    kind: str,
    body: str = "",
    public: bool = False,
    data: dict[str, Any] | None = None,
) -> None:
    """Timeline entry and audit row for an action, in the action's transaction."""
    _touch(report, now)
    add_event(session, report, kind=kind, actor=actor.label, at=now, body=body, public=public, data=data)
    audit(
        session,
        actor=actor.label,
        action=f"report.{kind}",
        at=now,
        target_type="report",
        target_id=report.reference,
        ip=actor.ip,
        detail=data or {},
    )


def _notify_all(
    session: Session,
    report: Report,
    *,
    purpose: str,
    now: datetime,
    partnership: Partnership | None,
    tag: str,
) -> list[OutboxMessage]:
    """Text the reporter and the reporters of linked duplicates (each under their own reference)."""
    rows = []
    duplicates = session.scalars(select(Report).where(Report.linked_to_id == report.id)).all()
    for target in (report, *duplicates):
        row = notify_victim(
            session,
            target,
            purpose=purpose,
            now=now,
            partnership=partnership,
            dedupe_key=f"{purpose}:{target.id}:{tag}",
        )
        if row is not None:
            rows.append(row)
    return rows


def _sms_note(rows: list[OutboxMessage]) -> str:
    queued = sum(1 for r in rows if r.status != OutboxStatus.CANCELLED)
    held = len(rows) - queued
    parts = []
    if queued:
        parts.append(f"{queued} text{'s' if queued != 1 else ''} queued")
    if held:
        parts.append(f"{held} not sent (see Texts)")
    return (" " + "; ".join(parts) + ".") if parts else " No text sent (no phone number)."
