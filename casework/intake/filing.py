"""Filing a report: the intake contract, and the one transaction that records, routes and queues a report.

Every door that takes a report (the assistant's intake API, Open311) builds an `Intake` and calls
`file_report`. In one transaction it resolves the contact and the place, counts repeats, scores risk,
routes, links a duplicate, checks the ASB Case Review, sets the response date, writes the report, its
timeline and audit rows, the acknowledgement SMS and the referrals to agencies (outbox rows). A retried
submission (same conversation_id and submission_id) files nothing new and returns the first answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from casework.core.asb_types import nsir_class
from casework.core.db import transaction
from casework.core.models import Report, ReportEvent
from casework.core.references import allocate_reference
from casework.core.states import ReportStatus
from casework.core.workdays import add_working_days, format_date_for_resident
from casework.intake.case_review import CaseReviewOutcome, NewReportFacts, assess_case_review
from casework.intake.contract import (
    PRECISE_PLACES,
    RECEIVED_EVENT,
    Intake,
    IntakeResult,
    parse_occurred,
)
from casework.intake.linking import auto_link_allowed, find_duplicate
from casework.intake.recognition import recognise_flags
from casework.intake.repeats import LocationRepeat, location_repeat, victim_report_count
from casework.intake.reporter import resolve_reporter
from casework.intake.risk import RiskAnswers, RiskAssessment, assess_risk
from casework.intake.routing import ReportFacts, RoutingDecision, route
from casework.intake.signposts import diary_tip, mediation_offer, signposts_for
from casework.intake.timeline import record_filing
from casework.places import place_report

if TYPE_CHECKING:
    from casework.partnership import Partnership, PlaceMatch


# --------------------------------------------------------------------------------------- helpers


def _agency_card(partnership: Partnership, agency_id: str) -> dict[str, str | None]:
    agency = partnership.agency(agency_id)
    return {"id": agency.id, "name": agency.name, "phone": agency.public.phone}


def _replay(session: Session, key: str) -> IntakeResult | None:
    report = session.scalar(select(Report).where(Report.intake_key == key))
    if report is None:
        return None
    event = session.scalar(
        select(ReportEvent)
        .where(ReportEvent.report_id == report.id, ReportEvent.kind == RECEIVED_EVENT)
        .order_by(ReportEvent.id)
        .limit(1)
    )
    if event is None or "reply" not in (event.data or {}):
        raise RuntimeError(f"report {report.reference} has no stored intake reply")
    return IntakeResult(**event.data["reply"], created=False)


# ---------------------------------------------------------------------------------- the service


def file_report(
    *,
    sessions: sessionmaker[Session],
    intake: Intake,
    partnership: Partnership,
    now: datetime,
    contact_sender_id: str | None,
    actor: str = "resident",
) -> IntakeResult:
    """The intake use case: file a report in one transaction; a retry returns the first answer."""
    try:
        with transaction(sessions) as session:
            return record_report(
                session=session,
                intake=intake,
                partnership=partnership,
                now=now,
                contact_sender_id=contact_sender_id,
                actor=actor,
            )
    except IntegrityError:
        # A concurrent retry of the same submission committed first: answer with what it filed.
        with transaction(sessions) as session:
            replay = _replay(session, intake.intake_key)
        if replay is None:
            raise
        return replay


def record_report(
    *,
    session: Session,
    intake: Intake,
    partnership: Partnership,
    now: datetime,
    contact_sender_id: str | None,
    actor: str = "resident",
    coordinates: tuple[float, float] | None = None,
    open311_token: str | None = None,
) -> IntakeResult:
    """Record, route and queue a report in the caller's transaction (a retry returns the first answer)."""
    replay = _replay(session, intake.intake_key)
    if replay is not None:
        return replay
    return _file(
        session=session,
        intake=intake,
        partnership=partnership,
        now=now,
        contact_sender_id=contact_sender_id,
        coordinates=coordinates,
        open311_token=open311_token,
        actor=actor,
    )


@dataclass(frozen=True)
class _Assessment:
    """Everything decided about a new report before it is written."""

    place: PlaceMatch
    place_key: str | None
    victim_count: int
    risk: RiskAssessment
    decision: RoutingDecision
    primary: Report | None
    location: LocationRepeat
    occurred_at: datetime | None
    review: CaseReviewOutcome


def _victim_and_risk(
    session: Session, intake: Intake, p: Partnership, *, now: datetime, contact_id: int | None
) -> tuple[int, RiskAssessment]:
    """How many recent reports this victim made, and the risk assessment that counts them."""
    victim_count = victim_report_count(session, contact_id=contact_id, now=now, partnership=p)
    answers = RiskAnswers(**intake.risk.model_dump(), domestic_abuse=intake.domestic_abuse or None)
    risk = assess_risk(
        answers,
        recent_reports_by_victim=victim_count if contact_id else 0,
        partnership=p,
        domestic_abuse=intake.domestic_abuse,
    )
    return victim_count, risk


def _assess(
    session: Session,
    intake: Intake,
    p: Partnership,
    *,
    now: datetime,
    contact_id: int | None,
    coordinates: tuple[float, float] | None = None,
) -> _Assessment:
    """Place, repeats, risk, routing, duplicate and case review for a new report."""
    text = " ".join(x for x in (intake.location, intake.postcode or "") if x)
    place = place_report(session, p, text, coordinates)
    place_key = place.place_key if place.precision in PRECISE_PLACES else None
    victim_count, risk = _victim_and_risk(session, intake, p, now=now, contact_id=contact_id)
    facts = ReportFacts(
        asb_type=intake.asb_type,
        ward=place.ward,
        tenure=intake.tenure,
        landlord=intake.landlord,
        hate=intake.hate,
        domestic_abuse=intake.domestic_abuse,
        risk_level=risk.level,
        ongoing=intake.ongoing,
        in_area=place.in_area,
    )
    primary = None
    if auto_link_allowed(hate=intake.hate, domestic_abuse=intake.domestic_abuse, risk_level=risk.level):
        primary = find_duplicate(
            session,
            asb_type=intake.asb_type,
            place_key=place_key,
            ward=place.ward,
            postcode=place.postcode,
            now=now,
            partnership=p,
        )
    location = location_repeat(
        session, place_key=place_key, now=now, partnership=p, is_duplicate=primary is not None
    )
    occurred_at = parse_occurred(intake.occurred, now)
    review = assess_case_review(
        session,
        new=NewReportFacts(
            contact_id=contact_id,
            asb_type=intake.asb_type,
            place_key=place_key,
            hate=intake.hate,
            primary_id=primary.id if primary else None,
            occurred_at=occurred_at,
            ongoing=intake.ongoing,
        ),
        now=now,
        partnership=p,
    )
    return _Assessment(
        place, place_key, victim_count, risk, route(facts, p), primary, location, occurred_at, review
    )


def _from_intake(intake: Intake) -> dict[str, Any]:
    """The report's columns copied from what the resident said."""
    return {
        "asb_type": intake.asb_type,
        "nsir_class": nsir_class(intake.asb_type, intake.risk.targeted),
        "description": intake.description,
        "location_text": intake.location,
        "occurred_text": intake.occurred,
        "ongoing": intake.ongoing,
        "reporter_role": intake.reporter_role,
        "tenure": intake.tenure,
        "landlord": intake.landlord,
        "hate": intake.hate,
        "hate_motivation": intake.hate_motivation if intake.hate else None,
        "domestic_abuse": intake.domestic_abuse,
        "risk_answers": {**intake.risk.model_dump(), "needs": list(intake.needs)},
        "anonymous": intake.contact.anonymous,
        "wants_updates": intake.contact.wants_updates,
        "text_safe": intake.contact.text_safe,
        "channel": intake.channel,
        "conversation_id": intake.conversation_id,
        "intake_key": intake.intake_key,
    }


def _new_report(
    session: Session,
    intake: Intake,
    a: _Assessment,
    *,
    contact_id: int | None,
    coordinates: tuple[float, float] | None,
    open311_token: str | None,
    due_at: datetime,
    now: datetime,
) -> Report:
    primary = a.primary
    duplicate_reason = (
        [f"duplicate of {primary.reference} → {primary.lead_agency}, already dealing with it"]
        if primary
        else []
    )
    return Report(
        **_from_intake(intake),
        reference=allocate_reference(session),
        ward=a.place.ward,
        place_key=a.place_key,
        postcode=a.place.postcode or intake.postcode,
        latitude=coordinates[0] if coordinates else a.place.latitude,
        longitude=coordinates[1] if coordinates else a.place.longitude,
        place_method=a.place.method,
        place_confidence=a.place.confidence if a.place.method else None,
        occurred_at=a.occurred_at,
        risk_level=a.risk.level,
        risk_reasons=list(a.risk.reasons),
        status=ReportStatus.LINKED if primary is not None else ReportStatus.OPEN,
        lead_agency=primary.lead_agency if primary is not None else a.decision.lead,
        copied_agencies=[] if primary is not None else list(a.decision.copied),
        routing_reasons=list(a.decision.reasons) + duplicate_reason,
        linked_to_id=primary.id if primary else None,
        contact_id=contact_id,
        open311_token=open311_token,
        transcript=[],
        repeat_victim_count=a.victim_count if contact_id else 0,
        repeat_location_count=a.location.count,
        hotspot=a.location.hotspot,
        case_review_explained=a.review.status in ("explain", "eligible"),
        case_review_eligible=a.review.status == "eligible",
        due_at=due_at,
        created_at=now,
        updated_at=now,
    )


def _reply(
    report: Report, intake: Intake, a: _Assessment, p: Partnership, *, text_updates: dict[str, str] | None
) -> IntakeResult:
    """What the resident is told."""
    assert report.due_at is not None
    return IntakeResult(
        reference=report.reference,
        lead_agency=_agency_card(p, report.lead_agency),
        respond_by=report.due_at.astimezone(p.tz).date().isoformat(),
        respond_by_text="by " + format_date_for_resident(report.due_at, p.timezone),
        risk_level=a.risk.level,
        linked_reference=a.primary.reference if a.primary else None,
        case_review={"status": a.review.status, "message": a.review.message},
        signposts=signposts_for(
            asb_type=intake.asb_type,
            needs=list(intake.needs),
            hate=intake.hate,
            domestic_abuse=intake.domestic_abuse,
            risk_level=a.risk.level,
            partnership=p,
        ),
        self_help=p.self_help_for(intake.asb_type),
        diary_tip=diary_tip(p, intake.asb_type, intake.channel),
        text_updates=text_updates,
        mediation=mediation_offer(
            asb_type=intake.asb_type,
            hate=intake.hate,
            domestic_abuse=intake.domestic_abuse,
            risk=intake.risk,
            risk_level=a.risk.level,
            partnership=p,
        ),
    )


def _file(
    *,
    session: Session,
    intake: Intake,
    partnership: Partnership,
    now: datetime,
    contact_sender_id: str | None,
    actor: str,
    coordinates: tuple[float, float] | None,
    open311_token: str | None,
) -> IntakeResult:
    p = partnership
    intake, noted = recognise_flags(intake)
    reporter = resolve_reporter(
        session, sender_id=contact_sender_id, intake=intake, now=now, partnership=partnership
    )
    intake = reporter.intake
    contact_id = reporter.contact.id if reporter.contact is not None else None
    a = _assess(session, intake, p, now=now, contact_id=contact_id, coordinates=coordinates)
    if noted:
        a = replace(a, decision=replace(a.decision, reasons=noted + a.decision.reasons))
    report = _new_report(
        session,
        intake,
        a,
        contact_id=contact_id,
        coordinates=coordinates,
        open311_token=open311_token,
        due_at=add_working_days(now, a.decision.target_working_days, p.timezone),
        now=now,
    )
    session.add(report)
    session.flush()
    if intake.channel in ("sms", "web"):
        # The conversation that filed it (the assistant's conversation id is the sender id) becomes its
        # transcript; Open311 reports have none, even when their phone number has texted in.
        from casework.conversation import claim_conversation  # here: conversation imports intake

        claim_conversation(session, sender_id=intake.conversation_id, report_id=report.id)
    reply = _reply(report, intake, a, p, text_updates=reporter.text_updates)
    record_filing(
        session,
        report=report,
        reply=reply,
        primary=a.primary,
        review=a.review,
        decision_reasons=a.decision.reasons,
        now=now,
        actor=actor,
        partnership=p,
    )
    return reply
