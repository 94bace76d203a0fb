"""Retention, subject access and erasure cover photos and recordings: erasure deletes the stored files."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.cli.privacy import run_erase, run_sar
from casework.core.bootstrap import Services
from casework.core.models import EvidenceFile, Report
from casework.evidence import (
    Limits,
    LocalStorage,
    StoredFileMissing,
    check_file,
    put_checked,
    record_stored,
    storage_for,
)
from casework.privacy import run_retention
from tests import media_samples as samples
from tests.integration.privacy.test_retention import close, file_sms_report

PHONE = "+447700900123"
OTHER = "+447700900999"


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {"MEDIA_DIR": str(tmp_path / "media")}


def send_photo(
    services: Services, report: Report | None, *, contact_id: int, sender_id: str, days_ago: int = 0
) -> EvidenceFile:
    """A photo stored as the MMS job or web upload stores it (attached to the sender's open report)."""
    checked = check_file(samples.jpeg_with_gps(), Limits.from_settings(services.settings))
    keys = put_checked(storage_for(services.settings), checked)
    at = services.clock.now() - timedelta(days=days_ago)
    with services.sessions() as s, s.begin():
        row = EvidenceFile(
            contact_id=contact_id, sender_id=sender_id, channel="sms", status="fetching", created_at=at
        )
        s.add(row)
        s.flush()
        attached = record_stored(s, row, checked, keys, at)
        assert (attached.id if attached else None) == (report.id if report else None)
        s.flush()
        s.expunge(row)
    return row


def exists(services: Services, key: str | None) -> bool:
    try:
        LocalStorage(services.settings.MEDIA_DIR).get(key or "")
    except (StoredFileMissing, ValueError):
        return False
    return True


def test_erasure_deletes_the_numbers_files_and_no_one_elses(services: Services, tmp_path: Path) -> None:
    mine = file_sms_report(services, phone=PHONE)
    theirs = file_sms_report(services, phone=OTHER, submission="n", description="Dogs barking")
    my_photo = send_photo(
        services, mine, contact_id=mine.contact_id or 0, sender_id=mine.conversation_id or ""
    )
    their_photo = send_photo(
        services, theirs, contact_id=theirs.contact_id or 0, sender_id=theirs.conversation_id or ""
    )

    sar = tmp_path / "sar.json"
    counts = run_sar(services, phone=PHONE, out=sar)
    data = json.loads(sar.read_text())
    assert [f["id"] for f in data["evidence_files"]] == [my_photo.id]
    assert "storage_key" not in data["evidence_files"][0]
    assert counts["evidence_files_written"] == 1
    copied = (tmp_path / "sar-files" / f"{my_photo.id}.jpg").read_bytes()
    assert copied[:2] == b"\xff\xd8"

    erased = run_erase(services, phone=PHONE, include_open=True)

    assert erased["evidence_files_deleted"] == 1
    assert not exists(services, my_photo.storage_key) and not exists(services, my_photo.thumb_key)
    assert exists(services, their_photo.storage_key)
    with services.sessions() as s:
        assert [r.id for r in s.scalars(select(EvidenceFile))] == [their_photo.id]


def test_retention_deletes_the_files_of_anonymised_reports_and_of_old_unfiled_conversations(
    services: Services,
) -> None:
    report = file_sms_report(services, phone=PHONE)
    photo = send_photo(
        services, report, contact_id=report.contact_id or 0, sender_id=report.conversation_id or ""
    )
    close(services, report.reference, days_ago=services.settings.RETENTION_CLOSED_REPORT_DAYS + 1)
    other = file_sms_report(services, phone=OTHER, submission="n")
    with services.sessions() as s, s.begin():
        s.get(Report, other.id).status = "closed"  # type: ignore[union-attr]
    stray = send_photo(services, None, contact_id=other.contact_id or 0, sender_id="web-stray", days_ago=91)
    recent = send_photo(services, None, contact_id=other.contact_id or 0, sender_id="web-recent", days_ago=2)

    result = run_retention(services)

    assert result.evidence_files_deleted == 2
    assert not exists(services, photo.storage_key) and not exists(services, stray.storage_key)
    assert exists(services, recent.storage_key)
    with services.sessions() as s:
        assert [r.id for r in s.scalars(select(EvidenceFile))] == [recent.id]
