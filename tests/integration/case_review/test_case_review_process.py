"""ASB Case Reviews end to end: a resident applies from the conversation or staff record an application,
staff take each step on the Case Reviews pages; each step is audited and the applicant is texted a neutral
line only where it is safe; agency officers see only applications on reports they lead or are copied into."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.case_review import StepRefused, advance, apply_as_resident, record_application
from casework.core.models import AuditEvent, CaseReviewApplication, OutboxMessage
from casework.staff import Actor, NotFound
from tests.factories import cheap_password_hashing, make_contact, make_report, make_staff
from tests.integration.staff.test_inbox_pages import csrf_from, sign_in

TOKEN = {"Authorization": "Bearer test-internal-token-0123456789"}


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def _three_reports(db, clock, *, sender="sms-abc", phone="+447700900001", **contact_fields):  # type: ignore[no-untyped-def]
    contact = make_contact(db, phone=phone, sender_id=sender, **contact_fields)
    reports = [
        make_report(db, contact_id=contact.id, created_at=clock.now() - timedelta(days=d), ongoing=True)
        for d in (40, 20, 2)
    ]
    db.commit()
    return contact, reports


def _texts(db) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(
        db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sms").order_by(OutboxMessage.id))
    )


def test_resident_applies_by_sms_and_is_told_the_decision_date_in_a_neutral_text(services, clock, client):
    with services.sessions() as db:
        _, reports = _three_reports(db, clock)
    resp = client.post("/api/v1/case-reviews", json={"conversation_id": "sms-abc"}, headers=TOKEN)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "applied" and body["threshold_indicated"] is True
    assert body["decision_by"] == "Wednesday 2 December"
    assert body["reference"].startswith("CR-") and body["reference"] in body["message"]
    again = client.post("/api/v1/case-reviews", json={"conversation_id": "sms-abc"}, headers=TOKEN)
    assert again.status_code == 200 and again.get_json()["status"] == "already_applied"
    with services.sessions() as db:
        review = db.scalars(select(CaseReviewApplication)).one()
        assert (
            review.report_id == reports[-1].id and review.channel == "sms" and review.qualifying_reports == 3
        )
        texts = _texts(db)
        assert [(t.purpose, t.status) for t in texts] == [("cr_received", "pending")]
        assert texts[0].body.startswith(f"Ref {review.reference}: we have your Case Review application")
        assert "noise" not in texts[0].body.lower() and "Chasetown" not in texts[0].body
        audits = db.scalars(select(AuditEvent.action).where(AuditEvent.target_id == review.reference)).all()
        assert audits == ["case_review.applied"]


def test_the_api_needs_the_token_and_a_conversation_with_reports(services, client):
    assert client.post("/api/v1/case-reviews", json={"conversation_id": "web-x"}).status_code == 401
    resp = client.post("/api/v1/case-reviews", json={"conversation_id": "web-nobody"}, headers=TOKEN)
    assert resp.status_code == 404 and resp.get_json()["status"] == "no_reports"
    assert client.post("/api/v1/case-reviews", json={}, headers=TOKEN).status_code == 400


def test_no_text_when_the_reporter_said_texting_is_not_safe(services, clock):
    with services.sessions() as db:
        contact = make_contact(db, phone="+447700900002", sender_id="sms-unsafe")
        make_report(db, contact_id=contact.id, domestic_abuse=True, text_safe=None)
        db.commit()
    result = apply_as_resident(
        services.sessions,
        conversation_id="sms-unsafe",
        reference=None,
        now=clock.now(),
        partnership=services.partnership,
    )
    assert result.status == "applied" and result.threshold_indicated is False
    with services.sessions() as db:
        (text,) = _texts(db)
        assert text.status == "cancelled" and "domestic abuse" in (text.error_message or "")


def test_staff_take_every_step_each_audited_and_texted(services, clock):
    p = services.partnership
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        _, reports = _three_reports(db, clock, sender="web-1", phone="+447700900003")
        db.commit()
        actor = Actor(user_id=officer.id, role="triage", ip="192.0.2.1")
    ref, new = record_application(
        services.sessions,
        actor=actor,
        report_reference=reports[-1].reference,
        channel="phone",
        applicant="victim",
        now=clock.now(),
        partnership=p,
    )
    assert new
    steps = [
        ("decide", {"met": True, "text": "Three reports in six months."}),
        ("schedule_meeting", {"meeting_at": clock.now() + timedelta(days=7)}),
    ]
    for step, inputs in steps:
        advance(
            services.sessions, actor=actor, reference=ref, step=step, now=clock.now(), partnership=p, **inputs
        )
    with pytest.raises(StepRefused, match="once the review meeting has taken place"):
        advance(
            services.sessions,
            actor=actor,
            reference=ref,
            step="record_recommendations",
            now=clock.now(),
            partnership=p,
            text="x",
        )
    later = clock.now() + timedelta(days=8)
    advance(
        services.sessions,
        actor=actor,
        reference=ref,
        step="record_recommendations",
        now=later,
        partnership=p,
        text="Noise nuisance abatement and mediation offer.",
    )
    advance(
        services.sessions,
        actor=actor,
        reference=ref,
        step="request_appeal",
        now=later,
        partnership=p,
        text="Resident disagrees.",
    )
    advance(
        services.sessions,
        actor=actor,
        reference=ref,
        step="decide_appeal",
        now=later,
        partnership=p,
        upheld=False,
        text="Recommendations stand.",
    )
    advance(
        services.sessions, actor=actor, reference=ref, step="close", now=later, partnership=p, text="Done."
    )
    with services.sessions() as db:
        review = db.scalars(select(CaseReviewApplication)).one()
        assert review.state == "closed" and review.threshold_met is True and review.appeal_upheld is False
        assert review.meeting_due_at is not None and review.appeal_due_at is not None
        actions = db.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == ref).order_by(AuditEvent.id)
        ).all()
        assert actions == [
            "case_review.applied",
            "case_review.decide",
            "case_review.schedule_meeting",
            "case_review.record_recommendations",
            "case_review.request_appeal",
            "case_review.decide_appeal",
            "case_review.close",
        ]
        purposes = [t.purpose for t in _texts(db)]
        assert purposes == [
            "cr_received",
            "cr_decision",
            "cr_meeting",
            "cr_recommendations",
            "cr_appeal",
            "cr_appeal_decided",
            "cr_closed",
        ]
        assert all("Noise" not in t.body and "disagrees" not in t.body for t in _texts(db))


def test_agency_officer_sees_only_applications_on_reports_it_leads_or_is_copied_into(services, clock, client):
    p = services.partnership
    with services.sessions() as db:
        make_staff(db, "agency", email="police@example.org", agency_id="staffs-police")
        contact = make_contact(db, sender_id="web-2", phone=None)
        theirs = make_report(db, contact_id=contact.id, lead_agency="ldc", copied_agencies=["staffs-police"])
        other_contact = make_contact(db, sender_id="web-3", phone=None)
        not_theirs = make_report(db, contact_id=other_contact.id, lead_agency="ldc")
        db.commit()
    seen = apply_as_resident(
        services.sessions, conversation_id="web-2", reference=theirs.reference, now=clock.now(), partnership=p
    ).reference
    hidden = apply_as_resident(
        services.sessions,
        conversation_id="web-3",
        reference=not_theirs.reference,
        now=clock.now(),
        partnership=p,
    ).reference
    sign_in(client, "police@example.org")
    listing = client.get("/staff/case-reviews").get_data(as_text=True)
    assert seen in listing and hidden not in listing
    assert client.get(f"/staff/case-reviews/{seen}").status_code == 200
    assert client.get(f"/staff/case-reviews/{hidden}").status_code == 404
    page = client.get(f"/staff/case-reviews/{seen}").get_data(as_text=True)
    resp = client.post(
        f"/staff/case-reviews/{hidden}/decide",
        data={"csrf_token": csrf_from(page), "met": "yes", "text": "x"},
    )
    assert resp.status_code == 404
    resp = client.post(f"/staff/case-reviews/{seen}/decide", data={"met": "yes", "text": "no token"})
    assert resp.status_code == 400  # CSRF
    resp = client.post(
        f"/staff/case-reviews/{seen}/decide",
        data={"csrf_token": csrf_from(page), "met": "no", "text": "One report only."},
    )
    assert resp.status_code == 303
    with services.sessions() as db:
        review = db.scalar(select(CaseReviewApplication).where(CaseReviewApplication.reference == seen))
        assert review.state == "threshold_not_met"
        views = db.scalars(select(AuditEvent.action).where(AuditEvent.target_id == seen)).all()
        assert "case_review.view" in views and "case_review.decide" in views
    with pytest.raises(NotFound):
        actor = Actor(user_id=1, role="agency", agency_id="staffs-police")
        advance(
            services.sessions,
            actor=actor,
            reference=hidden,
            step="decide",
            now=clock.now(),
            partnership=p,
            met=True,
            text="x",
        )


def test_staff_record_an_application_through_the_page_and_viewers_cannot(services, clock, client):
    with services.sessions() as db:
        make_staff(db, "triage", email="t@example.org")
        make_staff(db, "viewer", email="v@example.org")
        report = make_report(db, contact_id=make_contact(db, sender_id="web-4", phone=None).id)
        db.commit()
    sign_in(client, "t@example.org")
    token = csrf_from(client.get("/staff/case-reviews").get_data(as_text=True))
    resp = client.post(
        "/staff/case-reviews",
        data={
            "csrf_token": token,
            "report_reference": report.reference,
            "channel": "letter",
            "applicant": "on_behalf",
        },
    )
    assert resp.status_code == 303
    with services.sessions() as db:
        review = db.scalars(select(CaseReviewApplication)).one()
        assert (
            review.channel == "letter"
            and review.applicant == "on_behalf"
            and review.created_by.startswith("staff:")
        )
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Record the threshold decision" in page and review.reference in page
    client.post("/staff/logout", data={"csrf_token": csrf_from(page)})
    sign_in(client, "v@example.org")
    assert client.get("/staff/case-reviews").status_code == 403
