"""Filing a report: the intake contract, and the one transaction that records, routes and queues a report.

Every door that takes a report (the assistant's intake API, Open311) builds an `Intake` and calls
`file_report`. In one transaction it resolves the contact and the place, counts repeats, scores risk,
routes, links a duplicate, checks the ASB Case Review, sets the response date, writes the report, its
timeline and audit rows, the acknowledgement SMS and the referrals to agencies (outbox rows). A retried
submission (same conversation_id and submission_id) files nothing new and returns the first answer.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.asb_types import ASB_TYPES, nsir_class
from casework.audit import add_event, audit
from casework.case_review import CaseReviewOutcome, NewReportFacts, assess_case_review
from casework.linking import LINKED_STATUS, auto_link_allowed, find_duplicate, mark_linked
from casework.models import Contact, Report, ReportEvent
from casework.notifications import notify_victim
from casework.references import allocate_reference
from casework.referrals import queue_referral
from casework.repeats import location_repeat, victim_report_count
from casework.risk import RiskAnswers, assess_risk
from casework.routing import ReportFacts, route
from casework.workdays import add_working_days, format_date_for_resident

if TYPE_CHECKING:
    from casework.partnership import Partnership

NEEDS = ("mental_health", "drugs_alcohol", "feeling_unsafe", "disability")
# Place matches precise enough to link duplicates and count repeat locations; a town or ward is not.
PRECISE_PLACES = ("postcode", "street", "landmark")
MEDIATION_TYPES = ("neighbour_nuisance", "noise")
RECEIVED_EVENT = "received"


class IntakeError(ValueError):
    """A payload that cannot be filed: `message` says what is wrong and what to do, `field` where."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# ----------------------------------------------------------------------------------- the contract


def tidy_postcode(value: str | None) -> str | None:
    """A full postcode ("WS13 6LJ") or its first half ("WS13") in standard form, else None."""
    from casework.partnership import normalise_postcode

    if not value or not value.strip():
        return None
    full = normalise_postcode(value)
    if full:
        return full
    outward = value.strip().upper()
    # The first half alone ("WS13") still places the report in a town.
    return outward if re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?", outward) else None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RiskIntake(_Strict):
    """The TOPIC screen answers (any may be null when not asked or not answered)."""

    targeted: bool | None = None
    often: Literal["first", "few", "many"] | None = None
    reported_before: bool | None = None
    prejudice: bool | None = None
    impact: Literal["none", "some", "severe"] | None = None
    vulnerable: bool | None = None


class ContactIntake(_Strict):
    """What the reporter wants: updates, anonymity, and whether texting them is safe."""

    wants_updates: bool = False
    anonymous: bool = False
    text_safe: bool | None = None


class Intake(_Strict):
    """One report as the assistant (or an Open311 client, via casework.open311) submits it."""

    conversation_id: str = Field(min_length=1, max_length=80)
    submission_id: str = Field(min_length=1, max_length=39)
    channel: Literal["sms", "web", "open311"]
    asb_type: str
    description: str = Field(min_length=1, max_length=5000)
    location: str = Field(max_length=500)
    postcode: str | None = Field(default=None, max_length=10)
    occurred: str = Field(default="", max_length=300)
    ongoing: bool | None = None
    reporter_role: Literal["victim", "witness", "on_behalf"] = "victim"
    tenure: Literal["owner", "private_rent", "social_rent", "unknown"] | None = None
    landlord: str | None = Field(default=None, max_length=80)
    hate: bool = False
    hate_motivation: str | None = Field(default=None, max_length=40)
    domestic_abuse: bool = False
    risk: RiskIntake = Field(default_factory=RiskIntake)
    contact: ContactIntake = Field(default_factory=ContactIntake)
    needs: list[Literal["mental_health", "drugs_alcohol", "feeling_unsafe", "disability"]] = Field(
        default_factory=list, max_length=4
    )

    @field_validator("asb_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in ASB_TYPES:
            raise ValueError(
                f"{value!r} is not an ASB type code; send one of the codes, or 'other' when unsure"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _keep_unrecognised_postcode(cls, data: Any) -> Any:
        # A resident's mistyped postcode must not lose the report: keep their words with the location.
        if isinstance(data, dict) and isinstance(data.get("postcode"), str) and data["postcode"].strip():
            if tidy_postcode(data["postcode"]) is None and isinstance(data.get("location"), str):
                data = {
                    **data,
                    "location": f"{data['location']} ({data['postcode'].strip()})".strip()[:500],
                    "postcode": None,
                }
        return data

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        return tidy_postcode(value) if value else None

    @property
    def intake_key(self) -> str:
        """The idempotency key: a retried submission from the same conversation has the same key."""
        return f"{self.conversation_id}:{self.submission_id}"


def parse_intake(data: Any) -> Intake:
    """Validate a JSON payload as an Intake, or raise IntakeError naming the first bad field."""
    if not isinstance(data, dict):
        raise IntakeError("The body must be a JSON object with the report's fields.", "")
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = ".".join(str(p) for p in err["loc"])
        kind = err["type"]
        if kind == "missing":
            msg = f"{path} is required"
        elif kind == "extra_forbidden":
            msg = f"{path} is not part of the intake contract; remove it (check the spelling)"
        else:
            msg = f"{path}: {err['msg'].removeprefix('Value error, ')}"
        raise IntakeError(msg, path) from None


# ------------------------------------------------------------------------------------- the answer


@dataclass(frozen=True)
class IntakeResult:
    """What the reporter is told once the report is filed (the intake API's JSON, field for field)."""

    reference: str
    lead_agency: dict[str, str | None]
    respond_by: str
    respond_by_text: str
    risk_level: str
    linked_reference: str | None
    case_review: dict[str, str | None]
    signposts: list[dict[str, str | None]]
    self_help: str
    mediation: dict[str, str | None] | None
    created: bool = field(default=True, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON body (without `created`, which only chooses 201 or 200)."""
        out = asdict(self)
        out.pop("created")
        return out


# --------------------------------------------------------------------------------------- helpers


_RELATIVE_DAYS = {
    "now": 0,
    "right now": 0,
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "just now": 0,
    "yesterday": 1,
    "last night": 1,
}


def parse_occurred(text: str, now: datetime) -> datetime | None:
    """When the behaviour happened, if the words say so plainly (ISO dates, today, last night...)."""
    words = text.strip().lower()
    if not words:
        return None
    if words in _RELATIVE_DAYS:
        return now - timedelta(days=_RELATIVE_DAYS[words])
    try:
        parsed = datetime.fromisoformat(words.upper() if "t" in words else words)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=now.tzinfo)
    return min(parsed, now)


def _resolve_contact(
    session: Session, *, sender_id: str | None, intake: Intake, now: datetime
) -> Contact | None:
    """The contact behind the opaque sender id; a web chat sender gets a contact with no phone."""
    if not sender_id:
        return None
    contact = session.scalar(select(Contact).where(Contact.sender_id == sender_id))
    if contact is None:
        contact = Contact(
            sender_id=sender_id,
            channel="web" if intake.channel == "web" else intake.channel,
            phone=None,
            sms_opted_out=False,
            number_invalid=False,
            created_at=now,
            updated_at=now,
        )
        session.add(contact)
        session.flush()
    if intake.contact.text_safe is not None and contact.text_safe != intake.contact.text_safe:
        contact.text_safe = intake.contact.text_safe
        contact.text_safe_asked_at = now
        contact.updated_at = now
    return contact


def _agency_card(partnership: Partnership, agency_id: str) -> dict[str, str | None]:
    agency = partnership.agency(agency_id)
    return {"id": agency.id, "name": agency.name, "phone": agency.public.phone}


_NEED_WHY = {
    "mental_health": "You mentioned it is affecting your mental health.",
    "drugs_alcohol": "Help with drugs or alcohol, for you or someone you care about.",
    "feeling_unsafe": "You said you feel unsafe; you can pass on information anonymously.",
    "disability": "Support for you as a disabled person affected by this.",
}


def signposts_for(
    *,
    asb_type: str,
    needs: list[str],
    hate: bool,
    domestic_abuse: bool,
    risk_level: str,
    partnership: Partnership,
) -> list[dict[str, str | None]]:
    """Support services for this report: from the needs the reporter named, its type and its risk."""
    wanted: list[tuple[str, str]] = []
    if domestic_abuse:
        wanted.append(("domestic_abuse", "Free, confidential help with domestic abuse, 24 hours a day."))
    if hate:
        wanted.append(("victim_support", "Support for anyone targeted because of who they are."))
    for need in needs:
        if need == "disability" and partnership.support("disability") is None:
            wanted.append(("victim_support", _NEED_WHY["disability"]))
        else:
            wanted.append((need, _NEED_WHY[need]))
    if asb_type == "drug_activity":
        wanted.append(("drugs_alcohol", "Help with drugs or alcohol, for anyone affected."))
    if risk_level == "high":
        wanted.append(
            ("victim_support", "Free support for anyone affected by crime or anti-social behaviour.")
        )
    out: list[dict[str, str | None]] = []
    seen: set[str] = set()
    for key, why in wanted:
        service = partnership.support(key)
        if service is None or key in seen:
            continue
        seen.add(key)
        out.append({"name": service.name, "phone": service.phone, "web": service.web, "why": why})
    return out


def mediation_offer(
    *,
    asb_type: str,
    hate: bool,
    domestic_abuse: bool,
    risk: RiskIntake,
    risk_level: str,
    partnership: Partnership,
) -> dict[str, str | None] | None:
    """Mediation for neighbour disputes; never for domestic abuse, hate, violence or intimidation."""
    if asb_type not in MEDIATION_TYPES or hate or domestic_abuse or risk.prejudice or risk_level == "high":
        return None
    service = partnership.support("mediation")
    if service is None:
        return None
    return {"name": service.name, "phone": service.phone, "web": service.web}


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
    session: Session,
    intake: Intake,
    partnership: Partnership,
    now: datetime,
    contact_sender_id: str | None,
    actor: str = "resident",
    coordinates: tuple[float, float] | None = None,
    open311_token: str | None = None,
) -> IntakeResult:
    """File a report in one transaction (committed here); a retried submission returns the first answer."""
    key = intake.intake_key
    replay = _replay(session, key)
    if replay is not None:
        return replay
    try:
        result = _file(
            session=session,
            intake=intake,
            partnership=partnership,
            now=now,
            contact_sender_id=contact_sender_id,
            coordinates=coordinates,
            open311_token=open311_token,
            actor=actor,
        )
        session.commit()
        return result
    except IntegrityError:
        # A concurrent retry of the same submission committed first: answer with what it filed.
        session.rollback()
        replay = _replay(session, key)
        if replay is None:
            raise
        return replay


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
    contact = _resolve_contact(session, sender_id=contact_sender_id, intake=intake, now=now)
    contact_id = contact.id if contact is not None else None

    place_text = " ".join(x for x in (intake.location, intake.postcode or "") if x)
    place = p.resolve_place(place_text)
    place_key = place.place_key if place.precision in PRECISE_PLACES else None
    ward = place.ward

    victim_count = victim_report_count(session, contact_id=contact_id, now=now, partnership=p)
    answers = RiskAnswers(**intake.risk.model_dump(), domestic_abuse=intake.domestic_abuse or None)
    risk = assess_risk(
        answers,
        recent_reports_by_victim=victim_count if contact_id else 0,
        partnership=p,
        domestic_abuse=intake.domestic_abuse,
    )
    facts = ReportFacts(
        asb_type=intake.asb_type,
        ward=ward,
        tenure=intake.tenure,
        landlord=intake.landlord,
        hate=intake.hate,
        domestic_abuse=intake.domestic_abuse,
        risk_level=risk.level,
        ongoing=intake.ongoing,
        in_area=place.in_area,
    )
    decision = route(facts, p)

    primary = None
    if auto_link_allowed(hate=intake.hate, domestic_abuse=intake.domestic_abuse, risk_level=risk.level):
        primary = find_duplicate(
            session,
            asb_type=intake.asb_type,
            place_key=place_key,
            ward=ward,
            postcode=place.postcode,
            now=now,
            partnership=p,
        )
    location = location_repeat(
        session, place_key=place_key, now=now, partnership=p, is_duplicate=primary is not None
    )
    occurred_at = parse_occurred(intake.occurred, now)
    review: CaseReviewOutcome = assess_case_review(
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

    lead = primary.lead_agency if primary is not None else decision.lead
    copied = [] if primary is not None else list(decision.copied)
    due_at = add_working_days(now, decision.target_working_days, p.timezone)
    report = Report(
        reference=allocate_reference(session),
        asb_type=intake.asb_type,
        nsir_class=nsir_class(intake.asb_type, intake.risk.targeted),
        description=intake.description,
        location_text=intake.location,
        ward=ward,
        place_key=place_key,
        postcode=place.postcode or intake.postcode,
        latitude=coordinates[0] if coordinates else None,
        longitude=coordinates[1] if coordinates else None,
        occurred_text=intake.occurred,
        occurred_at=occurred_at,
        ongoing=intake.ongoing,
        reporter_role=intake.reporter_role,
        tenure=intake.tenure,
        landlord=intake.landlord,
        hate=intake.hate,
        hate_motivation=intake.hate_motivation if intake.hate else None,
        domestic_abuse=intake.domestic_abuse,
        risk_level=risk.level,
        risk_answers={**intake.risk.model_dump(), "needs": list(intake.needs)},
        risk_reasons=list(risk.reasons),
        status=LINKED_STATUS if primary is not None else "open",
        lead_agency=lead,
        copied_agencies=copied,
        routing_reasons=list(decision.reasons)
        + (
            [f"duplicate of {primary.reference} → {primary.lead_agency}, already dealing with it"]
            if primary
            else []
        ),
        linked_to_id=primary.id if primary else None,
        contact_id=contact_id,
        anonymous=intake.contact.anonymous,
        wants_updates=intake.contact.wants_updates,
        text_safe=intake.contact.text_safe,
        channel=intake.channel,
        conversation_id=intake.conversation_id,
        intake_key=intake.intake_key,
        open311_token=open311_token,
        transcript=[],
        repeat_victim_count=victim_count if contact_id else 0,
        repeat_location_count=location.count,
        hotspot=location.hotspot,
        case_review_explained=review.status in ("explain", "eligible"),
        case_review_eligible=review.status == "eligible",
        due_at=due_at,
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()

    reply = IntakeResult(
        reference=report.reference,
        lead_agency=_agency_card(p, lead),
        respond_by=due_at.astimezone(p.tz).date().isoformat(),
        respond_by_text="by " + format_date_for_resident(due_at, p.timezone),
        risk_level=risk.level,
        linked_reference=primary.reference if primary else None,
        case_review={"status": review.status, "message": review.message},
        signposts=signposts_for(
            asb_type=intake.asb_type,
            needs=list(intake.needs),
            hate=intake.hate,
            domestic_abuse=intake.domestic_abuse,
            risk_level=risk.level,
            partnership=p,
        ),
        self_help=p.self_help_for(intake.asb_type),
        mediation=mediation_offer(
            asb_type=intake.asb_type,
            hate=intake.hate,
            domestic_abuse=intake.domestic_abuse,
            risk=intake.risk,
            risk_level=risk.level,
            partnership=p,
        ),
    )
    _record(
        session,
        report=report,
        reply=reply,
        primary=primary,
        review=review,
        decision_reasons=decision.reasons,
        now=now,
        actor=actor,
        partnership=p,
    )
    return reply


def _record(
    session: Session,
    *,
    report: Report,
    reply: IntakeResult,
    primary: Report | None,
    review: CaseReviewOutcome,
    decision_reasons: tuple[str, ...],
    now: datetime,
    actor: str,
    partnership: Partnership,
) -> None:
    """Timeline, audit and outbox rows for a newly filed report (same transaction)."""
    p = partnership
    reply_data = reply.as_dict()
    add_event(
        session,
        report,
        kind=RECEIVED_EVENT,
        actor=actor,
        at=now,
        public=True,
        body=f"Report received by {report.channel}.",
        data={"reply": reply_data},
    )
    add_event(
        session,
        report,
        kind="routed",
        actor="system",
        at=now,
        body="; ".join(report.routing_reasons),
        data={
            "lead": report.lead_agency,
            "copied": list(report.copied_agencies),
            "reasons": list(decision_reasons),
        },
    )
    if report.risk_reasons:
        add_event(
            session,
            report,
            kind="risk_assessed",
            actor="system",
            at=now,
            body=f"{report.risk_level} risk: " + "; ".join(report.risk_reasons),
            data={"level": report.risk_level},
        )
    if report.repeat_victim_count >= p.repeats.victim_reports:
        add_event(
            session,
            report,
            kind="repeat_victim",
            actor="system",
            at=now,
            body=f"Repeat victim: {report.repeat_victim_count} reports in "
            f"{p.repeats.victim_window_days} days.",
            data={"count": report.repeat_victim_count},
        )
    if report.hotspot:
        add_event(
            session,
            report,
            kind="hotspot",
            actor="system",
            at=now,
            body=f"Repeat location: {report.repeat_location_count} problems reported here in "
            f"{p.repeats.location_window_days} days.",
            data={"count": report.repeat_location_count, "place_key": report.place_key},
        )
    if review.status != "none":
        add_event(
            session,
            report,
            kind=f"case_review_{review.status}",
            actor="system",
            at=now,
            body=(
                "ASB Case Review threshold met: "
                if review.status == "eligible"
                else "ASB Case Review explained: "
            )
            + "; ".join(review.reasons),
            data={"reasons": list(review.reasons), "qualifying_reports": review.qualifying_reports},
        )
    audit(
        session,
        actor=actor,
        action="report.filed",
        at=now,
        target_type="report",
        target_id=report.reference,
        detail={
            "channel": report.channel,
            "lead": report.lead_agency,
            "linked_to": reply.linked_reference,
            "risk_level": report.risk_level,
        },
    )

    if primary is not None:
        mark_linked(
            session,
            duplicate=report,
            primary=primary,
            now=now,
            actor="system",
            reason=f"same problem at the same place reported within {p.duplicates.window_hours} hours",
        )
        notify_victim(
            session, report, purpose="linked", now=now, partnership=p, dedupe_key=f"linked:{report.id}"
        )
    else:
        queue_referral(session, report, report.lead_agency, now, "new", partnership=p)
        for agency_id in report.copied_agencies:
            queue_referral(session, report, agency_id, now, "copied", partnership=p)
        notify_victim(
            session,
            report,
            purpose="ack",
            now=now,
            partnership=p,
            fields={"respond_by": reply.respond_by_text.removeprefix("by ")},
            dedupe_key=f"ack:{report.id}",
        )
    if review.status == "eligible":
        notify_victim(
            session,
            report,
            purpose="case_review",
            now=now,
            partnership=p,
            dedupe_key=f"case_review:{report.id}",
        )
    session.flush()
