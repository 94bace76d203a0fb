"""One partnership's configuration: the ``Partnership`` model, its look-ups, and the loader.

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
from collections.abc import Mapping
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from casework.partnership.checks import _check, _path
from casework.partnership.place_words import _contains_phrase, _norm
from casework.partnership.places import PlaceMatch, _PlaceIndex
from casework.partnership.schema import (
    DEFAULT_INTERVENTIONS,
    Agency,
    CaseReview,
    Duplicates,
    Gazetteer,
    InterventionKind,
    PartnershipConfigError,
    QuietHours,
    Repeats,
    ResponseTargets,
    Rule,
    SupportService,
    SupportServices,
    Ward,
    _Model,
)

ROOT = Path(__file__).resolve().parents[2]
PARTNERSHIPS_DIR = ROOT / "partnerships"

_CACHED_INDEXES = ("_wards_by_key", "_landlord_aliases", "_places")


class Partnership(_Model):
    """One Community Safety Partnership: agencies, places, routing rules, targets, support and self-help."""

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
    # ONS codes of the local authorities the partnership covers: official open data is loaded for these.
    local_authority_codes: list[str] = Field(default_factory=list)
    wards: list[Ward] = Field(default_factory=list)
    gazetteer: Gazetteer = Field(default_factory=Gazetteer)
    routing: list[Rule] = Field(default_factory=list)
    response_targets_working_days: ResponseTargets = Field(default_factory=ResponseTargets)
    update_cadence_working_days: int = Field(default=10, ge=1)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    duplicates: Duplicates = Field(default_factory=Duplicates)
    repeats: Repeats = Field(default_factory=Repeats)
    case_review: CaseReview = Field(default_factory=CaseReview)
    interventions: list[InterventionKind] = Field(default_factory=lambda: list(DEFAULT_INTERVENTIONS))
    support_services: SupportServices
    self_help: dict[str, str]

    @field_validator("local_authority_codes")
    @classmethod
    def _ons_codes(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not re.fullmatch(r"[EWSN]0[6-9]\d{6}", c)]
        if bad:
            raise ValueError(f"{', '.join(map(repr, bad))}: not an ONS local authority code (like E07000194)")
        return value

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

    @field_validator("interventions")
    @classmethod
    def _unique_intervention_codes(cls, value: list[InterventionKind]) -> list[InterventionKind]:
        codes = [k.code for k in value]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(f"intervention codes must be unique; repeated: {', '.join(repeated)}")
        return value

    def intervention(self, code: str) -> InterventionKind | None:
        """The configured intervention kind with this code, or None."""
        return next((k for k in self.interventions if k.code == code), None)

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


# Keys earlier files had that nothing reads any more: refused with the reason, not as a misspelling.
RETIRED_KEYS: dict[tuple[int | str, ...], str] = {
    ("wording",): "no longer read: residents see the product's own wording (emergency, 101, helplines, "
    "texts) and this file's agencies, support services and self-help; remove the key",
}


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
                msg = RETIRED_KEYS.get(err["loc"], "unknown key (not part of the schema; check the spelling)")
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
