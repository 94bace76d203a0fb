"""The intake contract: what a door must send to file a report (validated), and the answer it gets."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from casework.core.asb_types import ASB_TYPES
from casework.core.inputs import clean_text

if TYPE_CHECKING:
    pass


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

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        # A NUL cannot be stored (PostgreSQL) and no control character is meant: removed from every field.
        return clean_text(value) if isinstance(value, str) else value


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
    """One report as the assistant (or an Open311 client, via casework.open311.requests) submits it."""

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
    # How to add to the report by text, where the self-help says to keep a diary.
    diary_tip: str | None = None
    # Web chat reports that asked for updates: {"status": "ask"} (ask for a mobile number), "confirmed"
    # (with "phone_ending": texts go to the number this chat confirmed) or "not_safe" (never texted).
    text_updates: dict[str, str] | None = None
    created: bool = field(default=True, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON body (without `created`, which only chooses 201 or 200)."""
        out = asdict(self)
        out.pop("created")
        return out


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
