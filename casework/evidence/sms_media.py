"""MMS at the SMS door: which media URLs may be fetched, and what the resident is told at once.

Twilio's webhook must be answered within 15 seconds and media can be 20 MB, so nothing is downloaded
while Twilio waits: each acceptable item is written down here as a ``pending`` evidence row and the
reply says it was received and will be checked; the notifier fetches, checks, stores and deletes it
from Twilio moments later (``fetch_sms_media``), and texts the resident only if it had to be refused.

A media URL is fetched only when it is Twilio's Media resource for this very message on our own account,
on Twilio's API host (or TWILIO_API_BASE_URL in tests); anything else is refused and never requested, so
a forged webhook cannot make the service fetch from, or send our credentials to, another host.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from casework.core.models import Contact, EvidenceFile
from casework.core.settings import Settings
from casework.core.states import EvidenceStatus
from casework.evidence.checks import declared_type_refusal

TWILIO_API = "https://api.twilio.com"
MAX_ITEMS = 10  # Twilio sends at most 10 media items with one message
MEDIA_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})/Messages/(?P<message>[MS]M[0-9a-fA-F]{32})"
    r"/Media/(?P<media>ME[0-9a-fA-F]{32})$"
)
NOT_FROM_TWILIO = "it did not come through our text service"
RECEIVED_ONE = "Thanks, we have your photo or file. We will check it and keep it with your report."
RECEIVED_MANY = "Thanks, we have your {n} photos or files. We will check them and keep them with your report."
REFUSED = "We could not accept a file you sent: {reason}."
WORDS_PLEASE = "If you have not reported yet, please tell us in words what is happening."


@dataclass(frozen=True)
class MediaItem:
    """One MediaUrlN / MediaContentTypeN pair from Twilio's webhook form."""

    url: str
    content_type: str


def media_items(form: Any, num_media: int) -> tuple[MediaItem, ...]:
    """Read up to ten media items from the form (``form.get`` like a dict)."""
    get = form.get
    items = []
    for i in range(min(num_media, MAX_ITEMS)):
        url = str(get(f"MediaUrl{i}") or "").strip()
        items.append(MediaItem(url=url, content_type=str(get(f"MediaContentType{i}") or "").strip()))
    return tuple(items)


def media_url_problem(url: str, *, settings: Settings, account_sid: str, message_sid: str) -> str | None:
    """Why this media URL will not be fetched (None when it is Twilio's, for this message and account)."""
    base = urlsplit((settings.TWILIO_API_BASE_URL or TWILIO_API).rstrip("/"))
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc.lower()) != (base.scheme, base.netloc.lower()):
        return f"host {parts.netloc or '?'} is not Twilio's API"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "unexpected query, fragment or credentials in the URL"
    path = parts.path[len(base.path) :] if parts.path.startswith(base.path) else ""
    match = MEDIA_PATH.match(path)
    if match is None:
        return "not a Twilio Media resource path"
    expected = settings.TWILIO_ACCOUNT_SID or account_sid
    if not expected or match["account"] != expected:
        return "the media belongs to another Twilio account"
    if match["message"] != message_sid:
        return "the media belongs to another message"
    return None


def take_sms_media(
    session: Session,
    *,
    settings: Settings,
    contact: Contact,
    message_sid: str,
    account_sid: str,
    items: Sequence[MediaItem],
    now: datetime,
) -> list[str]:
    """Write down each media item (pending fetch, or refused at once) and return what to tell the sender."""
    notes: list[str] = []
    pending = 0
    for item in items:
        problem = media_url_problem(
            item.url, settings=settings, account_sid=account_sid, message_sid=message_sid
        )
        refusal = NOT_FROM_TWILIO if problem else declared_type_refusal(item.content_type)
        session.add(
            EvidenceFile(
                contact_id=contact.id,
                sender_id=contact.sender_id,
                channel="sms",
                message_sid=message_sid,
                status=EvidenceStatus.REFUSED if refusal else EvidenceStatus.PENDING,
                media_type=item.content_type[:60] or None,
                source_url=None if problem else item.url,
                refusal=refusal if not problem else f"{refusal} ({problem})",
                created_at=now,
            )
        )
        if refusal:
            notes.append(REFUSED.format(reason=refusal))
        else:
            pending += 1
    if pending:
        notes.insert(0, RECEIVED_ONE if pending == 1 else RECEIVED_MANY.format(n=pending))
    return notes
