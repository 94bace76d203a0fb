"""Staff correct a report's place and ward on the report page; the dashboard and report page show maps."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from casework.core.bootstrap import Services
from casework.core.models import AuditEvent, Report, ReportEvent
from tests.factories import cheap_password_hashing, make_report, make_staff
from tests.integration.staff.test_inbox_pages import csrf_from, sign_in


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def _setup(services: Services, *, lead: str = "ldc") -> tuple[str, str, str]:
    with services.sessions() as db:
        triage = make_staff(db, "triage")
        other_agency = make_staff(db, "agency", agency_id="staffs-police")
        ref = make_report(db, lead_agency=lead, latitude=None, longitude=None).reference
        db.commit()
        return ref, triage.email, other_agency.email


def test_an_officer_corrects_the_place_and_it_is_audited(loaded: Services, client: Any) -> None:
    ref, triage, _ = _setup(loaded)
    sign_in(client, triage)
    page = client.get(f"/staff/reports/{ref}").get_data(as_text=True)
    assert 'id="place-form"' in page and "Where in the ward" in page
    resp = client.post(
        f"/staff/reports/{ref}/place",
        data={
            "csrf_token": csrf_from(page),
            "place": "Main Street, Stonnall",
            "ward": "",
            "reason": "Caller rang back",
        },
    )
    assert resp.status_code == 303
    with loaded.sessions() as s:
        report = s.scalars(select(Report).where(Report.reference == ref)).one()
        assert (report.ward, report.place_key, report.place_method) == (
            "Little Aston and Stonnall",
            "main street",
            "staff",
        )
        assert report.latitude is not None
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "report.place_corrected")).one()
        assert audit.target_id == ref and audit.detail["from"]["ward"] == "Chasetown"
        assert audit.detail["to"]["ward"] == "Little Aston and Stonnall"
        assert (
            s.scalars(select(ReportEvent).where(ReportEvent.kind == "place_corrected")).one().body
            == "Caller rang back"
        )
    page = client.get(f"/staff/reports/{ref}").get_data(as_text=True)
    assert 'class="report-dot"' in page and "placed by staff" in page


def test_a_ward_chosen_by_hand_wins_and_an_unknown_ward_is_refused(loaded: Services, client: Any) -> None:
    ref, triage, _ = _setup(loaded)
    sign_in(client, triage)
    token = csrf_from(client.get(f"/staff/reports/{ref}").get_data(as_text=True))
    client.post(f"/staff/reports/{ref}/place", data={"csrf_token": token, "ward": "Longdon", "reason": "r"})
    client.post(f"/staff/reports/{ref}/place", data={"csrf_token": token, "ward": "Atlantis", "reason": "r"})
    with loaded.sessions() as s:
        assert s.scalars(select(Report.ward).where(Report.reference == ref)).one() == "Longdon"


def test_the_correction_needs_csrf_and_respects_agency_scope(loaded: Services, client: Any) -> None:
    ref, _, police = _setup(loaded, lead="ldc")
    sign_in(client, police)
    assert client.get(f"/staff/reports/{ref}").status_code == 404
    token = (
        csrf_from(client.get("/staff/inbox").get_data(as_text=True))
        if "csrf_token" in client.get("/staff/inbox").get_data(as_text=True)
        else ""
    )
    resp = client.post(
        f"/staff/reports/{ref}/place", data={"csrf_token": token, "ward": "Stowe", "reason": "r"}
    )
    assert resp.status_code in (303, 404)
    assert (
        client.post(f"/staff/reports/{ref}/place", data={"ward": "Stowe", "reason": "r"}).status_code == 400
    )
    with loaded.sessions() as s:
        assert s.scalars(select(Report.ward).where(Report.reference == ref)).one() == "Chasetown"
        assert (
            s.scalars(select(AuditEvent).where(AuditEvent.action == "report.place_corrected")).first() is None
        )


def test_the_dashboard_draws_the_wards_with_hotspots_and_a_table(loaded: Services, client: Any) -> None:
    with loaded.sessions() as db:
        email = make_staff(db, "triage").email
        make_report(db, ward="Stowe")
        db.commit()
    sign_in(client, email)
    page = client.get("/staff/dashboard").get_data(as_text=True)
    assert page.count('<path class="ward level-') == 22
    assert 'class="ward level-4 hotspot"' in page  # Stowe: the only ward with a report, and a hotspot
    assert 'id="ward-map-table"' in page and "style=" not in page.split('id="ward-map"')[1].split("</svg>")[0]


def test_without_boundaries_there_is_no_map(services: Services, client: Any) -> None:
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    sign_in(client, email)
    assert 'id="ward-map"' not in client.get("/staff/dashboard").get_data(as_text=True)
