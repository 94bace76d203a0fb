"""One partnership's configuration: the YAML schema, its loader, and the place and landlord look-ups.

A deployment serves one Community Safety Partnership, chosen by the ``PARTNERSHIP`` setting: a bare name
such as ``lichfield`` means ``<repo>/partnerships/lichfield.yml``. The file is validated in full when it
is loaded; any problem raises :class:`PartnershipConfigError` whose message names the file, the key path
and the problem, one line per problem, for example::

    partnerships/x.yml: agencies.ldc.referral.url: Field required (method is webhook)

``partnerships/README.md`` documents every key for a council's IT team.
"""

from __future__ import annotations

import difflib
import os
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from casework.asb_types import ASB_TYPES

ROOT = Path(__file__).resolve().parent.parent
PARTNERSHIPS_DIR = ROOT / "partnerships"

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


class CaseReview(_Model):
    """The local ASB Case Review threshold and the words used to explain it."""

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


@dataclass(frozen=True)
class PlaceMatch:
    """Where a resident's description of a place resolved to.

    ``resolved`` is true when a ward was found. ``place_key`` is the normalised street, landmark, postcode
    or town used to link duplicates and count repeat locations; ``precision`` says which of those it is
    (``postcode``, ``street``, ``landmark``, ``town``, ``ward``, ``sector``, ``district``) so a caller can
    decide how far to trust it.
    """

    resolved: bool = False
    ward: str | None = None
    place_key: str | None = None
    postcode: str | None = None
    town: str | None = None
    precision: str | None = None

    @property
    def in_area(self) -> bool:
        """In the partnership's area: a ward, or at least one of its towns or villages ("Curborough Road,
        Lichfield" when the street is not in the gazetteer). District duties can be routed on this."""
        return self.ward is not None or self.town is not None


_CACHED_INDEXES = ("_wards_by_key", "_landlord_aliases", "_places")


class Partnership(_Model):
    """One Community Safety Partnership: agencies, places, routing rules, targets and wording."""

    id: str
    name: str
    short_name: str | None = None
    area_type: Literal["two_tier", "unitary"]
    timezone: str = "Europe/London"
    triage_agency: str
    hub_agency: str
    police_agency: str
    council_agency: str
    county_council_agency: str | None = None
    fire_agency: str | None = None
    domestic_abuse_service: str
    mediation_agency: str | None = None
    agencies: dict[str, Agency]
    wards: list[Ward] = Field(default_factory=list)
    gazetteer: Gazetteer = Field(default_factory=Gazetteer)
    routing: list[Rule] = Field(default_factory=list)
    response_targets_working_days: ResponseTargets = Field(default_factory=ResponseTargets)
    update_cadence_working_days: int = Field(default=10, ge=1)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    duplicates: Duplicates = Field(default_factory=Duplicates)
    repeats: Repeats = Field(default_factory=Repeats)
    case_review: CaseReview = Field(default_factory=CaseReview)
    support_services: SupportServices
    self_help: dict[str, str]
    wording: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _agency_ids_from_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("agencies"), dict):
            agencies = {}
            for key, value in data["agencies"].items():
                if isinstance(value, dict) and "id" not in value:
                    value = {**value, "id": str(key)}
                agencies[key] = value
            data = {**data, "agencies": agencies}
        return data

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use Europe/London") from exc
        return value

    # ------------------------------------------------------------------ look-ups used across the product

    def agency(self, agency_id: str) -> Agency:
        """The agency with this id; KeyError naming the known ids when there is none."""
        try:
            return self.agencies[agency_id]
        except KeyError:
            known = ", ".join(self.agencies)
            raise KeyError(f"no agency {agency_id!r} in {self.id}; known: {known}") from None

    def has_agency(self, agency_id: object) -> bool:
        """True when the id names a configured agency."""
        return isinstance(agency_id, str) and agency_id in self.agencies

    @property
    def council(self) -> Agency:
        """The resident-facing council."""
        return self.agencies[self.council_agency]

    @property
    def police(self) -> Agency:
        """The police force."""
        return self.agencies[self.police_agency]

    @property
    def tz(self) -> ZoneInfo:
        """The partnership's time zone."""
        return ZoneInfo(self.timezone)

    def ward(self, name: str | None) -> Ward | None:
        """The ward with this name (any case), or None."""
        if not name:
            return None
        return self._wards_by_key.get(_norm(name))

    def canonical_ward(self, name: str | None) -> str | None:
        """The configured spelling of a ward name (any case), or None when unknown."""
        found = self.ward(name)
        return found.name if found else None

    @property
    def hotspot_wards(self) -> tuple[str, ...]:
        """Names of the wards flagged as hotspots."""
        return tuple(w.name for w in self.wards if w.hotspot)

    def self_help_for(self, asb_type: str) -> str:
        """Self-help guidance for a type, or the default guidance."""
        return self.self_help.get(asb_type) or self.self_help["default"]

    def support(self, key: str) -> SupportService | None:
        """A support service by key (mental_health, drugs_alcohol, ...), or None."""
        return self.support_services.get(key)

    def wording_for(self, key: str, default: str = "") -> str:
        """A resident-facing string from `wording`, or the default given."""
        return self.wording.get(key, default)

    def housing_agencies(self) -> list[Agency]:
        """Agencies that are housing providers."""
        return [a for a in self.agencies.values() if a.kind == "housing"]

    def landlord_agency(self, text: str | None) -> str | None:
        """The housing agency id a landlord's name refers to ("Bromford", "bromford housing"), or None."""
        if not text or not isinstance(text, str):
            return None
        norm = _norm(text)
        if not norm:
            return None
        as_id = norm.replace(" ", "-")
        if as_id in self.agencies and self.agencies[as_id].kind == "housing":
            return as_id
        best: tuple[int, str] | None = None
        words = norm.split()
        for alias, agency_id in self._landlord_aliases:
            if alias == norm:
                return agency_id
            if _contains_phrase(words, alias.split()):
                if best is None or len(alias) > best[0]:
                    best = (len(alias), agency_id)
        if best:
            return best[1]
        for alias, agency_id in self._landlord_aliases:
            if len(alias) >= 5 and difflib.SequenceMatcher(None, alias, norm).ratio() >= 0.85:
                return agency_id
        return None

    def resolve_place(self, text: str | None) -> PlaceMatch:
        """Place a resident's description (postcode, street, landmark, town) in a ward; never raises."""
        if not text or not isinstance(text, str):
            return PlaceMatch()
        return self._places.resolve(text)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Partnership:
        """A copy (for tests and tools) whose place and ward indexes are rebuilt from the copied data."""
        copied = super().model_copy(update=update, deep=deep)
        for name in _CACHED_INDEXES:
            copied.__dict__.pop(name, None)
        return copied

    # ------------------------------------------------------------------------------- cached indexes

    @cached_property
    def _wards_by_key(self) -> dict[str, Ward]:
        return {_norm(w.name): w for w in self.wards}

    @cached_property
    def _landlord_aliases(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for agency in self.housing_agencies():
            names = (agency.name, agency.short_name, agency.id.replace("-", " "), *agency.landlord_aliases)
            for name in names:
                if name and _norm(name):
                    pairs.append((_norm(name), agency.id))
        return pairs

    @cached_property
    def _places(self) -> _PlaceIndex:
        return _PlaceIndex(self)


# ------------------------------------------------------------------------------------ place matching

POSTCODE_RE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b")
SECTOR_RE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s+([0-9])\b")
DISTRICT_RE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\b")
SECTOR_KEY_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]$")
DISTRICT_KEY_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")

# Street-type words and the short forms residents type.
STREET_SUFFIXES: dict[str, tuple[str, ...]] = {
    "street": ("st", "str"),
    "road": ("rd",),
    "lane": ("ln",),
    "avenue": ("ave", "av"),
    "close": ("cl",),
    "drive": ("dr", "drv"),
    "crescent": ("cres", "cresc"),
    "gardens": ("gdns", "gdn"),
    "grove": ("gr", "gro"),
    "place": ("pl",),
    "square": ("sq",),
    "terrace": ("terr", "ter"),
    "court": ("ct",),
    "parade": ("pde",),
    "way": ("wy",),
    "walk": ("wlk",),
    "park": ("pk",),
}
_PUNCT = str.maketrans({c: " " for c in string.punctuation if c not in "'&"})


def _norm(text: str) -> str:
    """Lower-case, drop possessives and punctuation, '&' → 'and', 'saint' → 'st', single spaces."""
    lowered = text.lower().replace("\u2019", "'").replace("&", " and ")
    lowered = re.sub(r"'s\b", "", lowered).replace("'", "")
    words = lowered.translate(_PUNCT).split()
    return " ".join("st" if w == "saint" else w for w in words)


def normalise_postcode(text: str | None) -> str | None:
    """A full UK postcode in standard form ("ws136lj" → "WS13 6LJ"), or None when it is not one."""
    if not text:
        return None
    match = POSTCODE_RE.fullmatch(text.strip().upper().replace("  ", " "))
    if not match:
        match = POSTCODE_RE.fullmatch(re.sub(r"\s+", "", text.upper()))
    return f"{match.group(1)} {match.group(2)}" if match else None


def _contains_phrase(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _street_variants(key: str) -> set[str]:
    words = key.split()
    variants = {key}
    if len(words) >= 2 and words[-1] in STREET_SUFFIXES:
        for short in STREET_SUFFIXES[words[-1]]:
            variants.add(" ".join([*words[:-1], short]))
    if len(words) >= 2 and words[0] == "the":
        variants |= {v.removeprefix("the ") for v in variants}
    return variants


# Place names that are also everyday words: matched only when written with a capital letter ("Wall").
COMMON_WORD_PLACES = frozenset(
    {
        "wall",
        "hints",
        "green",
        "park",
        "central",
        "marsh",
        "street",
        "moor",
        "heath",
        "cross",
        "bank",
        "bridge",
        "castle",
        "church",
        "common",
        "field",
        "hill",
        "lane",
        "mill",
        "road",
        "wood",
        "end",
    }
)


@dataclass(frozen=True)
class _Entry:
    phrase: tuple[str, ...]
    kind: str  # street | landmark | town | ward
    key: str  # canonical normalised name (the place_key)
    ward: str | None
    town: str | None
    qualifier: tuple[str, ...] = ()  # "High Street (Chasetown)": the text must also say "Chasetown"


_NO_QUALIFIER: tuple[str, ...] = ()
# Earlier kinds win when several match; within a kind, the longer phrase wins.
_KIND_RANK = {"street": 0, "landmark": 0, "town": 1, "ward": 2}


class _PlaceIndex:
    """Indexes a partnership's gazetteer for matching free text."""

    def __init__(self, p: Partnership) -> None:
        self.p = p
        self.entries: list[_Entry] = []
        towns = {_norm(name): name for name in p.gazetteer.towns}
        for name, ward in p.gazetteer.streets.items():
            self._add("street", name, ward, None, variants=True)
        for name, ward in p.gazetteer.landmarks.items():
            self._add("landmark", name, ward, None, variants=True)
        for name, town_ward in p.gazetteer.towns.items():
            self._add("town", name, town_ward, name, variants=False)
        by_key = {e.key: e for e in self.entries if e.kind in ("street", "landmark")}
        for alias, target in p.gazetteer.aliases.items():
            found = by_key.get(_norm(target))
            if found is not None:
                for v in _street_variants(_norm(alias)):
                    phrase = tuple(v.split())
                    self.entries.append(_Entry(phrase, found.kind, found.key, found.ward, found.town))
        for w in p.wards:
            self._add("ward", w.name, w.name, w.town, variants=False)
        self.towns = towns
        self.sectors = {k.upper(): v for k, v in p.gazetteer.postcode_sectors.items()}
        self.districts = {k.upper(): v for k, v in p.gazetteer.postcode_districts.items()}

    def _add(self, kind: str, name: str, ward: str | None, town: str | None, *, variants: bool) -> None:
        key = _norm(name)
        if not key:
            return
        qualified = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", name)
        base, qualifier = key, _NO_QUALIFIER
        if qualified:
            base, qualifier = _norm(qualified.group(1)), tuple(_norm(qualified.group(2)).split())
        canonical_ward = self.p.canonical_ward(ward)
        town = town or self._town_of(canonical_ward)
        for v in _street_variants(base) if variants else {base}:
            self.entries.append(_Entry(tuple(v.split()), kind, key, canonical_ward, town, qualifier))

    def _town_of(self, ward: str | None) -> str | None:
        found = self.p.ward(ward)
        return found.town if found else None

    def _area(self, value: str | None) -> tuple[str | None, str | None]:
        """A district/sector value is a ward or a town name: (ward, town)."""
        if not value:
            return None, None
        ward = self.p.canonical_ward(value)
        if ward:
            return ward, self._town_of(ward)
        town_key = _norm(value)
        if town_key in self.towns:
            town_name = self.towns[town_key]
            return self.p.canonical_ward(self.p.gazetteer.towns[town_name]), town_name
        return None, value

    def _exact(self, words: list[str], capitalised: set[str]) -> list[tuple[int, int, _Entry]]:
        found = []
        for entry in self.entries:
            n = len(entry.phrase)
            if n == 1 and entry.phrase[0] in COMMON_WORD_PLACES and entry.phrase[0] not in capitalised:
                continue
            if entry.qualifier and not _contains_phrase(words, list(entry.qualifier)):
                continue
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) == entry.phrase:
                    found.append((i, n, entry))
        return found

    def _fuzzy(self, words: list[str], covered: set[int]) -> list[tuple[int, int, _Entry]]:
        """Near matches (a letter or two wrong) in words not already matched exactly."""
        found = []
        for entry in self.entries:
            phrase = " ".join(entry.phrase)
            n = len(entry.phrase)
            if len(phrase) < 6 or (n == 1 and phrase in COMMON_WORD_PLACES):
                continue
            if entry.qualifier and not _contains_phrase(words, list(entry.qualifier)):
                continue
            cutoff = 0.84 if len(phrase) >= 8 else 0.83
            for i in range(len(words) - n + 1):
                if covered.intersection(range(i, i + n)):
                    continue
                candidate = " ".join(words[i : i + n])
                matcher = difflib.SequenceMatcher(None, phrase, candidate)
                if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
                    if matcher.ratio() >= cutoff:
                        found.append((i, n, entry))
        return found

    @staticmethod
    def _best(
        found: list[tuple[int, int, _Entry]], kinds: set[str], outside: tuple[int, int] | None = None
    ) -> tuple[int, int, _Entry] | None:
        """The best match of these kinds, ignoring any inside the span (start, length) already used."""
        candidates = [f for f in found if f[2].kind in kinds]
        if outside is not None:
            start, length = outside
            candidates = [f for f in candidates if f[0] + f[1] <= start or f[0] >= start + length]
        if not candidates:
            return None
        candidates.sort(key=lambda f: (_KIND_RANK[f[2].kind], -f[1], f[0]))
        return candidates[0]

    def resolve(self, text: str) -> PlaceMatch:
        upper = text.upper()
        postcode = None
        sector_ward = district_ward = None
        town: str | None = None
        precision: str | None = None
        pc = POSTCODE_RE.search(upper)
        if pc:
            postcode = f"{pc.group(1)} {pc.group(2)}"
            outward, inward = pc.group(1), pc.group(2)
            sector_ward, town = self._area(self.sectors.get(f"{outward} {inward[0]}"))
            district_ward, district_town = self._area(self.districts.get(outward))
            town = town or district_town
            upper = upper[: pc.start()] + " " + upper[pc.end() :]
        else:
            for m in SECTOR_RE.finditer(upper):
                sector = f"{m.group(1)} {m.group(2)}"
                if sector in self.sectors:
                    sector_ward, town = self._area(self.sectors[sector])
                    upper = upper[: m.start()] + " " + upper[m.end() :]
                    break
            for m in DISTRICT_RE.finditer(upper):
                if m.group(1) in self.districts:
                    district_ward, district_town = self._area(self.districts[m.group(1)])
                    town = town or district_town
                    break

        stripped = text if not pc else text[: pc.start()] + " " + text[pc.end() :]
        capitalised = {w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", stripped)}
        words = _norm(upper).split()
        found = self._exact(words, capitalised)
        if not self._best(found, {"street", "landmark"}):
            covered = {i for start, n, _ in found for i in range(start, start + n)}
            found += self._fuzzy(words, covered)
        best_specific = self._best(found, {"street", "landmark"})
        span = (best_specific[0], best_specific[1]) if best_specific else None
        best_general = self._best(found, {"town", "ward"}, outside=span)
        specific = best_specific[2] if best_specific else None
        general = best_general[2] if best_general else None
        if specific is None and general is None and len(words) <= 4:
            specific = self._bare_street(words)

        ward = None
        place_key = None
        if postcode and sector_ward:
            ward, precision = sector_ward, "postcode"
        if specific:
            ward = ward or specific.ward
            place_key = specific.key
            town = town or specific.town
            precision = precision or specific.kind
            # A town named alongside a street ("Bore Street, Lichfield") names the town only if it agrees.
            if general and general.kind == "town" and general.ward in (None, ward):
                town = general.town
        elif general:
            ward = ward or general.ward
            town = (general.town if general.kind == "town" else None) or town or general.town
            if not postcode:
                place_key = general.key
            precision = precision or general.kind
        if postcode:
            place_key = place_key or postcode.lower()
            precision = precision or "postcode"
        if ward is None and sector_ward:
            ward, precision = sector_ward, precision or "sector"
        if ward is None and district_ward:
            ward, precision = district_ward, precision or "district"
        if town is None and ward:
            town = self._town_of(ward)
        if precision is None and town:
            precision = "district"
        return PlaceMatch(
            resolved=ward is not None,
            ward=ward,
            place_key=place_key,
            postcode=postcode,
            town=town,
            precision=precision,
        )

    def _bare_street(self, words: list[str]) -> _Entry | None:
        """A street named without its 'street'/'road' word ("bore" alone), only when unambiguous."""
        core = [w for w in words if not re.fullmatch(r"\d+[a-z]?", w)]
        if not core:
            return None
        hits = {
            e.key: e
            for e in self.entries
            if e.kind == "street"
            and len(e.phrase) >= 2
            and e.phrase[-1] in STREET_SUFFIXES
            and list(e.phrase[:-1]) == core
        }
        return next(iter(hits.values())) if len(hits) == 1 else None


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# --------------------------------------------------------------------------------- cross-references


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _suggest(value: str, options: list[str]) -> str:
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check(p: Partnership) -> list[tuple[str, str]]:
    """Problems the schema alone cannot see: references between parts of the file."""
    problems: list[tuple[str, str]] = []
    agency_ids = list(p.agencies)
    codes = list(ASB_TYPES)
    ward_names = {_norm(w.name) for w in p.wards}

    def need_agency(path: str, value: str | None) -> None:
        if value is not None and value not in p.agencies:
            problems.append((path, f"no agency {value!r} in agencies{_suggest(value, agency_ids)}"))

    def need_code(path: str, value: str) -> None:
        if value not in ASB_TYPES:
            problems.append((path, f"{value!r} is not an ASB type code{_suggest(value, codes)}"))

    def need_ward(path: str, value: str | None) -> None:
        if value is not None and _norm(value) not in ward_names:
            names = [w.name for w in p.wards]
            problems.append((path, f"no ward {value!r} in wards{_suggest(value, names)}"))

    for key in (
        "triage_agency",
        "hub_agency",
        "police_agency",
        "council_agency",
        "county_council_agency",
        "fire_agency",
        "mediation_agency",
    ):
        need_agency(key, getattr(p, key))
    if p.domestic_abuse_service not in p.agencies and p.domestic_abuse_service not in p.support_services:
        problems.append(
            (
                "domestic_abuse_service",
                f"{p.domestic_abuse_service!r} is neither an agency id nor a support_services key",
            )
        )
    if p.area_type == "two_tier" and p.county_council_agency is None:
        problems.append(("county_council_agency", "Field required for a two_tier area"))

    for agency_id, agency in p.agencies.items():
        base = f"agencies.{agency_id}"
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", agency_id):
            problems.append((base, "agency ids use lower-case letters, digits and hyphens only"))
        if agency.id != agency_id:
            problems.append((f"{base}.id", f"id {agency.id!r} differs from its key {agency_id!r}"))
        for i, code in enumerate(agency.handles):
            need_code(f"{base}.handles[{i}]", code)
        ref = agency.referral
        required = {"email": ["address"], "webhook": ["url", "secret_env"], "open311": ["url"]}
        for field in required.get(ref.method, []):
            if not getattr(ref, field):
                problems.append((f"{base}.referral.{field}", f"Field required (method is {ref.method})"))
        if ref.method == "email" and ref.address and "@" not in ref.address:
            problems.append((f"{base}.referral.address", f"{ref.address!r} is not an email address"))
        if ref.url and not re.match(r"https?://", ref.url):
            problems.append((f"{base}.referral.url", f"{ref.url!r} must start with http:// or https://"))
        for code in ref.service_code_map:
            need_code(f"{base}.referral.service_code_map.{code}", code)
        if agency.landlord_aliases and agency.kind != "housing":
            problems.append((f"{base}.landlord_aliases", "only housing agencies have landlord aliases"))

    seen: set[str] = set()
    for i, listed in enumerate(p.wards):
        if _norm(listed.name) in seen:
            problems.append((f"wards[{i}].name", f"ward {listed.name!r} is listed twice"))
        seen.add(_norm(listed.name))

    g = p.gazetteer
    town_keys = {_norm(t) for t in g.towns}
    for key, ward in g.postcode_sectors.items():
        if not SECTOR_KEY_RE.match(key.upper()):
            problems.append((f"gazetteer.postcode_sectors.{key}", "a sector is written like 'WS7 1'"))
        if _norm(ward) not in town_keys:
            need_ward(f"gazetteer.postcode_sectors.{key}", ward)
    for key, value in g.postcode_districts.items():
        if not DISTRICT_KEY_RE.match(key.upper()):
            problems.append((f"gazetteer.postcode_districts.{key}", "a district is written like 'WS7'"))
        if _norm(value) not in ward_names and _norm(value) not in town_keys:
            problems.append(
                (f"gazetteer.postcode_districts.{key}", f"{value!r} is neither a ward nor a town")
            )
    for section in ("towns", "streets", "landmarks"):
        for key, ward in getattr(g, section).items():
            need_ward(f"gazetteer.{section}.{key}", ward)
    places = [*g.streets, *g.landmarks]
    place_keys = {_norm(name) for name in places}
    for alias, target in g.aliases.items():
        if _norm(target) not in place_keys:
            msg = f"{target!r} is not a street or landmark in the gazetteer{_suggest(target, places)}"
            problems.append((f"gazetteer.aliases.{alias}", msg))

    names: set[str] = set()
    for i, rule in enumerate(p.routing):
        base = f"routing[{i}]"
        if rule.name in names:
            problems.append((f"{base}.name", f"rule name {rule.name!r} is used twice"))
        names.add(rule.name)
        when = rule.when
        for j, code in enumerate(when.asb_type or []):
            need_code(f"{base}.when.asb_type[{j}]", code)
        for j, ward in enumerate(when.ward or []):
            need_ward(f"{base}.when.ward[{j}]", ward)
        for j, tenure in enumerate(when.tenure or []):
            if tenure not in TENURES:
                allowed = ", ".join(TENURES)
                problems.append((f"{base}.when.tenure[{j}]", f"{tenure!r} is not one of {allowed}"))
        for j, level in enumerate(when.risk_level or []):
            if level not in RISK_LEVELS:
                problems.append((f"{base}.when.risk_level[{j}]", f"{level!r} is not one of {RISK_LEVELS}"))
        if when.landlord not in (None, "any"):
            if when.landlord not in p.agencies or p.agencies[when.landlord].kind != "housing":
                msg = f"{when.landlord!r} is not 'any' or a housing agency id"
                problems.append((f"{base}.when.landlord", msg))
        if rule.lead == LANDLORD_PLACEHOLDER:
            if when.landlord is None:
                problems.append((f"{base}.lead", f"{LANDLORD_PLACEHOLDER} needs when.landlord"))
        else:
            need_agency(f"{base}.lead", rule.lead)
        for j, agency_id in enumerate(rule.copy_to):
            if agency_id != LANDLORD_PLACEHOLDER or when.landlord is None:
                need_agency(f"{base}.copy[{j}]", agency_id)
        if rule.reason:
            try:
                rule.reason.format(**{k: "x" for k in REASON_FIELDS})
            except (KeyError, IndexError, ValueError) as exc:
                problems.append(
                    (
                        f"{base}.reason",
                        f"bad placeholder {exc}; use {{type}}, {{lead}}, {{landlord}} or {{ward}}",
                    )
                )

    for key in p.self_help:
        if key != "default":
            need_code(f"self_help.{key}", key)
    if "default" not in p.self_help:
        problems.append(("self_help.default", "Field required"))
    return problems


# ------------------------------------------------------------------------------------------- loading


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML would silently keep the last one)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def partnership_path(name_or_path: str | os.PathLike[str]) -> Path:
    """The file a partnership name ("lichfield") or path refers to."""
    raw = os.fspath(name_or_path)
    if re.fullmatch(r"[A-Za-z0-9_-]+", raw):
        for suffix in (".yml", ".yaml"):
            candidate = PARTNERSHIPS_DIR / f"{raw.lower()}{suffix}"
            if candidate.exists():
                return candidate
        return PARTNERSHIPS_DIR / f"{raw.lower()}.yml"
    path = Path(raw).expanduser()
    if not path.is_absolute() and not path.exists() and (ROOT / path).exists():
        path = ROOT / path
    return path.resolve()


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def available_partnerships() -> list[str]:
    """Names of the partnership files shipped under partnerships/."""
    return sorted(p.stem for p in PARTNERSHIPS_DIR.glob("*.y*ml"))


def parse_partnership(text: str, file: str = "<string>") -> Partnership:
    """Validate YAML text as a partnership; raise PartnershipConfigError naming `file` on any problem."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise PartnershipConfigError(file, [("", f"{where}YAML syntax error: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise PartnershipConfigError(file, [("", f"YAML syntax error: {exc}")]) from None
    if not isinstance(data, dict):
        msg = "the file must be a YAML mapping of keys (id, name, agencies, ...)"
        raise PartnershipConfigError(file, [("", msg)])
    try:
        partnership = Partnership.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key (not part of the schema; check the spelling)"
            problems.append((_path(tuple(err["loc"])), msg))
        raise PartnershipConfigError(file, problems) from None
    problems = _check(partnership)
    if problems:
        raise PartnershipConfigError(file, problems)
    return partnership


def _load(path: Path) -> Partnership:
    file = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(available_partnerships()) or "none"
        msg = f"file not found (shipped partnerships: {known})"
        raise PartnershipConfigError(file, [("", msg)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PartnershipConfigError(file, [("", f"cannot read the file: {exc}")]) from None
    return parse_partnership(text, file)


@lru_cache(maxsize=16)
def _load_cached(path: str) -> Partnership:
    return _load(Path(path))


def load_partnership(name_or_path: str | os.PathLike[str], *, fresh: bool = False) -> Partnership:
    """Load and validate a partnership by name ("lichfield") or path; cached per path unless fresh=True."""
    path = str(partnership_path(name_or_path))
    if fresh:
        _load_cached.cache_clear()
    return _load_cached(path)


def clear_partnership_cache() -> None:
    """Forget every cached partnership, so the next load reads the files again."""
    _load_cached.cache_clear()
