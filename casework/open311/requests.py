"""Open311 GeoReport v2 for ASB reports, with mySociety's ``servicerequestupdates`` extension.

- Services: one per ASB type; ``service_code`` is the ``asb_type`` code and ``group`` its NSIR class.
- A request POSTed by a client (FixMyStreet-like sites, agency systems) is filed exactly like a chat report
  (an Intake through casework.intake.filing.file_report): same routing, duplicate linking, risk and case
  review.
- ``service_request_id`` is the report's reference; ``agency_responsible`` the lead agency's id.
- ASB reports are private: every requests, tokens and updates call needs an ``api_key``, one of
  ``OPEN311_API_KEYS`` or one issued by an admin (stored as its SHA-256, usable until revoked). A key
  issued for one agency reads and updates only the reports that agency leads or is copied into; any
  other report answers 404, as if it did not exist.
- Agency systems push status updates with ``POST servicerequestupdates``. An ``update_id`` is the
  sender's own id (the agency for an agency key, else the key): each is applied once, a repeat of the
  same update answers as the first time, and the same id for a different update is refused (409).
  Only the lead agency (or a partnership-wide key) changes a report's status or hands it back; an
  agency that is only copied in may add notes (status ``open``, or the status the report already has).
  A public update is shown to the reporter (and reporters of linked duplicates) and texted.
- ``phone`` must be a UK mobile. A number given through a partnership-wide key (a public site) is kept
  for staff but not texted until it has texted us; one given by an agency's own system is confirmed.

Errors are raised as :class:`Open311Error` with the spec's HTTP status (400, 403, 404; 409 for an
update_id reused for a different update).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.asb_types import ASB_TYPES
from casework.core.audit import audit
from casework.core.models import Report
from casework.core.references import parse_reference
from casework.core.states import ReportStatus
from casework.core.values import yes_no
from casework.intake import Intake, IntakeError, parse_intake, record_report
from casework.open311.keys import Client, Open311Error
from casework.staff import agency_involved

if TYPE_CHECKING:
    from casework.partnership import Partnership

MAX_LIST = 1000  # the spec lets servers cap GET requests at 1000
DEFAULT_DAYS = 90  # and default to the last 90 days

# mySociety update statuses (the protocol's words) → our status (None: leave the status as it is).
UPDATE_STATUSES: dict[str, ReportStatus | None] = {
    "open": None,
    "for_triage": ReportStatus.OPEN,
    "investigating": ReportStatus.IN_PROGRESS,
    "in_progress": ReportStatus.IN_PROGRESS,
    "action_scheduled": ReportStatus.IN_PROGRESS,
    "planned": ReportStatus.IN_PROGRESS,
    "internal_referral": ReportStatus.IN_PROGRESS,
    "reopen": ReportStatus.IN_PROGRESS,
    "fixed": ReportStatus.CLOSED,
    "closed": ReportStatus.CLOSED,
    "no_further_action": ReportStatus.CLOSED,
    "duplicate": ReportStatus.CLOSED,
    # Not their job: back to the triage queue to re-route; the reporter is not texted about it.
    "not_councils_responsibility": ReportStatus.OPEN,
}
NOT_THEIRS = "not_councils_responsibility"
# Said to every partnership-wide client that gives a phone, texted or not, so the answer reveals nothing.
PUBLIC_PHONE_NOTICE = (
    "We text updates only to a number that has texted us: text your reference to us to get them."
)


# ---------------------------------------------------------------------------- services (public)

ATTRIBUTES: list[dict[str, Any]] = [
    {
        "code": "when",
        "datatype": "string",
        "description": "When did it happen? (for example: last night, every evening, 2026-11-17 22:30)",
    },
    {
        "code": "ongoing",
        "datatype": "singlevaluelist",
        "description": "Is it still going on?",
        "values": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
    },
    {
        "code": "hate",
        "datatype": "singlevaluelist",
        "description": "Do you think it happened because of who you are (race, religion, disability, sexual "
        "orientation or transgender identity)?",
        "values": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
    },
    {
        "code": "reporter_role",
        "datatype": "singlevaluelist",
        "description": "Are you reporting as the person affected, a witness, or for someone else?",
        "values": [
            {"key": "victim", "name": "I am affected"},
            {"key": "witness", "name": "I saw it happen"},
            {"key": "on_behalf", "name": "For someone else, with their permission"},
        ],
    },
    {
        "code": "people_description",
        "datatype": "text",
        "description": "Describe the people involved, if you can (what they looked like, how many).",
    },
]


def services_list() -> list[dict[str, Any]]:
    """GET services: one service per ASB type."""
    return [
        {
            "service_code": t.code,
            "service_name": t.label,
            "description": t.description,
            "metadata": True,
            "type": "realtime",
            "keywords": t.code.replace("_", ", "),
            "group": t.nsir_class,
        }
        for t in ASB_TYPES.values()
    ]


def service_definition(service_code: str) -> dict[str, Any]:
    """GET services/<code>: the extra questions asked with a report."""
    if service_code not in ASB_TYPES:
        raise Open311Error(404, f"No service {service_code!r}; GET services.json lists the codes.")
    attributes = []
    for order, attr in enumerate(ATTRIBUTES, start=1):
        attributes.append(
            {
                "variable": True,
                "code": attr["code"],
                "datatype": attr["datatype"],
                "required": False,
                "datatype_description": None,
                "order": order,
                "description": attr["description"],
                **({"values": attr["values"]} if "values" in attr else {}),
            }
        )
    return {"service_code": service_code, "attributes": attributes}


# ------------------------------------------------------------------------------- create a request


def _yes_no(name: str, value: str | None) -> bool | None:
    try:
        return yes_no(value)
    except ValueError:
        raise Open311Error(400, f"attribute[{name}] must be yes or no") from None


def intake_from_open311(form: Mapping[str, str], *, submission_id: str) -> Intake:
    """Build an Intake from POST requests form fields (Open311 names), or raise Open311Error 400."""
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required (one of the codes in services.json)")
    if code not in ASB_TYPES:
        raise Open311Error(400, f"service_code {code!r} is not a service here; see services.json")
    address = (form.get("address_string") or "").strip()
    lat, long = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    if not address and not (lat and long):
        raise Open311Error(400, "a location is required: address_string, or lat and long")
    description = (form.get("description") or "").strip()
    people = (form.get("attribute[people_description]") or "").strip()
    if people:
        description = f"{description}\n\nPeople involved: {people}".strip()
    hate = _yes_no("hate", form.get("attribute[hate]"))
    role = (form.get("attribute[reporter_role]") or "victim").strip() or "victim"
    phone = (form.get("phone") or "").strip()
    data = {
        "conversation_id": f"open311-{submission_id}",
        "submission_id": submission_id,
        "channel": "open311",
        "asb_type": code,
        "description": description,
        "location": address or f"{lat}, {long}",
        "occurred": (form.get("attribute[when]") or "").strip(),
        "ongoing": _yes_no("ongoing", form.get("attribute[ongoing]")),
        "reporter_role": role,
        "hate": bool(hate),
        "risk": {"prejudice": hate},
        "contact": {"wants_updates": bool(phone), "anonymous": False, "text_safe": None},
    }
    try:
        return parse_intake(data)
    except IntakeError as exc:
        field = {
            "asb_type": "service_code",
            "location": "address_string",
            "reporter_role": "attribute[reporter_role]",
            "occurred": "attribute[when]",
        }.get(exc.field, exc.field)
        raise Open311Error(400, f"{field}: {exc.message}") from None


def _coordinates(form: Mapping[str, str]) -> tuple[float, float] | None:
    lat, long = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    if not lat or not long:
        return None
    try:
        la, lo = float(lat), float(long)
    except ValueError:
        raise Open311Error(400, "lat and long must be numbers (WGS84 degrees)") from None
    if not (-90 <= la <= 90 and -180 <= lo <= 180):
        raise Open311Error(400, "lat and long are out of range (WGS84 degrees)")
    return la, lo


def create_request(
    session: Session,
    *,
    form: Mapping[str, str],
    client: Client,
    partnership: Partnership,
    now: datetime,
    sender_id_key: str,
) -> list[dict[str, Any]]:
    """POST requests: file the report (same routing, linking and risk as chat)."""
    from casework.conversation import InvalidPhoneNumber, confirm_phone, get_or_create_sms_contact, uk_mobile

    submission_id = secrets.token_hex(16)
    intake = intake_from_open311(form, submission_id=submission_id)
    coordinates = _coordinates(form)
    sender_id = None
    phone = (form.get("phone") or "").strip()
    if phone:
        try:
            mobile = uk_mobile(phone)
        except InvalidPhoneNumber as exc:
            raise Open311Error(400, f"phone: {exc}") from None
        contact = get_or_create_sms_contact(session, phone=mobile, key=sender_id_key, now=now)
        if client.agency_id is not None:
            # An agency's own system gives the number of someone it dealt with: confirmed by that agency.
            # A public site's number is not: it is texted only once it has texted us (sms_block_reason).
            confirm_phone(contact, now=now)
        sender_id = contact.sender_id
    token = secrets.token_urlsafe(12)
    result = record_report(
        session=session,
        intake=intake,
        partnership=partnership,
        now=now,
        contact_sender_id=sender_id,
        actor=client.actor,
        coordinates=coordinates,
        open311_token=token,
    )
    notice = f"Thank you. {result.lead_agency['name']} will respond {result.respond_by_text}."
    if result.linked_reference:
        notice = (
            f"This is already being dealt with by {result.lead_agency['name']} ({result.linked_reference})."
        )
    if phone and client.agency_id is None:
        notice = f"{notice} {PUBLIC_PHONE_NOTICE}"
    return [
        {"service_request_id": result.reference, "token": token, "service_notice": notice, "account_id": None}
    ]


# --------------------------------------------------------------------------------- read requests


def parse_w3c(value: str, name: str) -> datetime:
    """A W3C/ISO 8601 datetime from a query parameter (UTC when no offset), or Open311Error 400."""
    text = value.strip().replace(" ", "+")  # a '+' offset arrives as a space when not URL-encoded
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        parsed = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        parsed + timedelta(days=1)  # noqa: B018 - the date must leave room for the filters' arithmetic
    except (ValueError, OverflowError):
        raise Open311Error(400, f"{name} must be a W3C datetime such as 2026-11-18T10:00:00Z") from None
    return parsed


def w3c_time(dt: datetime | None) -> str | None:
    """GeoReport's W3C form: UTC with a Z (not the ISO offset the staff API uses)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def request_json(report: Report) -> dict[str, Any]:
    """One service request as GeoReport v2 describes it."""
    known = ASB_TYPES.get(report.asb_type)
    closed = report.status == ReportStatus.CLOSED
    return {
        "service_request_id": report.reference,
        "status": "closed" if closed else "open",
        "status_notes": report.outcome if closed else None,
        "service_name": known.label if known else report.asb_type,
        "service_code": report.asb_type,
        "description": report.description,
        "agency_responsible": report.lead_agency,
        "service_notice": None,
        "requested_datetime": w3c_time(report.created_at),
        "updated_datetime": w3c_time(report.updated_at),
        "expected_datetime": w3c_time(report.due_at),
        "address": report.location_text,
        "address_id": None,
        "zipcode": report.postcode,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": None,
    }


def list_requests(
    session: Session, *, args: Mapping[str, str], client: Client, now: datetime
) -> list[dict[str, Any]]:
    """GET requests with the spec's filters (service_request_id, service_code, start/end_date, status)."""
    stmt = select(Report)
    ids = [x for x in (args.get("service_request_id") or "").split(",") if x.strip()]
    if ids:
        refs = [parse_reference(x) for x in ids]
        stmt = stmt.where(Report.reference.in_([r for r in refs if r]))
    else:
        codes = [c.strip() for c in (args.get("service_code") or "").split(",") if c.strip()]
        for code in codes:
            if code not in ASB_TYPES:
                raise Open311Error(400, f"service_code {code!r} is not a service here; see services.json")
        if codes:
            stmt = stmt.where(Report.asb_type.in_(codes))
        start = parse_w3c(args["start_date"], "start_date") if args.get("start_date") else None
        end = parse_w3c(args["end_date"], "end_date") if args.get("end_date") else None
        if start is None and end is None:
            start = now - timedelta(days=DEFAULT_DAYS)
        if start is not None and end is not None and end < start:
            raise Open311Error(400, "end_date is before start_date")
        if start is not None:
            stmt = stmt.where(Report.created_at >= start)
        if end is not None:
            stmt = stmt.where(Report.created_at <= end)
        statuses = {s.strip().lower() for s in (args.get("status") or "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed (or both, comma-separated)")
        if statuses == {"open"}:
            stmt = stmt.where(Report.status != ReportStatus.CLOSED)
        elif statuses == {"closed"}:
            stmt = stmt.where(Report.status == ReportStatus.CLOSED)
    if client.agency_id is not None:
        stmt = stmt.where(agency_involved(client.agency_id))
    reports = session.scalars(stmt.order_by(Report.created_at.desc(), Report.id.desc()).limit(MAX_LIST)).all()
    audit(
        session,
        actor=client.actor,
        action="open311.requests.read",
        at=now,
        target_type="report",
        target_id=reports[0].reference if len(reports) == 1 else None,
        detail={"count": len(reports), "filters": {k: args.get(k) for k in args if k != "api_key"}},
    )
    return [request_json(r) for r in reports]


def get_request(session: Session, *, reference: str, client: Client, now: datetime) -> list[dict[str, Any]]:
    """GET requests/<id>: one request (in a list, as the spec says), or Open311Error 404."""
    canonical = parse_reference(reference)
    report = session.scalar(select(Report).where(Report.reference == canonical)) if canonical else None
    if report is None or not client.may_see(report):  # another agency's report: as if it did not exist
        raise Open311Error(404, f"No service request {reference!r}.")
    audit(
        session,
        actor=client.actor,
        action="open311.request.read",
        at=now,
        target_type="report",
        target_id=report.reference,
    )
    return [request_json(report)]


def token_lookup(session: Session, *, token: str, client: Client) -> list[dict[str, Any]]:
    """GET tokens/<token>: the service_request_id created for a token, or Open311Error 404."""
    report = session.scalar(select(Report).where(Report.open311_token == token)) if token else None
    if report is None or not client.may_see(report):  # another agency's report: as if it did not exist
        raise Open311Error(404, f"No request for token {token[:40]!r}.")
    return [{"service_request_id": report.reference, "token": token}]
