"""Who may see and do what: the role policy, applied in casework so every door enforces the same rules.

Agency officers are told a report outside their agency does not exist (NotFound), so a reference cannot be
used to probe for reports they are not entitled to see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, String, cast, false, or_, select, true
from sqlalchemy.orm import Session

from casework.core.models import Report, StaffUser
from casework.core.references import ALPHABET, LENGTH, PREFIX

# A report reference inside a text (timeline entries, routing reasons and messages name linked reports).
REFERENCE_IN_TEXT = re.compile(rf"\b{PREFIX}[{ALPHABET}]{{{LENGTH}}}\b")
HIDDEN_REFERENCE = "[a report you cannot open]"


class AccessDenied(Exception):
    """The role may not use this page or action (answered 403)."""


class NotFound(Exception):
    """No such thing, or not one this person may see (answered 404)."""


# Permissions by role. Admins manage accounts and keys and see the aggregate picture, not case files.
POLICY: dict[str, frozenset[str]] = {
    "admin": frozenset({"admin.users", "admin.api_keys", "dashboard", "imports"}),
    "triage": frozenset({"inbox", "report.view", "report.act", "dashboard", "export", "imports", "subjects"}),
    "agency": frozenset({"inbox", "report.view", "report.act", "dashboard", "export", "subjects"}),
    "viewer": frozenset({"dashboard"}),
}


@dataclass(frozen=True)
class Actor:
    """A signed-in member of staff, as the casework services see them."""

    user_id: int
    role: str
    agency_id: str | None = None
    wards: tuple[str, ...] = field(default_factory=tuple)
    ip: str | None = None
    name: str = ""

    @property
    def label(self) -> str:
        """The actor string for audit and timeline rows."""
        return f"staff:{self.user_id}"

    def can(self, permission: str) -> bool:
        """True when this role has the permission."""
        return permission in POLICY.get(self.role, frozenset())


def actor_for(user: StaffUser, ip: str | None = None) -> Actor:
    """The Actor for a staff account."""
    return Actor(
        user_id=user.id,
        role=user.role,
        agency_id=user.agency_id,
        wards=tuple(user.wards or ()),
        ip=ip,
        name=user.name,
    )


def require(actor: Actor, permission: str) -> None:
    """Raise AccessDenied unless the actor's role has the permission."""
    if not actor.can(permission):
        raise AccessDenied(f"your role ({actor.role}) may not do this")


def agency_involved(agency_id: str, reports: type[Report] = Report) -> ColumnElement[bool]:
    """Reports where the agency is lead or copied in (copied_agencies is a JSON list of ids)."""
    # JSON text contains the quoted id; ids are slugs, so no escaping concerns.
    return or_(
        reports.lead_agency == agency_id, cast(reports.copied_agencies, String).like(f'%"{agency_id}"%')
    )


def report_scope(actor: Actor, reports: type[Report] = Report) -> ColumnElement[bool]:
    """A WHERE clause limiting reports (or an alias of the table) to those the actor may see."""
    if not actor.can("report.view"):
        return false()
    if actor.role == "agency":
        return agency_involved(actor.agency_id or "", reports)
    return true()


def hidden_references(session: Session, actor: Actor, texts: Iterable[str | None]) -> set[str]:
    """The report references named in these texts that the actor may not open."""
    named = {ref for t in texts for ref in REFERENCE_IN_TEXT.findall(t or "")}
    if not named:
        return set()
    visible = set(
        session.scalars(select(Report.reference).where(Report.reference.in_(named), report_scope(actor)))
    )
    return named - visible


def redact_references(text: str, hidden: set[str]) -> str:
    """The text with each hidden reference replaced by a neutral phrase."""
    if not hidden or not text:
        return text
    return REFERENCE_IN_TEXT.sub(lambda m: HIDDEN_REFERENCE if m.group(0) in hidden else m.group(0), text)


def may_see(actor: Actor, report: Report) -> bool:
    """True when the actor may open this report."""
    if not actor.can("report.view"):
        return False
    if actor.role == "agency":
        return report.lead_agency == actor.agency_id or actor.agency_id in (report.copied_agencies or [])
    return True


def get_report_for(session: Session, actor: Actor, reference: str, *, for_update: bool = False) -> Report:
    """The report with this reference if the actor may see it; otherwise NotFound."""
    require(actor, "report.view")
    stmt = select(Report).where(Report.reference == reference.strip().upper())
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    report = session.scalar(stmt)
    if report is None or not may_see(actor, report):
        raise NotFound(f"no report {reference}")
    return report


def dashboard_wards(actor: Actor) -> tuple[str, ...] | None:
    """The wards a viewer is limited to, or None for the whole partnership."""
    if actor.role == "viewer" and actor.wards:
        return actor.wards
    return None
