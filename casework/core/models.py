"""The database tables of the product (SQLAlchemy 2 declarative mapping).

Every table is migrated by Alembic. A contact's phone number lives only in `contacts`; reports refer to
the contact by id. Subjects and evidence files have their own modules, imported at the end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from casework.core.states import OutboxStatus, ReportStatus

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite drops the offset; this restores it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use casework.core.clock (UTC-aware)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations are stable across databases."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Contact(Base):
    """A resident who can be reached: an SMS number or a web chat sender, keyed by an opaque sender id."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The opaque id the assistant sees: "sms-" + keyed hash of the number, or "web-" + keyed hash of the
    # web chat cookie (the cookie value itself is never stored).
    sender_id: Mapped[str] = mapped_column(String(80), unique=True)
    channel: Mapped[str] = mapped_column(String(10))  # sms | web | open311
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164, SMS only
    sms_opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    # None = never asked; asked again whenever the contact details change.
    text_safe: Mapped[bool | None] = mapped_column(Boolean)
    # When the latest answer was given (or reset by a new number); it holds for every report filed before.
    text_safe_asked_at: Mapped[datetime | None]
    number_invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the number was shown to be the resident's: it texted us. A number typed into a public site is
    # not confirmed, and is never texted until it is.
    phone_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def _filed_at(context: Any) -> datetime | None:
    """A new report's last activity is its filing (the column default)."""
    value: datetime | None = context.get_current_parameters().get("created_at")
    return value


class Report(Base):
    """One report of ASB, from chat, SMS, Open311 or staff, with its routing and case state."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_status_created", "status", "created_at"),
        Index("ix_reports_type_place", "asb_type", "place_key", "created_at"),
        Index("ix_reports_lead_created", "lead_agency", "created_at"),
        Index("ix_reports_ward_created", "ward", "created_at"),
        # Inbox sorts: by risk (alphabetical high < medium < standard is the order wanted) and due date.
        Index("ix_reports_risk_created", "risk_level", "created_at"),
        Index("ix_reports_due", "due_at", "id"),
        # The inbox's default order: latest activity first (filed, or a new diary entry).
        Index("ix_reports_activity", "last_activity_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    asb_type: Mapped[str] = mapped_column(String(40))
    nsir_class: Mapped[str] = mapped_column(String(20))  # personal | nuisance | environmental
    description: Mapped[str] = mapped_column(Text)  # the resident's words, verbatim
    location_text: Mapped[str] = mapped_column(Text, default="")
    ward: Mapped[str | None] = mapped_column(String(80))
    # Normalised street/place used to link duplicates and count repeat locations.
    place_key: Mapped[str | None] = mapped_column(String(120))
    postcode: Mapped[str | None] = mapped_column(String(10))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # How the place was resolved (postcode, street+town, street, landmark, fuzzy, polygon, town, staff...)
    place_method: Mapped[str | None] = mapped_column(String(20))
    place_confidence: Mapped[float | None]
    occurred_text: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime | None]
    ongoing: Mapped[bool | None] = mapped_column(Boolean)
    reporter_role: Mapped[str] = mapped_column(String(20), default="victim")  # victim | witness | on_behalf
    tenure: Mapped[str | None] = mapped_column(String(30))  # owner | private_rent | social_rent | unknown
    landlord: Mapped[str | None] = mapped_column(String(80))  # agency id or free text
    hate: Mapped[bool] = mapped_column(Boolean, default=False)
    hate_motivation: Mapped[str | None] = mapped_column(String(40))
    domestic_abuse: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_level: Mapped[str] = mapped_column(String(10), default="standard")  # standard | medium | high
    risk_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    risk_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.OPEN)  # core.states.ReportStatus
    outcome: Mapped[str | None] = mapped_column(Text)
    lead_agency: Mapped[str] = mapped_column(String(40))
    copied_agencies: Mapped[list[Any]] = mapped_column(JSON, default=list)
    routing_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    linked_to_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_updates: Mapped[bool] = mapped_column(Boolean, default=False)
    text_safe: Mapped[bool | None] = mapped_column(Boolean)
    channel: Mapped[str] = mapped_column(String(12))  # sms | web | open311 | staff
    conversation_id: Mapped[str | None] = mapped_column(String(80), index=True)
    # Idempotency key for intake (a retried submission from the same conversation files nothing new).
    intake_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    open311_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    transcript: Mapped[list[Any]] = mapped_column(JSON, default=list)
    repeat_victim_count: Mapped[int] = mapped_column(Integer, default=0)
    repeat_location_count: Mapped[int] = mapped_column(Integer, default=0)
    hotspot: Mapped[bool] = mapped_column(Boolean, default=False)
    case_review_explained: Mapped[bool] = mapped_column(Boolean, default=False)
    case_review_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime | None]  # response target
    first_response_at: Mapped[datetime | None]
    last_public_update_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    # When the report was filed or last had a diary entry: the inbox lists the latest first.
    last_activity_at: Mapped[datetime | None] = mapped_column(default=_filed_at)
    diary_count: Mapped[int] = mapped_column(Integer, default=0)
    last_diary_at: Mapped[datetime | None]

    linked_to: Mapped[Report | None] = relationship(remote_side=[id], foreign_keys=[linked_to_id])
    contact: Mapped[Contact | None] = relationship()


class ReportEvent(Base):
    """The report's timeline: creation, routing, status changes, notes, links; public or private."""

    __tablename__ = "report_events"
    # An Open311 update_id is the sender's own id: unique per sender (agency, or key with no agency).
    __table_args__ = (
        UniqueConstraint("source", "sender", "external_id", name="uq_report_events_source_sender_external"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(120))  # "system", "staff:<id>", "agency:<id>", "resident"
    source: Mapped[str | None] = mapped_column(String(40))  # e.g. "open311" for pushed updates
    external_id: Mapped[str | None] = mapped_column(String(120))  # e.g. Open311 update_id
    sender: Mapped[str | None] = mapped_column(
        String(60)
    )  # whose external_id: "agency:<id>" or "key:<label>"
    created_at: Mapped[datetime]


class AuditEvent(Base):
    """Who did or saw what: every staff view of personal data and every staff or system action."""

    __tablename__ = "audit_events"
    # The per-address sign-in limit counts an address's recent refused attempts.
    __table_args__ = (Index("ix_audit_events_ip_created", "ip", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(80))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)


class OutboxMessage(Base):
    """Something to send: an SMS to a resident or a referral to an agency. The notifier sends these."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # Few rows need attention; the inbox counts them on every page.
        Index(
            "ix_outbox_attention",
            "report_id",
            postgresql_where=text("needs_attention"),
            sqlite_where=text("needs_attention"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # sms | referral
    transport: Mapped[str] = mapped_column(String(12))  # sms | email | webhook | open311 | inbox
    purpose: Mapped[str] = mapped_column(String(30))  # ack, status_update, cadence, closure, case_review...
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    agency_id: Mapped[str | None] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(400), default="")  # phone, email or URL
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)  # core.states.OutboxStatus
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    claimed_at: Mapped[datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    delivery_status: Mapped[str | None] = mapped_column(String(20))  # provider's delivery state
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(Text)
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False)
    segments: Mapped[int | None] = mapped_column(Integer)
    encoding: Mapped[str | None] = mapped_column(String(8))
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class InboundSms(Base):
    """Every SMS received, stored before it is relayed, de-duplicated by Twilio's MessageSid."""

    __tablename__ = "inbound_sms"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    num_media: Mapped[int] = mapped_column(Integer, default=0)
    # received -> answered | deferred -> relaying -> answered, ...: casework.conversation.InboundStatus
    status: Mapped[str] = mapped_column(String(12), default="received")
    reply: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the reply parts given to Twilio
    created_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None]


class ChatTurn(Base):
    """The conversation transcript the edge relays (shown to staff with the report, retention-limited)."""

    __tablename__ = "chat_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(80), index=True)
    speaker: Mapped[str] = mapped_column(String(10))  # resident | assistant
    text: Mapped[str] = mapped_column(Text)
    # Quick replies offered with an assistant turn ([{"title", "payload"}]): the web chat shows them again
    # after a reload and the SMS edge maps a reply of "1", "2"... back to their payloads.
    buttons: Mapped[list[Any] | None] = mapped_column(JSON)
    # The conversation the turn belongs to (a random key; a new one after a report is filed or after the
    # assistant's session expiry) and the report that conversation filed: a report's transcript is exactly
    # its conversation's turns, never other conversations of the same sender.
    conversation_key: Mapped[str | None] = mapped_column(String(40), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    created_at: Mapped[datetime]


class WebChatRequest(Base):
    """One POST /chat/messages, counted for the web chat rate limits (kept a day; no message text)."""

    __tablename__ = "web_chat_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The chat's hashed sender id and a keyed hash of the client address (never the address itself).
    sender_id: Mapped[str] = mapped_column(String(80), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    new_conversation: Mapped[bool] = mapped_column(Boolean, default=False)
    limited: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(index=True)


class StaffUser(Base):
    """A member of staff: admin, triage officer, agency officer or viewer."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | triage | agency | viewer
    agency_id: Mapped[str | None] = mapped_column(String(40))
    wards: Mapped[list[Any]] = mapped_column(JSON, default=list)  # viewer limit; empty = all
    api_token_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    # Wrong passwords since the last sign-in or pause; at the limit the account pauses until locked_until.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    # Stored in each session cookie; raising it ends every session of the account (sign-out, password,
    # role, agency or ward change, deactivation).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ApiKey(Base):
    """An Open311 api_key issued by an admin (stored hashed)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    # The agency whose system holds the key: it sees and updates only reports that agency leads or is
    # copied into. NULL: the whole partnership (a FixMyStreet-like site, the partnership's own system).
    agency_id: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class SurveyResponse(Base):
    """A victim's 1-5 satisfaction answer, one and six months after closure."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("report_id", "survey", name="uq_survey_responses_report_survey"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    survey: Mapped[str] = mapped_column(String(4))  # 1m | 6m
    score: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


from casework.core import place_models as _place_models  # noqa: E402,F401
from casework.core.diary_models import DiaryEntry as DiaryEntry  # noqa: E402
from casework.core.evidence_models import EvidenceFile  # noqa: E402, F401
from casework.core.heartbeat_models import Heartbeat as Heartbeat  # noqa: E402
from casework.core.import_models import ImportBatch as ImportBatch  # noqa: E402
from casework.core.import_models import ImportedIncident as ImportedIncident  # noqa: E402
from casework.core.models_casefile import CaseReviewApplication as CaseReviewApplication  # noqa: E402
from casework.core.models_casefile import Intervention as Intervention  # noqa: E402
from casework.core.phone_models import PhoneConfirmation as PhoneConfirmation  # noqa: E402
from casework.core.subject_models import ReportSubject, Subject  # noqa: E402, F401
