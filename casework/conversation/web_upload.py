"""Web chat uploads: a photo or short recording checked, stored and kept with the sender's report.

Checked before anything is stored (type from the bytes, size, images cleaned of EXIF/GPS); kept with
the sender's latest open report, or with the conversation until the report it is telling us about is
filed. Both sides go into the transcript, so the chat shows the upload after a reload.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from casework.conversation.contacts import get_or_create_web_contact
from casework.conversation.transcript import RESIDENT, record_assistant_messages, record_turn
from casework.core.bootstrap import Services
from casework.core.db import transaction
from casework.core.models import EvidenceFile
from casework.core.states import EvidenceStatus
from casework.evidence import (
    KIND_WORDS,
    Refused,
    check_bytes,
    put_checked,
    queue_evidence_update,
    record_stored,
    storage_for,
)

UPLOADS_PER_HOUR = 20
KEPT_WITH = "Thanks, we have your {what}. It is kept with your report {reference}."
KEPT_FOR_LATER = "Thanks, we have your {what}. It will be kept with the report you make in this chat."
REFUSED = "Sorry, we could not accept that file: {reason}."
LIMITED = "You have sent a lot of files in a short time. Please wait an hour before sending more."


class UploadRefused(ValueError):
    """The file was not accepted; the message says why (shown to the resident)."""


class UploadLimited(UploadRefused):
    """Too many uploads from this chat in the last hour."""


def upload_evidence(services: Services, *, sender_id: str, data: bytes) -> str:
    """Check, store and attach one uploaded file; returns what the chat says back (UploadRefused if not)."""
    now = services.clock.now()
    with transaction(services.sessions) as session:
        recent = session.scalar(
            select(func.count(EvidenceFile.id)).where(
                EvidenceFile.sender_id == sender_id,
                EvidenceFile.channel == "web",
                EvidenceFile.created_at >= now - timedelta(hours=1),
            )
        )
    if (recent or 0) >= UPLOADS_PER_HOUR:
        raise UploadLimited(LIMITED)
    try:
        checked = check_bytes(services.settings, data)
    except Refused as exc:
        raise UploadRefused(REFUSED.format(reason=exc)) from exc
    keys = put_checked(storage_for(services.settings), checked)
    what = KIND_WORDS.get(checked.kind, "file")
    with transaction(services.sessions) as session:
        contact = get_or_create_web_contact(session, sender_id=sender_id, now=now)
        row = EvidenceFile(
            contact_id=contact.id,
            sender_id=sender_id,
            channel="web",
            status=EvidenceStatus.FETCHING,
            created_at=now,
        )
        session.add(row)
        session.flush()
        report = record_stored(session, row, checked, keys, now)
        if report is not None:
            queue_evidence_update(
                session, report, now=now, settings=services.settings, partnership=services.partnership
            )
        answer = (
            KEPT_WITH.format(what=what, reference=report.reference)
            if report
            else KEPT_FOR_LATER.format(what=what)
        )
        record_turn(session, sender_id=sender_id, speaker=RESIDENT, text=f"[{what} sent]", now=now)
        record_assistant_messages(session, sender_id=sender_id, messages=[{"text": answer}], now=now)
    return answer
