"""Telling the lead agency that evidence arrived: an update carrying links that need its credentials.

The update is the agency's usual referral (reason "evidence"), so it travels by the agency's own method:
an email (links to the report's files on the staff site, which ask for the officer's sign-in) or a
signed webhook event (links to the staff API, which needs the agency's API token). Open311 agencies
are not sent a second service request (that would open a duplicate case); their officers see the files
on the report page. Inbox agencies already see them there.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from casework.core.models import Report
from casework.core.settings import Settings
from casework.messaging import queue_referral

if TYPE_CHECKING:
    from casework.partnership import Partnership

log = logging.getLogger(__name__)

PUSHED_METHODS = ("email", "webhook")


def queue_evidence_update(
    session: Session, report: Report, *, now: datetime, settings: Settings, partnership: Partnership
) -> bool:
    """Queue the lead agency's update about new evidence when its method can carry one; True if queued."""
    agency = partnership.agencies.get(report.lead_agency)
    if agency is None or agency.referral.method not in PUSHED_METHODS:
        return False
    queue_referral(
        session,
        report,
        report.lead_agency,
        now,
        "evidence",
        partnership=partnership,
        base_url=settings.PUBLIC_BASE_URL,
    )
    return True
