"""The notifier's MMS job: fetch each pending item from Twilio, check it, store it, delete it from Twilio.

The HTTP side (``MediaSource``) is the notifier's (requests, with the account's credentials); this use
case decides. A refused item is deleted from Twilio too, and the sender is texted why, unless texting
them is not safe (the most cautious answer of the contact and their open reports wins).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.core.bootstrap import Services
from casework.core.db import transaction
from casework.core.models import Contact, EvidenceFile, Report
from casework.core.states import EvidenceStatus
from casework.evidence.checks import Checked, Limits, Refused, check_file
from casework.evidence.files import put_checked, record_stored
from casework.evidence.sms_media import NOT_FROM_TWILIO, media_url_problem
from casework.evidence.storage import storage_for
from casework.evidence.updates import queue_evidence_update
from casework.messaging import enqueue

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=10)
DOWNLOAD_FAILED = "we could not download it from the phone network"
REFUSAL_SMS = (
    "We could not accept the photo or file you sent us: {reason}. Anything you wrote is kept. "
    "In danger now? Call 999."
)


class FetchFailed(Exception):
    """The download or delete did not work; ``permanent`` when trying again cannot help (404, 403)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class MediaSource(Protocol):
    """Twilio's Media API as the job needs it."""

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """The media bytes; Refused when over ``max_bytes``, FetchFailed when it cannot be had."""

    def delete(self, url: str) -> None:
        """Delete the media from Twilio's storage; FetchFailed when that did not work."""


@dataclass
class FetchRun:
    """What one run did."""

    stored: int = 0
    refused: int = 0
    retried: int = 0
    deleted_from_twilio: int = 0
    reports: set[int] = field(default_factory=set)


def _claim(services: Services, now: datetime, limit: int) -> list[int]:
    with transaction(services.sessions) as session:
        session.execute(
            update(EvidenceFile)
            .where(
                EvidenceFile.status == EvidenceStatus.FETCHING, EvidenceFile.created_at < now - STUCK_AFTER
            )
            .values(status=EvidenceStatus.PENDING)
            .execution_options(synchronize_session=False)
        )
        stmt = (
            select(EvidenceFile)
            .where(EvidenceFile.status == EvidenceStatus.PENDING, EvidenceFile.channel == "sms")
            .order_by(EvidenceFile.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(session.scalars(stmt))
        for row in rows:
            row.status = EvidenceStatus.FETCHING
            row.attempts = (row.attempts or 0) + 1
        return [row.id for row in rows]


def fetch_sms_media(services: Services, source: MediaSource, *, limit: int = 20) -> FetchRun:
    """Fetch, check and store pending MMS items; delete them (and refused ones) from Twilio."""
    run = FetchRun()
    for row_id in _claim(services, services.clock.now(), limit):
        _fetch_one(services, source, row_id, run)
    _delete_from_twilio(services, source, run)
    if run.reports:
        with transaction(services.sessions) as session:
            for report_id in sorted(run.reports):
                report = session.get(Report, report_id)
                if report is not None:
                    queue_evidence_update(
                        session,
                        report,
                        now=services.clock.now(),
                        settings=services.settings,
                        partnership=services.partnership,
                    )
    return run


def _download(services: Services, source: MediaSource, url: str, message_sid: str) -> Checked | str | None:
    """The checked file, a refusal (str), or None to try again later."""
    settings = services.settings
    if media_url_problem(url, settings=settings, account_sid="", message_sid=message_sid):
        return NOT_FROM_TWILIO
    limits = Limits.from_settings(settings)
    try:
        return check_file(source.fetch(url, max_bytes=limits.largest), limits)
    except Refused as exc:
        return str(exc)
    except FetchFailed as exc:
        log.warning("mms media: download failed (%s)", exc)
        return DOWNLOAD_FAILED if exc.permanent else None


def _fetch_one(services: Services, source: MediaSource, row_id: int, run: FetchRun) -> None:
    with transaction(services.sessions) as session:
        row = session.get(EvidenceFile, row_id)
        assert row is not None
        url, message_sid, attempts = row.source_url or "", row.message_sid or "", row.attempts
    outcome = _download(services, source, url, message_sid)
    if outcome is None and attempts < MAX_ATTEMPTS:
        run.retried += 1
        with transaction(services.sessions) as session:
            session.execute(
                update(EvidenceFile).where(EvidenceFile.id == row_id).values(status=EvidenceStatus.PENDING)
            )
        return
    keys = put_checked(storage_for(services.settings), outcome) if isinstance(outcome, Checked) else None
    now = services.clock.now()
    with transaction(services.sessions) as session:
        row = session.get(EvidenceFile, row_id)
        if row is None or row.status != EvidenceStatus.FETCHING:
            return
        if isinstance(outcome, Checked) and keys is not None:
            report = record_stored(session, row, outcome, keys, now)
            run.stored += 1
            if report is not None:
                run.reports.add(report.id)
            return
        run.refused += 1
        row.status = EvidenceStatus.REFUSED
        row.refusal = outcome if isinstance(outcome, str) else DOWNLOAD_FAILED
        if row.refusal == NOT_FROM_TWILIO:
            row.source_url = None
        _queue_refusal_sms(session, row, now)


def _delete_from_twilio(services: Services, source: MediaSource, run: FetchRun) -> None:
    """Delete every fetched or refused item still held by Twilio (retried on the next run if it fails)."""
    with transaction(services.sessions) as session:
        rows = session.execute(
            select(EvidenceFile.id, EvidenceFile.source_url).where(
                EvidenceFile.status.in_(
                    (EvidenceStatus.STORED, EvidenceStatus.REFUSED, EvidenceStatus.PURGE)
                ),
                EvidenceFile.source_url.is_not(None),
                EvidenceFile.channel == "sms",
            )
        ).all()
    for row_id, held in rows:
        url = str(held or "")
        if media_url_problem(url, settings=services.settings, account_sid="", message_sid=url.split("/")[-3]):
            continue
        try:
            source.delete(url)
        except FetchFailed as exc:
            log.warning("mms media: delete from Twilio failed (%s); will try again", exc)
            continue
        run.deleted_from_twilio += 1
        with transaction(services.sessions) as session:
            session.execute(update(EvidenceFile).where(EvidenceFile.id == row_id).values(source_url=None))


def _texting_blocked(session: Session, contact: Contact | None) -> str | None:
    if contact is None or not contact.phone:
        return "no phone number"
    if contact.sms_opted_out or contact.number_invalid or contact.text_safe is False:
        return "texting this number is not allowed"
    reports = session.scalars(
        select(Report).where(Report.contact_id == contact.id, Report.anonymised_at.is_(None))
    ).all()
    for report in reports:
        if report.text_safe is False or (report.domestic_abuse and report.text_safe is not True):
            return "a report from this number says texting is not safe"
    return None


def _queue_refusal_sms(session: Session, row: EvidenceFile, now: datetime) -> None:
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    blocked = _texting_blocked(session, contact)
    if blocked or contact is None or contact.phone is None:
        log.info("mms media %s refused; no text sent (%s)", row.id, blocked)
        return
    enqueue(
        session,
        kind="sms",
        transport="sms",
        purpose="reply",
        now=now,
        recipient=contact.phone,
        body=REFUSAL_SMS.format(reason=row.refusal),
        contact_id=contact.id,
        dedupe_key=f"evidence-refused:{row.id}",
    )
