"""What a public update or closure would text the reporter, shown to the officer before they send it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casework.core.models import Report
from casework.core.sms_text import encoding, segments
from casework.messaging import render, sms_block_reason
from casework.staff.triage_steps import SmsPreview

if TYPE_CHECKING:
    from casework.partnership import Partnership


def render_sms(purpose: str, report: Report, partnership: Partnership | None) -> str:
    """The exact text notify_victim would queue for this report and purpose."""
    return render(purpose, reference=report.reference, partnership=partnership)


def preview_public_update(
    report: Report, purpose: str = "", *, partnership: Partnership | None
) -> SmsPreview:
    """What a public update (or closure) would text the reporter, its length and segments, or why not."""
    purpose = purpose or "status_update"
    text = render_sms(purpose, report, partnership)
    contact = report.contact
    blocked = sms_block_reason(report, contact)
    return SmsPreview(
        text=text, length=len(text), segments=segments(text), encoding=encoding(text), blocked=blocked
    )
