"""The partnership file's schema: agencies, wards, gazetteer, routing rules, targets and services.

``Partnership`` itself (with its look-ups) is in ``loader``; ``partnerships/README.md`` documents every key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

AgencyKind = Literal[
    "council",
    "county_council",
    "police",
    "fire",
    "housing",
    "mediation",
    "hub",
    "probation",
    "support",
    "triage",
    "other",
]
ReferralMethod = Literal["email", "webhook", "open311", "inbox"]
RISK_LEVELS = ("standard", "medium", "high")
TENURES = ("owner", "private_rent", "social_rent", "unknown")
# Written in a rule's `lead` to mean "the housing provider the resident named as their landlord".
LANDLORD_PLACEHOLDER = "@landlord"
REASON_FIELDS = ("type", "lead", "landlord", "ward")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class PartnershipConfigError(Exception):
    """A partnership file is missing or invalid; the message names the file, the key path and the problem."""

    def __init__(self, file: str, problems: list[tuple[str, str]]) -> None:
        self.file = file
        self.problems = problems
        lines = [f"{file}: {path}: {msg}" if path else f"{file}: {msg}" for path, msg in problems]
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------------------------- schema


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Referral(_Model):
    """How referrals reach an agency: by email, a signed JSON webhook, Open311, or its inbox only."""

    method: ReferralMethod = "inbox"
    address: str | None = None  # email
    url: str | None = None  # webhook or Open311 base URL
    secret_env: str | None = None  # env var holding the webhook's HMAC-SHA256 secret
    dev_secret: str | None = None  # used only when that variable is unset (development and tests)
    api_key_env: str | None = None  # env var holding the Open311 api_key
    dev_api_key: str | None = None
    jurisdiction_id: str | None = None  # Open311, when the endpoint serves several jurisdictions
    service_code_map: dict[str, str] = Field(default_factory=dict)  # asb_type -> the agency's code

    def secret(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The webhook's HMAC secret: the variable's value, else (not in production) the dev default."""
        env = os.environ if environ is None else environ
        value = env.get(self.secret_env) if self.secret_env else None
        return value or (None if _in_production(env) else self.dev_secret)

    def api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The Open311 api_key: the environment variable's value, else (not in production) the dev default."""
        env = os.environ if environ is None else environ
        value = env.get(self.api_key_env) if self.api_key_env else None
        return value or (None if _in_production(env) else self.dev_api_key)

    def service_code_for(self, asb_type: str) -> str:
        """The receiving system's service code for a type (our code when no mapping is given)."""
        return self.service_code_map.get(asb_type, asb_type)


def _in_production(env: Mapping[str, str]) -> bool:
    """Published development secrets are never used when APP_ENV=production."""
    return env.get("APP_ENV", "").strip().lower() == "production"


class PublicContact(_Model):
    """How a resident contacts an agency or service directly."""

    phone: str | None = None
    web: str | None = None
    email: str | None = None
    hours: str | None = None


class Agency(_Model):
    """An agency in the partnership: who it is, what it handles and how referrals reach it."""

    id: str = ""
    name: str
    short_name: str | None = None
    kind: AgencyKind
    description: str | None = None
    handles: list[str] = Field(default_factory=list)
    referral: Referral = Field(default_factory=Referral)
    public: PublicContact = Field(default_factory=PublicContact)
    landlord_aliases: list[str] = Field(default_factory=list)

    @property
    def display_name(self) -> str:
        """The short name if there is one, for compact text."""
        return self.short_name or self.name


class Ward(_Model):
    """An electoral ward; hotspot wards get extra attention in reports and dashboards."""

    name: str
    hotspot: bool = False
    town: str | None = None


class Gazetteer(_Model):
    """Names residents use for places, each mapped to a ward (towns may map to no single ward)."""

    postcode_sectors: dict[str, str] = Field(default_factory=dict)
    postcode_districts: dict[str, str] = Field(default_factory=dict)
    towns: dict[str, str | None] = Field(default_factory=dict)
    streets: dict[str, str] = Field(default_factory=dict)
    landmarks: dict[str, str] = Field(default_factory=dict)
    # Other names for a street or landmark ("the cathedral" → "Lichfield Cathedral"): same place_key.
    aliases: dict[str, str] = Field(default_factory=dict)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value


class RuleWhen(_Model):
    """The conditions of a routing rule; every condition given must hold (unset ones match anything)."""

    asb_type: list[str] | None = None
    tenure: list[str] | None = None
    landlord: str | None = None  # "any" (any configured housing provider) or a housing agency id
    hate: bool | None = None
    domestic_abuse: bool | None = None
    risk_level: list[str] | None = None
    ward: list[str] | None = None
    ongoing: bool | None = None

    @field_validator("asb_type", "tenure", "risk_level", "ward", mode="before")
    @classmethod
    def _scalar_to_list(cls, value: Any) -> Any:
        return _as_list(value)


class Rule(_Model):
    """One routing rule: when its conditions hold, `lead` leads and `copy` are copied in."""

    name: str
    when: RuleWhen = Field(default_factory=RuleWhen)
    lead: str
    copy_to: list[str] = Field(default_factory=list, alias="copy")
    reason: str | None = None
    requires_place: bool = False  # if the report cannot be placed in a ward, send it to triage instead

    @field_validator("copy_to", mode="before")
    @classmethod
    def _scalar_to_list(cls, value: Any) -> Any:
        return _as_list(value)


class ResponseTargets(_Model):
    """Working days to respond, by risk level."""

    high: int = Field(default=1, ge=0)
    medium: int = Field(default=2, ge=0)
    standard: int = Field(default=5, ge=0)

    def __getitem__(self, level: str) -> int:
        """Target for a risk level by name (``targets["high"]``); unknown levels get the standard one."""
        return int(getattr(self, level)) if level in RISK_LEVELS else self.standard

    def for_level(self, level: str | None) -> int:
        """Target for a risk level; unknown or missing levels get the standard target."""
        return self[level or "standard"]


def _parse_clock(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 20:00 as the base-60 integer 1200 (minutes): turn it back into a time.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    return value


class QuietHours(_Model):
    """Local times between which no SMS is sent (wrapping past midnight)."""

    start: time = time(20, 0)
    end: time = time(8, 0)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: Any) -> Any:
        return _parse_clock(value)

    def is_quiet(self, when: datetime, tz: str = "Europe/London") -> bool:
        """True when ``when`` (aware; naive means UTC) falls inside the quiet hours, local time."""
        local = _aware(when).astimezone(ZoneInfo(tz)).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_send_time(self, when: datetime, tz: str = "Europe/London") -> datetime:
        """``when`` itself if texting is allowed then, else the end of these quiet hours (as UTC)."""
        aware = _aware(when)
        if not self.is_quiet(aware, tz):
            return aware.astimezone(UTC)
        local = aware.astimezone(ZoneInfo(tz))
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        end = datetime.combine(day, self.end, tzinfo=ZoneInfo(tz))
        return end.astimezone(UTC)


class Duplicates(_Model):
    """How close in time a matching report must be to count as the same problem."""

    window_hours: int = Field(default=72, ge=0)


class Repeats(_Model):
    """Thresholds for repeat victims and repeat locations."""

    victim_reports: int = Field(default=2, ge=1)
    victim_window_days: int = Field(default=14, ge=1)
    location_reports: int = Field(default=3, ge=1)
    location_window_days: int = Field(default=30, ge=1)


class CaseReviewDeadlines(_Model):
    """Working days allowed for each step of an ASB Case Review (counted as in casework.core.workdays)."""

    decision: int = Field(default=10, ge=1)  # application -> threshold decision
    meeting: int = Field(default=15, ge=1)  # threshold met -> review meeting held
    recommendations: int = Field(default=5, ge=1)  # meeting -> recommendations sent to the applicant
    appeal_request: int = Field(default=20, ge=1)  # decision or recommendations -> last day to appeal
    appeal_decision: int = Field(default=15, ge=1)  # appeal requested -> appeal decided


class CaseReview(_Model):
    """The local ASB Case Review threshold, its deadlines and the words used to explain it."""

    threshold_reports: int = Field(default=3, ge=1, le=3)  # the law allows no higher than three
    window_days: int = Field(default=183, ge=1)
    qualifying_within_days: int = Field(default=31, ge=1)
    single_hate_incident: bool = True
    different_people_reports: int | None = Field(default=5, ge=1)
    explain_text: str = (
        "If the problem carries on, you can ask for an ASB Case Review. It is a review of how agencies "
        "have dealt with the problem, and you can ask for one when you have reported it three times in "
        "six months."
    )
    eligible_text: str = (
        "You can now ask for an ASB Case Review: the agencies involved will meet, review what has been "
        "done and tell you what will happen next."
    )
    how_to_apply: str = "Ask the council's community safety team for an ASB Case Review."
    deadlines: CaseReviewDeadlines = Field(default_factory=CaseReviewDeadlines)


InterventionClass = Literal["preventative", "enforcement", "advisory"]


class InterventionKind(_Model):
    """One kind of intervention staff can record on a report, with its class for the partnership's counts."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    label: str
    intervention_class: InterventionClass = Field(alias="class")
    has_mediation_outcome: bool = False  # a mediation referral: record how mediation went


def _kind(code: str, label: str, cls: str, mediation: bool = False) -> InterventionKind:
    return InterventionKind.model_validate(
        {"code": code, "label": label, "class": cls, "has_mediation_outcome": mediation}
    )


DEFAULT_INTERVENTIONS: tuple[InterventionKind, ...] = (
    _kind("advice", "Advice given", "advisory"),
    _kind("mediation_referral", "Mediation referral", "preventative", True),
    _kind("warning_letter", "Warning letter", "preventative"),
    _kind("abc", "Acceptable Behaviour Contract", "preventative"),
    _kind("cpw", "Community Protection Warning", "enforcement"),
    _kind("cpn", "Community Protection Notice", "enforcement"),
    _kind("fpn", "Fixed penalty notice", "enforcement"),
    _kind("civil_injunction", "Civil Injunction", "enforcement"),
    _kind("closure_order", "Closure Order", "enforcement"),
    _kind("pspo_enforcement", "PSPO enforcement", "enforcement"),
    _kind("support_referral", "Referral to support", "preventative"),
)


class SupportService(_Model):
    """A specialist service residents can be signposted to."""

    name: str
    phone: str | None = None
    web: str | None = None
    description: str = ""
    hours: str | None = None


class SupportServices(_Model):
    """The support services a partnership signposts to."""

    mental_health: SupportService
    drugs_alcohol: SupportService
    victim_support: SupportService
    domestic_abuse: SupportService
    mediation: SupportService
    feeling_unsafe: SupportService | None = None
    disability: SupportService | None = None

    def __getitem__(self, key: str) -> SupportService:
        """A service by key (``services["mental_health"]``); KeyError when not configured."""
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: str) -> SupportService | None:
        """A service by key, or None."""
        value = getattr(self, key, None) if key in type(self).model_fields else None
        return value if isinstance(value, SupportService) else None

    def keys(self) -> list[str]:
        """The keys of the services that are configured."""
        return [k for k in type(self).model_fields if getattr(self, k) is not None]

    def items(self) -> Iterator[tuple[str, SupportService]]:
        """(key, service) for each configured service."""
        for key in self.keys():
            yield key, getattr(self, key)

    def __contains__(self, key: object) -> bool:
        """True when a service with this key is configured."""
        return isinstance(key, str) and self.get(key) is not None
