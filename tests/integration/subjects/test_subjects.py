"""Subjects across reports: recorded once, linked, searched, scoped by role, audited, retained and erased."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casework.cli import privacy as privacy_cli
from casework.core.models import AuditEvent, OutboxMessage, Report, ReportEvent, ReportSubject, Subject
from casework.privacy import erase, run_retention, subject_access
from casework.staff.access import Actor
from casework.subjects import link_subject, record_subject
from tests.factories import cheap_password_hashing, make_contact, make_report, make_staff
from tests.integration.staff.test_inbox_pages import csrf_from, sign_in


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


@pytest.fixture
def world(services):  # type: ignore[no-untyped-def]
    """Triage and an agency officer (ldc); two ldc reports and one police report at the same place."""
    with services.sessions() as db:
        triage = make_staff(db, "triage")
        ldc = make_staff(db, "agency", agency_id="ldc")
        viewer = make_staff(db, "viewer")
        contact = make_contact(db, sender_id="sms-subject-test")
        a = make_report(db, lead_agency="ldc", contact_id=contact.id)
        b = make_report(db, lead_agency="ldc", created_at=a.created_at + timedelta(hours=1))
        police = make_report(db, lead_agency="staffs-police", asb_type="rowdy_behaviour")
        db.commit()
        return {
            "triage": triage.email,
            "ldc": ldc.email,
            "viewer": viewer.email,
            "triage_id": triage.id,
            "a": a.reference,
            "b": b.reference,
            "police": police.reference,
            "contact": contact.id,
        }


def _post(client, page: str, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _record(client, ref: str, **data: str):  # type: ignore[no-untyped-def]
    return _post(client, f"/staff/reports/{ref}", f"/staff/reports/{ref}/subjects", data)


def test_record_link_and_see_the_history_with_audit_rows(services, app, world):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, world["triage"])
    resp = _record(
        client, world["a"], kind="person", name="Dan Hollis", description="Tall, red jacket, silver hatchback"
    )
    assert resp.status_code == 303
    page = client.get(f"/staff/reports/{world['a']}").get_data(as_text=True)
    assert "Recorded and linked S-" in page and "Dan Hollis" in page
    number = re.search(r"Recorded and linked S-(\d+)", page).group(1)  # type: ignore[union-attr]
    # Link the same subject to the second report and to the police one, by its number.
    for ref in (world["b"], world["police"]):
        resp = _post(
            client,
            f"/staff/reports/{ref}",
            f"/staff/reports/{ref}/subjects/link",
            {"subject_id": f"S-{number}"},
        )
        assert resp.status_code == 303
    search = client.get("/staff/subjects?q=hollis").get_data(as_text=True)
    assert f"S-{number}" in search and "repeat" in search
    subject = client.get(f"/staff/subjects/S-{number}").get_data(as_text=True)
    for ref in (world["a"], world["b"], world["police"]):
        assert ref in subject
    with services.sessions() as db:
        audit_rows = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [e.action for e in audit_rows]
        kinds = [e.kind for e in db.scalars(select(ReportEvent).where(ReportEvent.kind.like("subject_%")))]
        bodies = [e.body for e in db.scalars(select(ReportEvent).where(ReportEvent.kind.like("subject_%")))]
    assert actions.count("subject.create") == 1
    assert actions.count("subject.link") == 3
    assert "subject.search" in actions and "subject.view" in actions
    # The audit trail (kept for good) records who searched, not the name searched for.
    assert all("hollis" not in json.dumps(e.detail).lower() for e in audit_rows)
    assert kinds == ["subject_linked"] * 3
    # The timeline (which goes into the reporter's own subject access file) never names the subject.
    assert all("Hollis" not in body for body in bodies)


def test_an_agency_sees_only_its_own_reports_about_a_subject_and_no_count_of_others(services, app, world):  # type: ignore[no-untyped-def]
    triage = Actor(user_id=world["triage_id"], role="triage")
    subject = record_subject(
        services.sessions,
        actor=triage,
        reference=world["police"],
        kind="household",
        name="",
        description="The family at number 12",
        address="12 High Street, Chasetown",
        now=services.clock.now(),
        partnership=services.partnership,
    )
    link_subject(
        services.sessions,
        actor=triage,
        reference=world["a"],
        subject_id=str(subject.id),
        now=services.clock.now(),
    )
    client = app.test_client()
    sign_in(client, world["ldc"])
    page = client.get(f"/staff/subjects/{subject.id}").get_data(as_text=True)
    assert world["a"] in page and world["police"] not in page
    assert "in all" not in page  # no count of reports the agency cannot open
    listing = client.get("/staff/subjects").get_data(as_text=True)
    assert f"S-{subject.id}" in listing and "in all" not in listing
    report_page = client.get(f"/staff/reports/{world['a']}").get_data(as_text=True)
    assert f"S-{subject.id}" in report_page and "in all" not in report_page
    api = client.get(f"/api/v1/reports/{world['a']}").get_json()
    assert api["subjects"][0]["id"] == f"S-{subject.id}" and api["subjects"][0]["reports"] == 1
    assert "reports_total" not in api["subjects"][0]
    # Triage sees both reports and the total.
    triage_client = app.test_client()
    sign_in(triage_client, world["triage"])
    tpage = triage_client.get(f"/staff/subjects/{subject.id}").get_data(as_text=True)
    assert world["a"] in tpage and world["police"] in tpage and "2 in all" in tpage
    assert triage_client.get(f"/api/v1/reports/{world['a']}").get_json()["subjects"][0]["reports_total"] == 2


def test_a_subject_only_on_other_agencies_reports_does_not_exist_for_an_agency(services, app, world):  # type: ignore[no-untyped-def]
    triage = Actor(user_id=world["triage_id"], role="triage")
    subject = record_subject(
        services.sessions,
        actor=triage,
        reference=world["police"],
        kind="person",
        name="Kerry Vance",
        description="",
        address="",
        now=services.clock.now(),
    )
    client = app.test_client()
    sign_in(client, world["ldc"])
    assert client.get(f"/staff/subjects/{subject.id}").status_code == 404
    assert "Kerry" not in client.get("/staff/subjects?q=kerry").get_data(as_text=True)
    # Nor can it be linked by guessing its number, nor unlinked from a report the agency cannot open.
    resp = _post(
        client,
        f"/staff/reports/{world['a']}",
        f"/staff/reports/{world['a']}/subjects/link",
        {"subject_id": str(subject.id)},
    )
    assert resp.status_code == 303
    with services.sessions() as db:
        assert db.scalar(select(func.count()).select_from(ReportSubject)) == 1
    token = csrf_from(client.get(f"/staff/reports/{world['a']}").get_data(as_text=True))
    resp = client.post(
        f"/staff/reports/{world['police']}/subjects/{subject.id}/unlink", data={"csrf_token": token}
    )
    assert resp.status_code == 404
    # Viewers have no subjects page at all.
    viewer = app.test_client()
    sign_in(viewer, world["viewer"])
    assert viewer.get("/staff/subjects").status_code == 403


def test_forms_need_the_csrf_token(services, app, world):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, world["triage"])
    resp = client.post(f"/staff/reports/{world['a']}/subjects", data={"kind": "person", "name": "X"})
    assert resp.status_code == 400
    with services.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Subject)) == 0


def test_unlink_then_retention_deletes_the_subject_after_the_unlinked_period(services, app, world, clock):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, world["triage"])
    _record(client, world["a"], kind="address", address="3 Cannock Road, Burntwood")
    with services.sessions() as db:
        number = db.scalar(select(Subject.id))
    resp = _post(
        client, f"/staff/reports/{world['a']}", f"/staff/reports/{world['a']}/subjects/{number}/unlink", {}
    )
    assert resp.status_code == 303
    with services.sessions() as db:
        assert db.get(Subject, number).unlinked_since == clock.now()
        assert "subject.unlink" in db.scalars(select(AuditEvent.action)).all()
    run_retention(services)
    with services.sessions() as db:
        assert db.get(Subject, number) is not None  # not yet
    clock.advance(days=services.settings.RETENTION_SUBJECT_UNLINKED_DAYS + 1)
    assert run_retention(services).subjects_deleted == 1
    with services.sessions() as db:
        assert db.get(Subject, number) is None


def test_a_subject_goes_when_its_last_report_is_anonymised(services, app, world):  # type: ignore[no-untyped-def]
    triage = Actor(user_id=world["triage_id"], role="triage")
    subject = record_subject(
        services.sessions,
        actor=triage,
        reference=world["a"],
        kind="person",
        name="Lee Marsh",
        description="",
        address="",
        now=services.clock.now(),
    )
    # The reporter asks for erasure: their report is anonymised, and the subject has no other report.
    with services.sessions() as db:
        erase(
            db,
            phone="+447700900123",
            sender_key=services.settings.SENDER_ID_KEY,
            now=services.clock.now(),
            include_open=True,
        )
        db.commit()
    assert run_retention(services).subjects_deleted == 1
    with services.sessions() as db:
        assert db.get(Subject, subject.id) is None
        assert db.scalar(select(func.count()).select_from(Report)) == 3  # the reports stay


def test_subject_access_and_erasure_for_a_named_subject(services, world, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    triage = Actor(user_id=world["triage_id"], role="triage")
    subject = record_subject(
        services.sessions,
        actor=triage,
        reference=world["a"],
        kind="person",
        name="Robin Fairweather",
        description="Walks a large dog",
        address="",
        now=services.clock.now(),
    )
    monkeypatch.setattr(privacy_cli, "build_services", lambda: services)
    monkeypatch.setattr(services.engine, "dispose", lambda: None)
    out = tmp_path / "subject.json"
    assert privacy_cli.main(["subject-sar", "--name", "robin fairweather", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["subjects"][0]["name"] == "Robin Fairweather"
    assert data["subjects"][0]["reports"][0]["reference"] == world["a"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    # The reporter's own SAR says nothing about the subject.
    with services.sessions() as db:
        resident = subject_access(
            db, phone="+447700900123", sender_key=services.settings.SENDER_ID_KEY, now=services.clock.now()
        )
    assert "Fairweather" not in json.dumps(resident, default=str)
    assert privacy_cli.main(["subject-erase", "--subject", f"S-{subject.id}"]) == 0
    with services.sessions() as db:
        assert db.get(Subject, subject.id) is None
        actions = db.scalars(select(AuditEvent.action)).all()
    assert "privacy.subject_record_access" in actions and "privacy.subject_record_erasure" in actions


def test_nothing_about_a_subject_reaches_a_text_or_the_public_status(services, app, world):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, world["triage"])
    _record(client, world["a"], kind="person", name="Morgan Quill", description="", address="")
    # A public update texts the reporter: the text must not carry the subject.
    _post(
        client,
        f"/staff/reports/{world['a']}",
        f"/staff/reports/{world['a']}/status",
        {"status": "in_progress", "visibility": "public", "message": "We are looking into it."},
    )
    with services.sessions() as db:
        bodies = [m.body for m in db.scalars(select(OutboxMessage))]
    assert bodies and all("Quill" not in b and "S-" not in b for b in bodies)
