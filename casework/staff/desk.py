"""The officer's desk: the use cases behind the inbox's report page, its actions and the CSV export.

Each is one transaction: what the officer saw or did, its audit row and any outgoing message commit
together, or nothing does (a refused action leaves no trace but the message the officer is shown).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from casework.core.db import transaction
from casework.staff import triage
from casework.staff.access import Actor
from casework.staff.export import export_reports
from casework.staff.inbox import InboxFilters, list_reports, needs_attention_count
from casework.staff.inbox_rows import InboxPage
from casework.staff.place_correction import ward_choices
from casework.staff.report_page import ReportPage, open_report
from casework.staff.sms_preview import preview_public_update
from casework.staff.triage_steps import ActionResult, SmsPreview

if TYPE_CHECKING:
    from casework.partnership import Partnership

PREVIEWED = ("status_update", "closure")


def inbox(
    sessions: sessionmaker[Session], *, actor: Actor, filters: InboxFilters, now: datetime
) -> tuple[InboxPage, int]:
    """One page of the inbox for this officer, and how many reports need their attention."""
    with transaction(sessions) as session:
        page = list_reports(session, actor=actor, filters=filters, now=now)
        return page, needs_attention_count(session, actor=actor)


def view_report(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership | None,
) -> tuple[ReportPage, dict[str, SmsPreview]]:
    """The report page (the view is audited) and what a public update or closure would text."""
    with transaction(sessions) as session:
        page = open_report(session, actor=actor, reference=reference, now=now)
        from casework.subjects import report_section  # subjects build on staff access: imported late

        page.subjects = report_section(session, actor=actor, report=page.report)
        previews = {
            purpose: preview_public_update(page.report, purpose, partnership=partnership)
            for purpose in PREVIEWED
        }
        return page, previews


def act(
    sessions: sessionmaker[Session],
    action: str,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    partnership: Partnership | None,
    **kwargs: Any,
) -> ActionResult:
    """Run one triage action (``triage.ACTIONS``); TriageError says why it was refused."""
    with transaction(sessions) as session:
        return triage.ACTIONS[action](
            session, actor=actor, reference=reference, now=now, partnership=partnership, **kwargs
        )


def export_csv(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    filters: InboxFilters,
    now: datetime,
    include_descriptions: bool,
) -> tuple[str, str]:
    """The filtered reports as CSV (filename, text), audited with who exported what."""
    with transaction(sessions) as session:
        return export_reports(
            session, actor=actor, filters=filters, now=now, include_descriptions=include_descriptions
        )


def place_ward_choices(session: Session, partnership: Partnership) -> list[str]:
    """The wards an officer can place a report in (the partnership's and the imported boundaries')."""
    return ward_choices(session, partnership)
