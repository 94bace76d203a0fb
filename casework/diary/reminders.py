"""One kind reminder to keep the diary, by text, where the partnership's self-help says to keep one.

A week after a report is filed (``REMINDER_AFTER``), if it is still open and nothing has been added to
it, the reporter gets one neutral text saying how to add to it. At most one per report (the outbox dedupe
key), only through ``notify_victim`` (safe contact: never to an opted-out number, an anonymous report, a
reporter who did not ask for texts, or one who said texting is not safe), and the notifier holds it
through quiet hours. Reports older than ``REMINDER_AFTER + REMINDER_WINDOW`` are never reminded (a new
deployment does not text about old cases).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casework.core.asb_types import ASB_TYPES
from casework.core.db import transaction
from casework.core.models import OutboxMessage, Report
from casework.core.states import OutboxStatus, ReportStatus
from casework.intake import prompts_diary
from casework.messaging import notify_victim

if TYPE_CHECKING:
    from casework.partnership import Partnership

REMINDER_AFTER = timedelta(days=7)
REMINDER_WINDOW = timedelta(days=7)
PURPOSE = "diary_reminder"


def reminders_due(session: Session, *, now: datetime, partnership: Partnership, limit: int = 500) -> int:
    """Queue the diary reminder for reports that are due one (rule); returns how many may go."""
    diary_types = [code for code in sorted(ASB_TYPES) if prompts_diary(partnership, code)]
    if not diary_types:
        return 0
    reminded = select(OutboxMessage.id).where(
        OutboxMessage.report_id == Report.id, OutboxMessage.purpose == PURPOSE
    )
    stmt = (
        select(Report)
        .where(
            Report.asb_type.in_(diary_types),
            Report.status != ReportStatus.CLOSED,
            Report.linked_to_id.is_(None),
            Report.anonymised_at.is_(None),
            Report.contact_id.is_not(None),
            Report.diary_count == 0,
            Report.created_at <= now - REMINDER_AFTER,
            Report.created_at > now - REMINDER_AFTER - REMINDER_WINDOW,
            ~reminded.exists(),
        )
        .order_by(Report.id)
        .limit(limit)
    )
    queued = 0
    for report in session.scalars(stmt):
        row = notify_victim(
            session,
            report,
            purpose=PURPOSE,
            now=now,
            partnership=partnership,
            dedupe_key=f"{PURPOSE}:{report.id}",
        )
        if row is not None and row.status == OutboxStatus.PENDING:
            queued += 1
    return queued


def queue_diary_reminders(sessions: sessionmaker[Session], *, now: datetime, partnership: Partnership) -> int:
    """Use case for the notifier's clock: queue due diary reminders in one transaction."""
    with transaction(sessions) as session:
        return reminders_due(session, now=now, partnership=partnership)
