"""Safe contact across a resident's reports: their latest, most cautious answer wins everywhere.

A resident reports (texting safe), then in a later report says texting is NOT safe. From then on no text of
any kind about ANY of their reports may be queued or sent, a text queued before the answer is not sent
(and staff see why), and agencies are told not to text them. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from casework.core.bootstrap import Services
from casework.core.clock import FixedClock
from casework.core.models import Contact, OutboxMessage, Report
from casework.core.safe_contact import record_text_safe
from casework.messaging.notifications import queue_cadence_updates, queue_surveys, record_text_safe_answer
from casework.messaging.referrals import queue_referral
from casework.messaging.sending import claim_due
from casework.staff.access import Actor
from casework.staff.triage import change_status, close
from tests.factories import PASSWORD, cheap_password_hashing, make_staff
from tests.integration.intake.test_filing import file, sms_sender
from tests.integration.staff.test_inbox_pages import sign_in

PHONE = "+447700900555"
NOT_SAFE = "not sent: reporter said texting is not safe"


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def texts(services: Services, reference: str, purpose: str | None = None) -> list[OutboxMessage]:
    with services.sessions() as s:
        report_id = s.scalars(select(Report.id).where(Report.reference == reference)).one()
        stmt = select(OutboxMessage).where(OutboxMessage.report_id == report_id, OutboxMessage.kind == "sms")
        if purpose:
            stmt = stmt.where(OutboxMessage.purpose == purpose)
        return list(s.scalars(stmt.order_by(OutboxMessage.id)))


def earlier_then_not_safe(services: Services, clock: FixedClock, **first: Any) -> tuple[str, str, str]:
    """A report filed while texting was safe, then a later report saying texting is not safe now.

    Returns (sender id, earlier reference, later reference).
    """
    sender = sms_sender(services, PHONE)
    earlier = file(services, sender, **first).reference
    clock.advance(hours=3)
    later = file(
        services,
        sender,
        asb_type="vehicle_nuisance",
        location="Cherry Orchard, Lichfield",
        contact={"wants_updates": True, "anonymous": False, "text_safe": False},
    ).reference
    clock.advance(minutes=5)
    return sender, earlier, later


def triage(services: Services) -> Actor:
    with services.sessions() as s, s.begin():
        user = make_staff(s, "triage")
        return Actor(user_id=user.id, role="triage", ip="192.0.2.10")


def public_update(services: Services, actor: Actor, reference: str, clock: FixedClock) -> None:
    with services.sessions() as s, s.begin():
        change_status(
            s,
            actor=actor,
            reference=reference,
            now=clock.now(),
            partnership=services.partnership,
            status="",
            message="An officer has visited.",
            visibility="public",
        )


def close_report(services: Services, actor: Actor, reference: str, clock: FixedClock) -> None:
    with services.sessions() as s, s.begin():
        close(
            s,
            actor=actor,
            reference=reference,
            now=clock.now(),
            partnership=services.partnership,
            outcome="Warning issued.",
        )


def assert_not_safe(rows: list[OutboxMessage]) -> None:
    assert rows, "the text should be recorded (cancelled), so staff can see it did not go"
    assert [(r.status, r.error_message) for r in rows] == [("cancelled", NOT_SAFE)] * len(rows)


@pytest.mark.parametrize("domestic_abuse", [True, False], ids=["domestic-abuse", "noise"])
def test_a_public_update_on_an_earlier_report_is_not_texted_after_a_later_not_safe(
    services: Services, clock: FixedClock, domestic_abuse: bool
) -> None:
    _, earlier, _ = earlier_then_not_safe(services, clock, domestic_abuse=domestic_abuse)
    public_update(services, triage(services), earlier, clock)
    assert_not_safe(texts(services, earlier, "status_update"))


def test_the_closing_text_of_an_earlier_report_is_not_sent(services: Services, clock: FixedClock) -> None:
    _, earlier, _ = earlier_then_not_safe(services, clock)
    close_report(services, triage(services), earlier, clock)
    assert_not_safe(texts(services, earlier, "closure"))


def test_the_still_open_text_of_an_earlier_report_is_not_sent(services: Services, clock: FixedClock) -> None:
    _, earlier, _ = earlier_then_not_safe(services, clock)
    clock.advance(days=21)
    with services.sessions() as s, s.begin():
        queue_cadence_updates(s, now=clock.now(), partnership=services.partnership)
    assert_not_safe(texts(services, earlier, "cadence"))


def test_the_survey_about_an_earlier_report_is_not_sent(services: Services, clock: FixedClock) -> None:
    _, earlier, _ = earlier_then_not_safe(services, clock)
    close_report(services, triage(services), earlier, clock)
    clock.advance(days=32)
    with services.sessions() as s, s.begin():
        queue_surveys(s, now=clock.now(), partnership=services.partnership)
    assert_not_safe(texts(services, earlier, "survey_1m"))


def test_a_new_report_that_did_not_ask_again_gets_no_acknowledgement_or_case_review_text(
    services: Services, clock: FixedClock
) -> None:
    sender, _, _ = earlier_then_not_safe(services, clock)
    # Two more reports of the same problem (noise): the third makes the resident eligible for a Case Review.
    file(
        services, sender, location="Dam Street, Lichfield", contact={"wants_updates": True, "text_safe": None}
    )
    third = file(
        services,
        sender,
        location="Tamworth Street, Lichfield",
        contact={"wants_updates": True, "text_safe": None},
    ).reference
    assert_not_safe(texts(services, third, "ack"))
    assert_not_safe(texts(services, third, "case_review"))


def test_updates_on_a_report_the_resident_followed_as_a_duplicate_are_not_texted(
    services: Services, clock: FixedClock
) -> None:
    neighbour = sms_sender(services, "+447700900666")
    primary = file(services, neighbour).reference
    _, duplicate, _ = earlier_then_not_safe(services, clock)  # same problem, same place: linked
    with services.sessions() as s:
        assert s.scalars(select(Report.status).where(Report.reference == duplicate)).one() == "linked"
    public_update(services, triage(services), primary, clock)
    assert [r.status for r in texts(services, primary, "status_update")] == ["pending"]
    assert_not_safe(texts(services, duplicate, "status_update"))


def test_a_text_queued_before_the_not_safe_answer_is_never_sent_and_staff_see_why(
    services: Services, clock: FixedClock, client: Any
) -> None:
    sender = sms_sender(services, PHONE)
    earlier = file(services, sender, domestic_abuse=True).reference
    public_update(services, triage(services), earlier, clock)
    [queued] = texts(services, earlier, "status_update")
    assert queued.status == "pending"
    # The answer changes before the notifier gets to the row (recorded by whichever path asks).
    with services.sessions() as s, s.begin():
        contact = s.scalars(select(Contact).where(Contact.sender_id == sender)).one()
        record_text_safe(contact, False, now=clock.now())
    with services.sessions() as s, s.begin():
        result = claim_due(s, now=clock.now(), worker="w1", partnership=services.partnership)
    assert [c.id for c in result.claimed if c.kind == "sms"] == []
    assert_not_safe(texts(services, earlier, "status_update"))
    with services.sessions() as s, s.begin():
        officer = make_staff(s, "triage")
    sign_in(client, officer.email, PASSWORD)
    page = client.get(f"/staff/reports/{earlier}").get_data(as_text=True)
    assert NOT_SAFE in page
    assert "texting safe: no" in page


def test_a_not_safe_answer_given_in_a_later_report_stops_texts_already_queued(
    services: Services, clock: FixedClock
) -> None:
    sender = sms_sender(services, PHONE)
    earlier = file(services, sender).reference
    public_update(services, triage(services), earlier, clock)
    clock.advance(hours=1)
    file(
        services,
        sender,
        asb_type="vehicle_nuisance",
        location="Cherry Orchard, Lichfield",
        contact={"wants_updates": True, "anonymous": False, "text_safe": False},
    )
    assert_not_safe(texts(services, earlier, "status_update"))


def test_a_later_safe_answer_lets_texts_go_again(services: Services, clock: FixedClock) -> None:
    sender, earlier, later = earlier_then_not_safe(services, clock)
    clock.advance(days=1)
    # A new report in which the resident says texting is safe again.
    file(services, sender, asb_type="litter_flytipping", location="Beacon Park, Lichfield")
    public_update(services, triage(services), later, clock)
    assert [r.status for r in texts(services, later, "status_update")] == ["pending"]


def test_referrals_tell_agencies_not_to_text_after_a_later_not_safe(
    services: Services, clock: FixedClock
) -> None:
    _, earlier, _ = earlier_then_not_safe(services, clock)
    with services.sessions() as s, s.begin():
        report = s.scalars(select(Report).where(Report.reference == earlier)).one()
        row = queue_referral(s, report, "ldc", clock.now(), "resent", partnership=services.partnership)
        assert row.payload["document"]["reporter"]["text_safe"] is False
        assert "safe to text: NO - call, do not text" in row.body


def test_a_referral_queued_before_the_not_safe_answer_goes_out_saying_do_not_text(
    services: Services, clock: FixedClock
) -> None:
    sender = sms_sender(services, PHONE)
    earlier = file(services, sender).reference
    with services.sessions() as s:
        [pending] = s.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "referral", OutboxMessage.agency_id == "ldc")
        ).all()
        assert "safe to text: yes" in pending.body
    with services.sessions() as s, s.begin():
        contact = s.scalars(select(Contact).where(Contact.sender_id == sender)).one()
        s.execute(select(Report).where(Report.reference == earlier))
        record_text_safe(contact, False, now=clock.now())
    with services.sessions() as s, s.begin():
        result = claim_due(s, now=clock.now(), worker="w1", partnership=services.partnership)
    [claimed] = [c for c in result.claimed if c.kind == "referral" and c.agency_id == "ldc"]
    assert "safe to text: NO - call, do not text" in claimed.body
    assert claimed.payload["document"]["reporter"]["text_safe"] is False


def test_agencies_working_an_earlier_report_are_told_at_once_not_to_text(
    services: Services, clock: FixedClock
) -> None:
    _, earlier, later = earlier_then_not_safe(services, clock)
    with services.sessions() as s:
        earlier_id = s.scalars(select(Report.id).where(Report.reference == earlier)).one()
        [again] = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.report_id == earlier_id, OutboxMessage.purpose == "referral_safe_contact"
            )
        ).all()
    assert again.agency_id == "ldc" and again.status == "pending"
    assert "the reporter now says texting them is NOT safe" in again.body
    assert "safe to text: NO - call, do not text" in again.body


def test_a_text_queued_to_a_number_the_resident_has_since_changed_is_not_sent(
    services: Services, clock: FixedClock
) -> None:
    from casework.conversation.contacts import set_phone

    sender = sms_sender(services, PHONE)
    earlier = file(services, sender).reference
    public_update(services, triage(services), earlier, clock)
    clock.advance(minutes=1)
    with services.sessions() as s, s.begin():
        contact = s.scalars(select(Contact).where(Contact.sender_id == sender)).one()
        set_phone(s, contact, "07700 900999", now=clock.now())
    with services.sessions() as s, s.begin():
        result = claim_due(s, now=clock.now(), worker="w1", partnership=services.partnership)
    assert [c for c in result.claimed if c.kind == "sms"] == []
    [row] = texts(services, earlier, "status_update")
    assert (row.status, row.error_message) == (
        "cancelled",
        "not sent: the number changed after this text was queued",
    )


def test_a_domestic_abuse_report_is_not_texted_on_a_new_number_until_the_resident_is_asked_again(
    services: Services, clock: FixedClock
) -> None:
    from casework.conversation.contacts import set_phone

    sender = sms_sender(services, PHONE)
    earlier = file(services, sender, domestic_abuse=True).reference
    clock.advance(minutes=1)
    with services.sessions() as s, s.begin():
        contact = s.scalars(select(Contact).where(Contact.sender_id == sender)).one()
        set_phone(s, contact, "07700 900999", now=clock.now())
    clock.advance(minutes=1)
    public_update(services, triage(services), earlier, clock)
    [row] = texts(services, earlier, "status_update")
    assert (row.status, row.error_message) == (
        "cancelled",
        "not sent: domestic abuse: texting not confirmed safe",
    )


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_text_claimed_while_the_not_safe_answer_is_being_recorded_waits_for_it(
    services: Services, clock: FixedClock
) -> None:
    """PostgreSQL: the notifier claims while the answer's transaction is still open; it must not send."""
    sender = sms_sender(services, PHONE)
    earlier = file(services, sender).reference
    public_update(services, triage(services), earlier, clock)
    with services.sessions() as answering, answering.begin():
        contact = answering.scalars(select(Contact).where(Contact.sender_id == sender)).one()
        record_text_safe_answer(answering, contact, False, now=clock.now(), partnership=services.partnership)
        answering.flush()  # written, not yet committed, when the notifier looks
        with services.sessions() as s, s.begin():
            result = claim_due(s, now=clock.now(), worker="w1", partnership=services.partnership)
        assert [c for c in result.claimed if c.kind == "sms"] == []
    with services.sessions() as s, s.begin():
        result = claim_due(s, now=clock.now(), worker="w1", partnership=services.partnership)
    assert [c for c in result.claimed if c.kind == "sms"] == []
    assert_not_safe(texts(services, earlier, "status_update"))
