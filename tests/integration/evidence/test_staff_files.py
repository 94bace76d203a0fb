"""Staff see a report's photos only if they may open the report; every view is audited; never cached."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from casework.core.bootstrap import Services
from casework.core.models import AuditEvent, EvidenceFile
from casework.evidence import Limits, check_file, put_checked, record_stored, storage_for
from casework.staff.accounts import issue_api_token
from tests import media_samples as samples
from tests.factories import cheap_password_hashing, make_contact, make_report, make_staff
from tests.integration.staff.test_inbox_pages import sign_in


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {"MEDIA_DIR": str(tmp_path / "media")}


def report_with_photo(services: Services) -> tuple[str, int]:
    """A report led by the district council (copied: none) with one photo from its reporter."""
    checked = check_file(samples.jpeg_with_gps(), Limits.from_settings(services.settings))
    keys = put_checked(storage_for(services.settings), checked)
    now = services.clock.now()
    with services.sessions() as s, s.begin():
        contact = make_contact(s, sender_id="sms-photo")
        report = make_report(s, contact_id=contact.id, lead_agency="ldc")
        row = EvidenceFile(
            contact_id=contact.id, sender_id="sms-photo", channel="sms", status="fetching", created_at=now
        )
        s.add(row)
        s.flush()
        assert record_stored(s, row, checked, keys, now) is not None
        return report.reference, row.id


def views(services: Services) -> list[AuditEvent]:
    with services.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.view")))


@pytest.mark.parametrize(("role", "agency"), [("triage", None), ("agency", "ldc")])
def test_those_who_may_open_the_report_see_the_thumbnail_and_open_the_file(
    services: Services, client, role: str, agency: str | None
) -> None:
    reference, file_id = report_with_photo(services)
    with services.sessions() as s, s.begin():
        email = make_staff(s, role, agency_id=agency).email
    sign_in(client, email)

    page = client.get(f"/staff/reports/{reference}").get_data(as_text=True)
    thumb_url = f"/staff/reports/{reference}/files/{file_id}/thumbnail"
    assert thumb_url in page and f'href="/staff/reports/{reference}/files/{file_id}"' in page
    assert "Photos and files" in page

    thumb = client.get(thumb_url)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.headers["Cache-Control"] == "no-store"
    full = client.get(f"/staff/reports/{reference}/files/{file_id}")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert full.headers["Cache-Control"] == "no-store"
    assert f'filename="{reference}-{file_id}.jpg"' in full.headers["Content-Disposition"]
    assert b"PhoneMaker" not in full.data

    audited = views(services)
    assert [(a.target_id, a.detail["thumbnail"]) for a in audited] == [
        (str(file_id), True),
        (str(file_id), False),
    ]


def test_an_agency_that_cannot_open_the_report_gets_404_for_page_and_files(
    services: Services, client
) -> None:
    reference, file_id = report_with_photo(services)
    with services.sessions() as s, s.begin():
        email = make_staff(s, "agency", agency_id="staffs-police").email
    sign_in(client, email)
    assert client.get(f"/staff/reports/{reference}").status_code == 404
    assert client.get(f"/staff/reports/{reference}/files/{file_id}").status_code == 404
    assert client.get(f"/staff/reports/{reference}/files/{file_id}/thumbnail").status_code == 404
    assert views(services) == []


def test_a_file_of_another_report_does_not_open_under_this_reference(services: Services, client) -> None:
    reference, file_id = report_with_photo(services)
    with services.sessions() as s, s.begin():
        other = make_report(s).reference
        email = make_staff(s, "triage").email
    sign_in(client, email)
    assert client.get(f"/staff/reports/{other}/files/{file_id}").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(services: Services, client) -> None:
    reference, file_id = report_with_photo(services)
    resp = client.get(f"/staff/reports/{reference}/files/{file_id}")
    assert resp.status_code in (302, 303) and "/staff/login" in resp.headers["Location"]


def test_the_staff_api_serves_files_to_the_agency_token_of_an_agency_that_may_see_the_report(
    services: Services, client
) -> None:
    reference, file_id = report_with_photo(services)
    now = services.clock.now()
    with services.sessions() as s, s.begin():
        lead = issue_api_token(s, make_staff(s, "agency", agency_id="ldc"), now=now, actor="system")
        other = issue_api_token(
            s, make_staff(s, "agency", agency_id="staffs-police"), now=now, actor="system"
        )
    url = f"/api/v1/reports/{reference}/files/{file_id}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 404
    ok = client.get(url, headers={"Authorization": f"Bearer {lead}"})
    assert ok.status_code == 200 and ok.mimetype == "image/jpeg" and ok.headers["Cache-Control"] == "no-store"
    assert [a.detail["via"] for a in views(services)] != []
