"""Open311 GeoReport v2 for ASB reports, with mySociety's ``servicerequestupdates`` extension.

- Services: one per ASB type; ``service_code`` is the ``asb_type`` code and ``group`` its NSIR class.
- A request POSTed by a client (FixMyStreet-like sites, agency systems) is filed exactly like a chat report
  (an Intake through casework.intake.file_report): same routing, duplicate linking, risk and case review.
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

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.access import agency_involved
from casework.asb_types import ASB_TYPES
from casework.audit import add_event, audit
from casework.contacts import InvalidPhoneNumber, confirm_phone, get_or_create_sms_contact, uk_mobile
from casework.intake import Intake, IntakeError, file_report, parse_intake
from casework.linking import contacts_following
from casework.models import ApiKey, Report, ReportEvent
from casework.notifications import notify_victim
from casework.references import parse_reference

if TYPE_CHECKING:
    from casework.partnership import Partnership

MAX_LIST = 1000  # the spec lets servers cap GET requests at 1000
DEFAULT_DAYS = 90  # and default to the last 90 days
YES = {"yes", "true", "1", "y"}
NO = {"no", "false", "0", "n"}

# mySociety update statuses → our status (None: leave the status as it is).
UPDATE_STATUSES: dict[str, str | None] = {
    "open": None,
    "for_triage": "open",
    "investigating": "in_progress",
    "in_progress": "in_progress",
    "action_scheduled": "in_progress",
    "planned": "in_progress",
    "internal_referral": "in_progress",
    "reopen": "in_progress",
    "fixed": "closed",
    "closed": "closed",
    "no_further_action": "closed",
    "duplicate": "closed",
    # Not their job: back to the triage queue to re-route; the reporter is not texted about it.
    "not_councils_responsibility": "open",
}
NOT_THEIRS = "not_councils_responsibility"
# Said to every partnership-wide client that gives a phone, texted or not, so the answer reveals nothing.
PUBLIC_PHONE_NOTICE = (
    "We text updates only to a number that has texted us: text your reference to us to get them."
)


class Open311Error(Exception):
    """An Open311 call that cannot be answered: `code` is the HTTP status, `description` says why."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description

    def as_list(self) -> list[dict[str, Any]]:
        """The spec's error body."""
        return [{"code": self.code, "description": self.description}]


@dataclass(frozen=True)
class Client:
    """Who is calling: which api_key (for audit), and the one agency it is limited to, if any."""

    label: str
    agency_id: str | None = None

    def may_see(self, report: Report) -> bool:
        """Whether this client may read or update the report."""
        if self.agency_id is None:
            return True
        return report.lead_agency == self.agency_id or self.agency_id in (report.copied_agencies or [])

    def may_decide(self, report: Report) -> bool:
        """Whether this client may change the report's status or hand it back (lead or partnership-wide)."""
        return self.agency_id is None or report.lead_agency == self.agency_id

    @property
    def sender(self) -> str:
        """Whose update ids these are: the agency (whichever of its keys it uses), else the key."""
        return f"agency:{self.agency_id}" if self.agency_id else f"key:{self.label}"

    @property
    def actor(self) -> str:
        """The actor string for audit and timeline rows."""
        return f"open311:{self.label}"


# ------------------------------------------------------------------------------------- api keys


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def check_api_key(session: Session, api_key: str | None, *, configured: set[str]) -> Client:
    """The calling client for a valid api_key; Open311Error 403 otherwise."""
    if not api_key:
        raise Open311Error(403, "api_key is required: ASB reports are private.")
    for key in configured:
        if hmac.compare_digest(key.encode(), api_key.encode()):
            return Client(label="config")
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _sha256(api_key)))
    if row is None or row.revoked_at is not None:
        raise Open311Error(403, "api_key is not valid (or has been revoked).")
    return Client(label=f"key{row.id}", agency_id=row.agency_id)


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


def _yes_no(value: str | None, name: str) -> bool | None:
    if value is None or not value.strip():
        return None
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise Open311Error(400, f"attribute[{name}] must be yes or no")


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
    hate = _yes_no(form.get("attribute[hate]"), "hate")
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
        "ongoing": _yes_no(form.get("attribute[ongoing]"), "ongoing"),
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
    """POST requests: file the report (same routing, linking and risk as chat); commits."""
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
    result = file_report(
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


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def request_json(report: Report) -> dict[str, Any]:
    """One service request as GeoReport v2 describes it."""
    known = ASB_TYPES.get(report.asb_type)
    closed = report.status == "closed"
    return {
        "service_request_id": report.reference,
        "status": "closed" if closed else "open",
        "status_notes": report.outcome if closed else None,
        "service_name": known.label if known else report.asb_type,
        "service_code": report.asb_type,
        "description": report.description,
        "agency_responsible": report.lead_agency,
        "service_notice": None,
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(report.due_at),
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
            stmt = stmt.where(Report.status != "closed")
        elif statuses == {"closed"}:
            stmt = stmt.where(Report.status == "closed")
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
    session.commit()
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
    session.commit()
    return [request_json(report)]


def token_lookup(session: Session, *, token: str, client: Client) -> list[dict[str, Any]]:
    """GET tokens/<token>: the service_request_id created for a token, or Open311Error 404."""
    report = session.scalar(select(Report).where(Report.open311_token == token)) if token else None
    if report is None or not client.may_see(report):  # another agency's report: as if it did not exist
        raise Open311Error(404, f"No request for token {token[:40]!r}.")
    return [{"service_request_id": report.reference, "token": token}]


# ------------------------------------------------------------------- mySociety servicerequestupdates

UPDATE_KINDS = ("status_changed", "public_update", "closed", "accepted", "open311_update")


def _update_json(event: ReportEvent, report: Report, client: Client) -> dict[str, Any]:
    data = event.data or {}
    # update_ids are unique per sender: a sender sees its own; every other update gets our own unique id.
    own = event.source == "open311" and event.external_id and event.sender == client.sender
    status = data.get("open311_status") or (
        "closed" if (data.get("to") or report.status) == "closed" else "open"
    )
    return {
        "update_id": event.external_id if own else f"u{event.id}",
        "service_request_id": report.reference,
        "status": status,
        "description": event.body,
        "updated_datetime": _iso(event.created_at),
        "media_url": None,
    }


def list_updates(
    session: Session, *, args: Mapping[str, str], client: Client, now: datetime
) -> list[dict[str, Any]]:
    """GET servicerequestupdates: public updates between start_date and end_date (default: last 24 hours)."""
    start = parse_w3c(args["start_date"], "start_date") if args.get("start_date") else now - timedelta(days=1)
    end = parse_w3c(args["end_date"], "end_date") if args.get("end_date") else now
    stmt = (
        select(ReportEvent, Report)
        .join(Report, Report.id == ReportEvent.report_id)
        .where(
            ReportEvent.public.is_(True),
            ReportEvent.kind.in_(UPDATE_KINDS),
            ReportEvent.created_at >= start,
            ReportEvent.created_at <= end,
        )
    )
    if client.agency_id is not None:
        stmt = stmt.where(agency_involved(client.agency_id))
    rows = session.execute(stmt.order_by(ReportEvent.created_at, ReportEvent.id).limit(MAX_LIST)).all()
    audit(session, actor=client.actor, action="open311.updates.read", at=now, detail={"count": len(rows)})
    session.commit()
    return [_update_json(event, report, client) for event, report in rows]


@dataclass(frozen=True)
class UpdateOutcome:
    """The stored update's id, and whether this call applied it (False: a true repeat, applied before)."""

    update_id: str
    applied: bool
    texts_queued: int = 0


def post_update(
    session: Session,
    *,
    form: Mapping[str, str],
    client: Client,
    partnership: Partnership,
    now: datetime,
) -> UpdateOutcome:
    """POST servicerequestupdates: apply an agency's status update once per update_id; commits."""
    update_id = (form.get("update_id") or "").strip()
    if not update_id:
        raise Open311Error(
            400, "update_id is required (your system's id for this update, so it is applied once)"
        )
    if len(update_id) > 120:
        raise Open311Error(400, "update_id is too long (120 characters at most)")
    canonical = parse_reference(form.get("service_request_id"))
    if not canonical:
        raise Open311Error(400, "service_request_id is required (the ASB-XXXXXX reference)")
    raw_status = (form.get("status") or "").strip().lower()
    if raw_status not in UPDATE_STATUSES:
        raise Open311Error(400, f"status must be one of {', '.join(UPDATE_STATUSES)}")
    description = (form.get("description") or "").strip()[:4000]
    public_flag = (form.get("public") or "true").strip().lower()
    public = public_flag not in NO and raw_status != NOT_THEIRS
    when = parse_w3c(form["updated_datetime"], "updated_datetime") if form.get("updated_datetime") else now
    fingerprint = _fingerprint(canonical, raw_status, description, public, form.get("updated_datetime"))

    repeat = _repeat_of(session, client=client, update_id=update_id, fingerprint=fingerprint)
    if repeat is not None:
        return repeat
    report = session.scalar(select(Report).where(Report.reference == canonical))
    if report is None or not client.may_see(report):  # another agency's report: as if it did not exist
        raise Open311Error(404, f"No service request {canonical!r}.")
    _refuse_status_decision(report, client=client, raw_status=raw_status)
    try:
        outcome = _apply_update(
            session,
            report=report,
            update_id=update_id,
            fingerprint=fingerprint,
            raw_status=raw_status,
            description=description,
            public=public,
            when=when,
            client=client,
            partnership=partnership,
            now=now,
        )
        session.commit()
        return outcome
    except IntegrityError:
        # The same sender's update_id arrived twice at once; the other request stored it first.
        session.rollback()
        repeat = _repeat_of(session, client=client, update_id=update_id, fingerprint=fingerprint)
        if repeat is None:
            raise
        return repeat


def _fingerprint(reference: str, status: str, description: str, public: bool, when: str | None) -> str:
    """What makes two POSTs the same update (a retry), as a short hash kept with the stored update."""
    parts = [reference, status, description, public, (when or "").strip()]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()[:32]


def _repeat_of(session: Session, *, client: Client, update_id: str, fingerprint: str) -> UpdateOutcome | None:
    """None for a new update_id; the first answer for a true repeat; Open311Error 409 for a reused id."""
    existing = session.scalar(
        select(ReportEvent).where(
            ReportEvent.source == "open311",
            ReportEvent.sender == client.sender,
            ReportEvent.external_id == update_id,
        )
    )
    if existing is None:
        return None
    if (existing.data or {}).get("fingerprint") != fingerprint:
        raise Open311Error(
            409,
            f"update_id {update_id!r} was already used for a different update; "
            "give each update its own update_id.",
        )
    return UpdateOutcome(update_id=update_id, applied=False)


def _refuse_status_decision(report: Report, *, client: Client, raw_status: str) -> None:
    """Open311Error 403 when an agency that is only copied in would change the lead's status decision."""
    if client.may_decide(report):
        return
    new_status = UPDATE_STATUSES[raw_status]
    if raw_status == NOT_THEIRS or (new_status is not None and new_status != report.status):
        raise Open311Error(
            403,
            f"Your agency is copied in to {report.reference}; only the lead agency ({report.lead_agency}) "
            "or triage can change its status or hand it back. To add a note, send status=open.",
        )


def _apply_update(
    session: Session,
    *,
    report: Report,
    update_id: str,
    fingerprint: str,
    raw_status: str,
    description: str,
    public: bool,
    when: datetime,
    client: Client,
    partnership: Partnership,
    now: datetime,
) -> UpdateOutcome:
    # A copied-in agency's update is a note (_refuse_status_decision refused anything that would change it).
    new_status = UPDATE_STATUSES[raw_status] if client.may_decide(report) else None
    old = report.status
    changed = new_status is not None and new_status != old
    if raw_status == NOT_THEIRS:
        body = f"{client.actor} says this is not theirs to deal with; re-route it." + (
            f" {description}" if description else ""
        )
        report.lead_agency = partnership.triage_agency
    else:
        body = description or (f"Status: {raw_status.replace('_', ' ')}.")
    data = {
        "open311_status": "closed" if (new_status or old) == "closed" else "open",
        "agency_status": raw_status,
        "updated_datetime": _iso(when),
        "fingerprint": fingerprint,
    }
    if changed:
        data.update({"from": old, "to": new_status})
        report.status = new_status  # type: ignore[assignment]
    report.updated_at = now
    if report.first_response_at is None:
        report.first_response_at = now
    # The agency updates the problem: its reporter and the reporters of linked duplicates hear about it.
    group = (
        [f.report for f in contacts_following(session, report)] if report.linked_to_id is None else [report]
    )
    if new_status == "closed":
        for target in group:
            if (target is report and changed) or (target is not report and target.status != "closed"):
                target.status = "closed"
                target.outcome = description or "Closed by the agency dealing with it."
                target.closed_at = now
                target.updated_at = now
    kind = (
        "closed"
        if changed and new_status == "closed"
        else ("status_changed" if changed else "open311_update")
    )
    event = add_event(
        session,
        report,
        kind=kind,
        actor=client.actor,
        at=now,
        body=body,
        public=public,
        data=data,
        source="open311",
        external_id=update_id,
    )
    event.sender = client.sender
    session.flush()
    audit(
        session,
        actor=client.actor,
        action="open311.update",
        at=now,
        target_type="report",
        target_id=report.reference,
        detail={"update_id": update_id, "status": raw_status, "public": public},
    )
    texts = 0
    if public:
        report.last_public_update_at = now
        purpose = "closure" if new_status == "closed" and changed else "status_update"
        for target in group:
            row = notify_victim(
                session,
                target,
                purpose=purpose,
                now=now,
                partnership=partnership,
                dedupe_key=f"open311:{update_id}:{target.id}",
            )
            if row is not None and row.status != "cancelled":
                texts += 1
    return UpdateOutcome(update_id=update_id, applied=True, texts_queued=texts)
