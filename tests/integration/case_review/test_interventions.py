"""Interventions on a report: recorded from the partnership's list on the report page, audited, scoped like
the report, counted by class and agency on the dashboard and in the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from casework.core.models import AuditEvent, Intervention, Report, ReportEvent
from casework.interventions import InterventionError, record
from casework.staff import Actor, NotFound
from tests.factories import cheap_password_hashing, make_report, make_staff
from tests.integration.staff.test_inbox_pages import csrf_from, sign_in


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def test_officer_records_interventions_on_the_report_page_and_they_are_counted(services, clock, client):
    with services.sessions() as db:
        make_staff(db, "triage", email="t@example.org")
        report = make_report(db)
        db.commit()
    sign_in(client, "t@example.org")
    page = client.get(f"/staff/reports/{report.reference}").get_data(as_text=True)
    assert 'id="intervention-form"' in page and "Community Protection Warning (enforcement)" in page
    token = csrf_from(page)
    url = f"/staff/reports/{report.reference}/interventions"
    for kind, agency, outcome in [
        ("cpw", "ldc", "Warning served at the door."),
        ("mediation_referral", "mediation", ""),
        ("advice", "staffs-police", "Advised to keep a diary."),
    ]:
        resp = client.post(
            url,
            data={
                "csrf_token": token,
                "kind": kind,
                "agency_id": agency,
                "done_on": "2026-11-17",
                "outcome": outcome,
            },
        )
        assert resp.status_code == 303
    bad = client.post(
        url,
        data={"csrf_token": token, "kind": "cpw", "agency_id": "ldc", "done_on": "2026-12-25"},
        follow_redirects=True,
    )
    assert "cannot be in the future" in bad.get_data(as_text=True)
    page = client.get(f"/staff/reports/{report.reference}").get_data(as_text=True)
    assert "Warning served at the door." in page and "Waiting for mediation" in page
    with services.sessions() as db:
        rows = db.scalars(select(Intervention).order_by(Intervention.id)).all()
        assert [(r.kind, r.intervention_class, r.agency_id) for r in rows] == [
            ("cpw", "enforcement", "ldc"),
            ("mediation_referral", "preventative", "mediation"),
            ("advice", "advisory", "staffs-police"),
        ]
        med = rows[1]
        assert med.mediation_outcome == "pending"
        audits = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("intervention.%"))).all()
        assert audits == ["intervention.recorded"] * 3
        assert db.get(Report, report.id).first_response_at == clock.now()
        assert db.scalars(select(ReportEvent.kind).where(ReportEvent.kind == "intervention")).all()
    resp = client.post(
        f"/staff/reports/{report.reference}/interventions/{med.id}/mediation",
        data={"csrf_token": token, "mediation_outcome": "resolved"},
    )
    assert resp.status_code == 303
    with services.sessions() as db:
        assert db.get(Intervention, med.id).mediation_outcome == "resolved"
    dash = client.get("/staff/dashboard").get_data(as_text=True)
    assert "Interventions by class" in dash and "Interventions by agency" in dash
    export = client.get("/staff/export.csv").get_data(as_text=True)
    (row,) = list(csv.DictReader(io.StringIO(export)))
    assert (
        row["interventions_preventative"],
        row["interventions_enforcement"],
        row["interventions_advisory"],
    ) == ("1", "1", "1")
    assert row["intervention_agencies"] == "ldc:1 mediation:1 staffs-police:1"


def test_agency_officer_records_only_for_its_agency_on_reports_it_may_open(services, clock, client):
    p = services.partnership
    with services.sessions() as db:
        make_staff(db, "agency", email="police@example.org", agency_id="staffs-police")
        copied = make_report(db, lead_agency="ldc", copied_agencies=["staffs-police"])
        other = make_report(db, lead_agency="ldc")
        db.commit()
    actor = Actor(user_id=1, role="agency", agency_id="staffs-police")
    with pytest.raises(NotFound):
        record(
            services.sessions,
            actor=actor,
            reference=other.reference,
            now=clock.now(),
            partnership=p,
            kind="advice",
            agency_id="staffs-police",
            done_on=date(2026, 11, 18),
        )
    with pytest.raises(InterventionError, match="your own agency"):
        record(
            services.sessions,
            actor=actor,
            reference=copied.reference,
            now=clock.now(),
            partnership=p,
            kind="advice",
            agency_id="ldc",
            done_on=date(2026, 11, 18),
        )
    sign_in(client, "police@example.org")
    page = client.get(f"/staff/reports/{copied.reference}").get_data(as_text=True)
    resp = client.post(
        f"/staff/reports/{other.reference}/interventions",
        data={
            "csrf_token": csrf_from(page),
            "kind": "fpn",
            "agency_id": "staffs-police",
            "done_on": "2026-11-18",
        },
    )
    assert resp.status_code == 404
    resp = client.post(
        f"/staff/reports/{copied.reference}/interventions",
        data={"csrf_token": csrf_from(page), "kind": "fpn", "done_on": "2026-11-18"},
    )
    assert resp.status_code == 303
    with services.sessions() as db:
        (row,) = db.scalars(select(Intervention)).all()
        assert row.report_id == copied.id and row.agency_id == "staffs-police" and row.kind == "fpn"
