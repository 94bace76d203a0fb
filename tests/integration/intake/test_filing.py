"""Filing reports against a real database: duplicates, repeats, the ASB Case Review, idempotency.

Every test runs on SQLite and PostgreSQL with the clock fixed at Wed 18 Nov 2026 10:00 UTC.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.conversation.contacts import confirm_phone, get_or_create_sms_contact
from casework.core.bootstrap import Services
from casework.core.clock import FixedClock
from casework.core.models import OutboxMessage, Report, ReportEvent
from casework.intake.contract import IntakeResult, parse_intake
from casework.intake.filing import file_report
from casework.intake.linking import LinkError, contacts_following, link_reports, unlink_report

_ids = itertools.count(1)


def sms_sender(services: Services, phone: str) -> str:
    """The opaque sender id of an SMS resident (the SMS edge creates this contact)."""
    with services.sessions() as s:
        contact = get_or_create_sms_contact(
            s, phone=phone, key=services.settings.SENDER_ID_KEY, now=services.clock.now()
        )
        confirm_phone(contact, now=services.clock.now())  # as the edge does: the number texted us
        s.commit()
        return contact.sender_id


def file(services: Services, sender: str, **changes: Any) -> IntakeResult:
    """File a report the way the intake API does."""
    body: dict[str, Any] = {
        "conversation_id": sender,
        "submission_id": f"sub-{next(_ids)}",
        "channel": "sms" if sender.startswith("sms-") else "web",
        "asb_type": "noise",
        "description": "Loud music until 3am.",
        "location": "Bore Street, Lichfield",
        "occurred": "last night",
        "contact": {"wants_updates": True, "anonymous": False, "text_safe": True},
    }
    body.update(changes)
    intake = parse_intake(body)
    return file_report(
        sessions=services.sessions,
        intake=intake,
        partnership=services.partnership,
        now=services.clock.now(),
        contact_sender_id=intake.conversation_id,
    )


def report(services: Services, reference: str) -> Report:
    with services.sessions() as s:
        return s.scalars(select(Report).where(Report.reference == reference)).one()


def outbox(services: Services, **where: Any) -> list[OutboxMessage]:
    with services.sessions() as s:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(OutboxMessage, k) == v)
        return list(s.scalars(stmt).all())


# ------------------------------------------------------------------------------------------ filing


def test_an_sms_report_is_acknowledged_by_a_neutral_text_and_referred(services):
    sender = sms_sender(services, "07700 900001")
    result = file(services, sender)
    texts = outbox(services, kind="sms")
    assert [t.purpose for t in texts] == ["ack"] and texts[0].status == "pending"
    assert texts[0].recipient == "+447700900001"
    assert result.reference in texts[0].body
    assert "noise" not in texts[0].body.lower() and "Bore" not in texts[0].body
    assert [(r.agency_id, r.transport) for r in outbox(services, kind="referral")] == [("ldc", "email")]


def test_a_retry_of_the_same_submission_files_nothing_new(services):
    sender = sms_sender(services, "07700 900002")
    first = file(services, sender, submission_id="same")
    again = file(services, sender, submission_id="same")
    assert again.reference == first.reference and again.created is False
    with services.sessions() as s:
        assert s.scalar(select(func.count(Report.id))) == 1
        assert s.scalar(select(func.count(OutboxMessage.id))) == 2  # one ack, one referral


def test_a_web_reporter_gets_a_contact_without_a_phone(services):
    result = file(services, "web-visitor-000000000001")
    r = report(services, result.reference)
    assert r.contact_id is not None and r.channel == "web"
    assert outbox(services, kind="sms") == []


# ----------------------------------------------------------------------------------------- linking


def test_a_second_report_of_the_same_problem_is_linked_not_referred_again(services, clock: FixedClock):
    first = file(services, sms_sender(services, "07700 900010"), tenure="social_rent", landlord="Bromford")
    assert first.lead_agency["id"] == "bromford"
    clock.advance(hours=5)
    second = file(services, sms_sender(services, "07700 900011"), location="bore st")
    assert second.linked_reference == first.reference
    assert second.lead_agency["id"] == "bromford"  # inherits the lead, though routing alone says ldc
    dup = report(services, second.reference)
    assert dup.status == "linked" and dup.lead_agency == "bromford"
    referrals = outbox(services, kind="referral")
    assert {r.report_id for r in referrals} == {report(services, first.reference).id}
    linked_text = outbox(services, report_id=dup.id, kind="sms")
    assert [t.purpose for t in linked_text] == ["linked"]
    with services.sessions() as s:
        primary = s.scalars(select(Report).where(Report.reference == first.reference)).one()
        followers = contacts_following(s, primary)
        assert [f.report.reference for f in followers] == [first.reference, second.reference]
        assert all(f.contact is not None and f.contact.phone for f in followers)


def test_a_report_after_the_window_or_of_another_type_is_not_linked(services, clock: FixedClock):
    first = file(services, "web-a00000000000000001")
    other_type = file(services, "web-a00000000000000002", asb_type="graffiti")
    assert other_type.linked_reference is None
    clock.advance(hours=73)
    late = file(services, "web-a00000000000000003")
    assert late.linked_reference is None and late.reference != first.reference


def test_a_nearby_street_in_the_same_postcode_sector_is_the_same_problem(services):
    first = file(services, "web-b00000000000000001", location="outside number 4", postcode="WS13 6LJ")
    second = file(services, "web-b00000000000000002", location="by the shops", postcode="WS13 6AA")
    assert second.linked_reference == first.reference


def test_hate_and_domestic_abuse_reports_are_never_linked_automatically(services):
    file(services, "web-c00000000000000001")
    hate = file(services, "web-c00000000000000002", hate=True)
    da = file(services, "web-c00000000000000003", domestic_abuse=True)
    assert hate.linked_reference is None and da.linked_reference is None


def test_staff_can_link_and_unlink_by_hand(services):
    a = file(services, "web-d00000000000000001")
    b = file(services, "web-d00000000000000002", asb_type="rowdy_behaviour", location="Chasetown")
    now = services.clock.now()
    with services.sessions() as s:
        primary, dup = (
            s.scalars(select(Report).where(Report.reference == r)).one() for r in (a.reference, b.reference)
        )
        with pytest.raises(LinkError):
            link_reports(s, duplicate=dup, primary=dup, now=now, actor="staff:1")
        link_reports(s, duplicate=dup, primary=primary, now=now, actor="staff:1", reason="same party")
        s.commit()
        assert dup.lead_agency == primary.lead_agency and dup.status == "linked"
        pending = s.scalars(
            select(OutboxMessage).where(OutboxMessage.report_id == dup.id, OutboxMessage.kind == "referral")
        ).all()
        assert pending and all(r.status in ("cancelled", "delivered", "sent") for r in pending)
        with pytest.raises(LinkError):
            link_reports(s, duplicate=primary, primary=dup, now=now, actor="staff:1")
        unlink_report(s, report=dup, now=now, actor="staff:1", reason="different party after all")
        s.commit()
        assert dup.linked_to_id is None and dup.status == "open"
        kinds = s.scalars(select(ReportEvent.kind).where(ReportEvent.report_id == dup.id)).all()
        assert "linked" in kinds and "unlinked" in kinds


# ----------------------------------------------------------------------------------------- repeats


def test_a_second_report_from_the_same_person_in_14_days_raises_the_risk(services, clock: FixedClock):
    sender = sms_sender(services, "07700 900020")
    first = file(services, sender, asb_type="graffiti", location="Chasetown")
    assert first.risk_level == "standard"
    clock.advance(days=3)
    second = file(services, sender, asb_type="litter_flytipping", location="Burntwood")
    assert second.risk_level == "medium"
    r = report(services, second.reference)
    assert r.repeat_victim_count == 2
    assert any("repeat contact" in reason for reason in r.risk_reasons)
    clock.advance(days=15)
    third = file(services, sender, asb_type="animal_problems", location="Shenstone")
    assert third.risk_level == "standard"


def test_a_third_problem_at_the_same_place_in_30_days_flags_a_hotspot(services, clock: FixedClock):
    refs = []
    for i, kind in enumerate(("noise", "graffiti", "litter_flytipping")):
        refs.append(file(services, f"web-e0000000000000000{i}", asb_type=kind).reference)
        clock.advance(days=8)
    rows = [report(services, r) for r in refs]
    assert [r.repeat_location_count for r in rows] == [1, 2, 3]
    assert [r.hotspot for r in rows] == [False, False, True]
    with services.sessions() as s:
        assert s.scalar(select(func.count(ReportEvent.id)).where(ReportEvent.kind == "hotspot")) == 1


# ------------------------------------------------------------------------------------- case review


def test_case_review_is_explained_at_the_second_report_and_offered_at_the_third(services, clock: FixedClock):
    sender = sms_sender(services, "07700 900030")
    first = file(services, sender)
    assert first.case_review == {"status": "none", "message": None}
    clock.advance(days=20)
    second = file(services, sender)
    assert second.case_review["status"] == "explain"
    assert "ASB Case Review" in second.case_review["message"]
    clock.advance(days=20)
    third = file(services, sender)
    assert third.case_review["status"] == "eligible"
    assert "01543 308000" in third.case_review["message"]  # how to apply
    r = report(services, third.reference)
    assert r.case_review_eligible is True
    with services.sessions() as s:
        assert (
            s.scalar(
                select(func.count(ReportEvent.id)).where(
                    ReportEvent.report_id == r.id, ReportEvent.kind == "case_review_eligible"
                )
            )
            == 1
        )
    assert [t.purpose for t in outbox(services, report_id=r.id, kind="sms")] == ["ack", "case_review"]


def test_reports_long_after_the_behaviour_do_not_qualify(services, clock: FixedClock):
    sender = "web-f00000000000000001"
    file(services, sender, occurred="2026-06-01", ongoing=False)
    clock.advance(days=20)
    file(services, sender, occurred="2026-06-01", ongoing=False)
    clock.advance(days=20)
    third = file(services, sender, occurred="last night")
    assert third.case_review["status"] == "explain"  # a repeat, but only one qualifying report


def test_one_incident_reported_twice_counts_once(services, clock: FixedClock):
    sender = "web-g00000000000000001"
    file(services, sender)
    clock.advance(hours=2)
    dup = file(services, sender)  # same problem, same place, within 72 hours: linked, same incident
    assert dup.linked_reference is not None
    clock.advance(days=10)
    third = file(services, sender)
    assert third.case_review["status"] == "explain"


def test_a_single_hate_incident_makes_the_reporter_eligible(services):
    result = file(
        services,
        "web-h00000000000000001",
        asb_type="intimidation_harassment",
        hate=True,
        hate_motivation="race",
        location="Chasetown",
    )
    assert result.case_review["status"] == "eligible"
    assert result.lead_agency["id"] == "staffs-police"


def test_five_different_people_reporting_the_same_problem_makes_it_eligible(services, clock: FixedClock):
    results = []
    for i in range(5):
        results.append(file(services, f"web-i0000000000000000{i}", asb_type="graffiti"))
        clock.advance(days=4)  # beyond the 72-hour window, so each is a report of its own
    assert [r.case_review["status"] for r in results] == ["none", "none", "none", "none", "eligible"]


def test_a_resident_can_be_told_the_status_only_of_their_own_report(services):
    from casework.conversation.public_status import public_status

    sender = sms_sender(services, "07700 900040")
    result = file(services, sender)
    with services.sessions() as s:
        own = public_status(s, result.reference.lower(), sender, partnership=services.partnership)
        assert own is not None and own.status_text == "received and with Lichfield District Council"
        assert (
            public_status(s, result.reference, "web-stranger0000000001", partnership=services.partnership)
            is None
        )
        assert public_status(s, "ASB-222222", sender, partnership=services.partnership) is None


def test_two_copies_of_one_submission_arriving_together_file_one_report(services):
    import threading

    sender = sms_sender(services, "07700 900050")
    barrier = threading.Barrier(2)
    results: list[IntakeResult] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            results.append(file(services, sender, submission_id="racing"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len({r.reference for r in results}) == 1
    assert sorted(r.created for r in results) == [False, True]
    with services.sessions() as s:
        assert s.scalar(select(func.count(Report.id))) == 1


# ------------------------------------------------------------------- flags recognised from the words


def test_abuse_by_an_ex_partner_read_as_vandalism_is_filed_as_domestic_abuse(services):
    sender = sms_sender(services, "07700 900071")
    result = file(
        services,
        sender,
        asb_type="criminal_damage",
        description="My ex scratched my car and snapped the wipers off after I told him to stay away.",
    )
    filed = report(services, result.reference)
    assert filed.domestic_abuse is True and filed.lead_agency == "staffs-police"
    assert (
        filed.routing_reasons[0]
        == "the resident's words describe abuse by a partner, ex-partner or family member"
    )
    assert filed.risk_level in ("medium", "high")
    # "Yes, text me updates" was not an answer to "is it safe to text you?": nothing is texted yet.
    ack = outbox(services, kind="sms", report_id=filed.id)
    assert [(t.status, t.error_message) for t in ack] == [
        ("cancelled", "not sent: domestic abuse: texting not confirmed safe")
    ]


def test_hostility_about_religion_read_as_harassment_is_filed_as_a_hate_incident(services):
    result = file(
        services,
        "web-e00000000000000001",
        asb_type="intimidation_harassment",
        description="Two women follow me from the bus stop pulling at my headscarf and calling me names.",
    )
    filed = report(services, result.reference)
    assert filed.hate is True and filed.hate_motivation == "religion"
    assert filed.lead_agency == "staffs-police"
    assert filed.risk_level == "medium" and "a possible hate incident" in " ".join(filed.risk_reasons)
    assert filed.routing_reasons[0] == "the resident's words describe a hate incident (religion)"


def test_an_ordinary_report_gets_no_flag_from_its_words(services):
    result = file(services, "web-e00000000000000002", description="Kids smashed the bus shelter glass again.")
    filed = report(services, result.reference)
    assert filed.hate is False and filed.domestic_abuse is False
    assert not any("words describe" in r for r in filed.routing_reasons)
