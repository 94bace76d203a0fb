"""Triage actions: each is one transaction with its timeline entry, audit row and outgoing messages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.core.models import AuditEvent, OutboxMessage, Report, ReportEvent
from casework.staff.access import Actor, NotFound
from casework.staff.sms_preview import preview_public_update
from casework.staff.triage import (
    accept,
    add_note,
    change_risk,
    change_status,
    close,
    link,
    reassign,
    resend,
    unlink,
)
from casework.staff.triage_steps import TriageError
from tests.factories import cheap_password_hashing, make_contact, make_report, make_staff
from tests.integration.staff.test_inbox_pages import csrf_from, sign_in


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def triage_actor(db) -> Actor:  # type: ignore[no-untyped-def]
    """A triage officer as the services see them."""
    user = make_staff(db, "triage")
    return Actor(user_id=user.id, role="triage", ip="192.0.2.10")


def sms_rows(db, report_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(purpose, status) of the texts queued for a report."""
    rows = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.report_id == report_id, OutboxMessage.kind == "sms")
        .order_by(OutboxMessage.id)
    ).all()
    return [(r.purpose, r.status) for r in rows]


def test_public_status_change_texts_the_reporter_and_linked_reporters_and_sets_first_response(
    services, clock
):  # type: ignore[no-untyped-def]
    p = services.partnership
    with services.sessions() as db:
        actor = triage_actor(db)
        primary = make_report(db, contact_id=make_contact(db, phone="+447700900001").id)
        dup = make_report(
            db,
            contact_id=make_contact(db, phone="+447700900002").id,
            linked_to_id=primary.id,
            status="linked",
        )
        anon_dup = make_report(db, contact_id=None, linked_to_id=primary.id, status="linked")
        result = change_status(
            db,
            actor=actor,
            reference=primary.reference,
            now=clock.now(),
            partnership=p,
            status="in_progress",
            message="A warden will visit on Friday.",
            visibility="public",
        )
        db.commit()
        assert "2 texts queued" in result.message
        assert sms_rows(db, primary.id) == [("status_update", "pending")]
        assert sms_rows(db, dup.id) == [("status_update", "pending")]
        assert sms_rows(db, anon_dup.id) == []
        texts = db.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == "sms")).all()
        assert all("warden" not in t and "Friday" not in t for t in texts)
        report = db.get(Report, primary.id)
        assert report.status == "in_progress" and report.first_response_at == clock.now()
        event = db.scalar(select(ReportEvent).where(ReportEvent.report_id == primary.id))
        assert (event.kind, event.public, event.body, event.actor) == (
            "status_changed",
            True,
            "A warden will visit on Friday.",
            f"staff:{actor.user_id}",
        )
        audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "report.status_changed"))
        assert (audit.actor, audit.ip, audit.target_id) == (
            f"staff:{actor.user_id}",
            "192.0.2.10",
            primary.reference,
        )


def test_private_note_is_never_texted(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        report = make_report(db, contact_id=make_contact(db).id)
        change_status(
            db,
            actor=actor,
            reference=report.reference,
            now=clock.now(),
            partnership=services.partnership,
            status="",
            message="Perpetrator known to housing.",
            visibility="private",
        )
        add_note(db, actor=actor, reference=report.reference, now=clock.now(), message="Called the reporter.")
        db.commit()
        assert sms_rows(db, report.id) == []
        events = db.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)).all()
        assert [(e.kind, e.public) for e in events] == [("note", False), ("note", False)]


def test_first_response_time_is_kept_from_the_first_action(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        report = make_report(db)
        first = clock.now()
        accept(db, actor=actor, reference=report.reference, now=first, partnership=services.partnership)
        clock.advance(hours=3)
        add_note(db, actor=actor, reference=report.reference, now=clock.now(), message="Later note")
        db.commit()
        assert db.get(Report, report.id).first_response_at == first


def test_texts_respect_safe_contact_and_are_recorded_as_cancelled_with_the_reason(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        report = make_report(db, contact_id=make_contact(db).id, domestic_abuse=True, text_safe=None)
        result = close(
            db,
            actor=actor,
            reference=report.reference,
            now=clock.now(),
            partnership=services.partnership,
            outcome="Referred to the domestic abuse service.",
        )
        db.commit()
        row = db.scalar(select(OutboxMessage).where(OutboxMessage.report_id == report.id))
        assert (row.purpose, row.status) == ("closure", "cancelled")
        assert "texting not confirmed safe" in row.error_message
        assert "not sent" in result.message


def test_reassigning_queues_the_referral_to_the_new_lead(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        report = make_report(db, lead_agency="ldc", copied_agencies=["bromford"])
        reassign(
            db,
            actor=actor,
            reference=report.reference,
            now=clock.now(),
            partnership=services.partnership,
            agency_id="bromford",
            reason="The tenant is a Bromford tenant.",
        )
        db.commit()
        report = db.get(Report, report.id)
        assert report.lead_agency == "bromford" and report.copied_agencies == []
        referral = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "referral"))
        assert (referral.agency_id, referral.purpose) == ("bromford", "referral_reassigned")
        event = db.scalar(select(ReportEvent).where(ReportEvent.kind == "reassigned"))
        assert event.data == {"from": "ldc", "to": "bromford", "reason": "The tenant is a Bromford tenant."}


@pytest.mark.parametrize(
    ("agency", "reason", "error"),
    [("ldc", "x", "already the lead"), ("nobody", "x", "choose an agency"), ("bromford", "  ", "reason")],
)
def test_bad_reassignments_are_refused(services, clock, agency, reason, error):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        report = make_report(db, lead_agency="ldc")
        with pytest.raises(TriageError, match=error):
            reassign(
                db,
                actor=actor,
                reference=report.reference,
                now=clock.now(),
                partnership=services.partnership,
                agency_id=agency,
                reason=reason,
            )


def test_an_agency_officer_who_reassigns_away_goes_back_to_the_inbox(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        officer = make_staff(db, "agency", agency_id="ldc")
        report = make_report(db, lead_agency="ldc")
        db.commit()
    sign_in(client, officer.email)
    token = csrf_from(client.get(f"/staff/reports/{report.reference}").get_data(as_text=True))
    resp = client.post(
        f"/staff/reports/{report.reference}/reassign",
        data={"agency_id": "staffs-police", "reason": "Drug dealing: police matter", "csrf_token": token},
    )
    assert resp.status_code == 303 and resp.headers["Location"] == "/staff/inbox"
    assert client.get(f"/staff/reports/{report.reference}").status_code == 404


def test_raising_risk_to_high_copies_in_the_hub_and_tightens_the_target(services, clock):  # type: ignore[no-untyped-def]
    p = services.partnership
    with services.sessions() as db:
        actor = triage_actor(db)
        report = make_report(db, created_at=clock.now())
        change_risk(
            db,
            actor=actor,
            reference=report.reference,
            now=clock.now(),
            partnership=p,
            level="high",
            reason="Victim is disabled and targeted nightly.",
        )
        db.commit()
        report = db.get(Report, report.id)
        assert report.risk_level == "high" and p.hub_agency in report.copied_agencies
        # Wednesday 10:00 plus one working day.
        assert report.due_at.date().isoformat() == "2026-11-19"
        referral = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "referral"))
        assert (referral.agency_id, referral.purpose) == (p.hub_agency, "referral_escalated")


def test_closing_closes_linked_duplicates_and_texts_every_reporter(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        primary = make_report(db, contact_id=make_contact(db).id)
        dup = make_report(
            db,
            contact_id=make_contact(db, phone="+447700900777").id,
            linked_to_id=primary.id,
            status="linked",
        )
        close(
            db,
            actor=actor,
            reference=primary.reference,
            now=clock.now(),
            partnership=services.partnership,
            outcome="Community protection warning issued.",
        )
        db.commit()
        for r in (db.get(Report, primary.id), db.get(Report, dup.id)):
            assert (r.status, r.closed_at, r.outcome) == (
                "closed",
                clock.now(),
                "Community protection warning issued.",
            )
        assert sms_rows(db, primary.id) == [("closure", "pending")]
        assert sms_rows(db, dup.id) == [("closure", "pending")]
        with pytest.raises(TriageError, match="already closed"):
            close(
                db,
                actor=actor,
                reference=primary.reference,
                now=clock.now(),
                partnership=services.partnership,
                outcome="Again",
            )


def test_link_and_unlink_a_duplicate_by_hand(services, clock):  # type: ignore[no-untyped-def]
    p = services.partnership
    with services.sessions() as db:
        actor = triage_actor(db)
        primary = make_report(db, lead_agency="staffs-police")
        dup = make_report(db, lead_agency="ldc")
        link(
            db,
            actor=actor,
            reference=dup.reference,
            now=clock.now(),
            partnership=p,
            primary_reference=primary.reference.lower(),
            reason="Same group, same night",
        )
        db.commit()
        linked = db.get(Report, dup.id)
        assert (linked.linked_to_id, linked.status, linked.lead_agency) == (
            primary.id,
            "linked",
            "staffs-police",
        )
        with pytest.raises(TriageError, match="reason"):
            unlink(db, actor=actor, reference=dup.reference, now=clock.now(), partnership=p, reason="")
        unlink(
            db,
            actor=actor,
            reference=dup.reference,
            now=clock.now(),
            partnership=p,
            reason="Different street",
        )
        db.commit()
        assert db.get(Report, dup.id).linked_to_id is None
        actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-2:] == ["report.linked", "report.unlinked"]
        with pytest.raises(TriageError, match="no report"):
            link(
                db,
                actor=actor,
                reference=dup.reference,
                now=clock.now(),
                partnership=p,
                primary_reference="ASB-ZZZZZZ",
            )


def test_agency_officers_cannot_act_on_reports_of_other_agencies(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        user = make_staff(db, "agency", agency_id="ldc")
        actor = Actor(user_id=user.id, role="agency", agency_id="ldc")
        report = make_report(db, lead_agency="staffs-police")
        with pytest.raises(NotFound):
            accept(
                db, actor=actor, reference=report.reference, now=clock.now(), partnership=services.partnership
            )


def test_preview_shows_the_neutral_text_its_length_and_segments(services):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        report = make_report(db, contact_id=make_contact(db).id)
        preview = preview_public_update(report, "status_update", partnership=services.partnership)
        assert preview.text.startswith(f"Ref {report.reference}: there is an update on your report.")
        assert (preview.length, preview.segments, preview.encoding, preview.blocked) == (
            len(preview.text),
            1,
            "GSM-7",
            None,
        )
        anonymous = make_report(db, contact_id=make_contact(db).id, anonymous=True)
        assert (
            preview_public_update(anonymous, partnership=services.partnership).blocked == "anonymous report"
        )


def test_the_preview_is_exactly_the_text_that_is_queued(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        report = make_report(db, contact_id=make_contact(db, phone="+447700900009").id)
        preview = preview_public_update(report, "status_update", partnership=services.partnership)
        change_status(
            db,
            actor=actor,
            reference=report.reference,
            now=clock.now(),
            partnership=services.partnership,
            status="in_progress",
            message="Visited today.",
            visibility="public",
        )
        db.commit()
        queued = db.scalar(select(OutboxMessage.body).where(OutboxMessage.report_id == report.id))
        assert queued == preview.text


def test_an_action_that_fails_changes_nothing(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        report = make_report(db)
        db.commit()
    sign_in(client, officer.email)
    token = csrf_from(client.get(f"/staff/reports/{report.reference}").get_data(as_text=True))
    resp = client.post(
        f"/staff/reports/{report.reference}/status",
        data={"status": "in_progress", "visibility": "public", "message": "", "csrf_token": token},
    )
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "message: please fill this in" in page
    with services.sessions() as db:
        assert db.get(Report, report.id).status == "open"
        assert db.scalars(select(ReportEvent)).all() == []
        assert db.get(Report, report.id).first_response_at is None


def failed_text(db, report, *, status: str = "failed") -> OutboxMessage:  # type: ignore[no-untyped-def]
    """A text to the reporter that Twilio refused for good."""
    row = OutboxMessage(
        kind="sms",
        transport="sms",
        purpose="status_update",
        report_id=report.id,
        contact_id=report.contact_id,
        recipient="+447700900009",
        body="Update on your report.",
        status=status,
        attempts=5,
        next_attempt_at=report.created_at,
        error_code="30006",
        error_message="Landline or unreachable carrier",
        needs_attention=True,
        created_at=report.created_at,
        updated_at=report.created_at,
    )
    db.add(row)
    db.flush()
    return row


def test_a_failed_text_can_be_sent_again_from_the_report_page_and_it_is_audited(services, client, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        report = make_report(db, contact_id=make_contact(db, phone="+447700900009").id)
        row = failed_text(db, report)
        db.commit()
        row_id = row.id
    sign_in(client, officer.email)
    page = client.get(f"/staff/reports/{report.reference}").get_data(as_text=True)
    assert "Send again" in page
    resp = client.post(
        f"/staff/reports/{report.reference}/resend",
        data={"message_id": str(row_id), "csrf_token": csrf_from(page)},
    )
    assert resp.status_code == 303
    assert "will be sent again" in client.get(resp.headers["Location"]).get_data(as_text=True)
    with services.sessions() as db:
        again = db.get(OutboxMessage, row_id)
        assert (again.status, again.attempts, again.needs_attention, again.error_code) == (
            "pending",
            0,
            False,
            None,
        )
        event = db.scalar(select(ReportEvent).where(ReportEvent.report_id == report.id))
        assert event.kind == "resend" and event.public is False
        audited = db.scalar(select(AuditEvent).where(AuditEvent.action == "report.resend"))
        assert audited.target_id == report.reference and audited.detail["message_id"] == row_id


def test_a_text_is_not_sent_again_once_the_reporter_has_opted_out(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        contact = make_contact(db, phone="+447700900009")
        contact.sms_opted_out = True
        report = make_report(db, contact_id=contact.id)
        row = failed_text(db, report)
        with pytest.raises(TriageError, match="opted out"):
            resend(db, actor=actor, reference=report.reference, now=clock.now(), message_id=row.id)
        assert db.get(OutboxMessage, row.id).status == "failed"


@pytest.mark.parametrize("status", ["pending", "sent", "delivered"])
def test_only_failed_or_cancelled_messages_are_sent_again(services, clock, status):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        report = make_report(db, contact_id=make_contact(db).id)
        row = failed_text(db, report, status=status)
        with pytest.raises(TriageError, match="only failed or cancelled"):
            resend(db, actor=actor, reference=report.reference, now=clock.now(), message_id=row.id)


def test_a_message_of_another_report_cannot_be_sent_again_through_this_one(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        actor = triage_actor(db)
        mine = make_report(db, contact_id=make_contact(db).id)
        theirs = make_report(db, contact_id=make_contact(db, phone="+447700900123").id)
        row = failed_text(db, theirs)
        with pytest.raises(TriageError, match="not one of this report's"):
            resend(db, actor=actor, reference=mine.reference, now=clock.now(), message_id=row.id)
        with pytest.raises(TriageError, match="Choose a message"):
            resend(db, actor=actor, reference=mine.reference, now=clock.now(), message_id="x")
