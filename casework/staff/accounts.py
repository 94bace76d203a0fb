"""Staff accounts: argon2 password hashes, login with lockout, roles, API tokens and Open311 api keys.

Secrets (API tokens, Open311 keys) are shown once when issued and stored only as SHA-256 digests: they are
long random values, so a fast hash is enough, and a leaked table cannot be replayed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.core.audit import audit
from casework.core.models import ApiKey, StaffUser

ROLES: dict[str, str] = {
    "admin": "Administrator (staff accounts and API keys)",
    "triage": "Triage officer (every report in the partnership)",
    "agency": "Agency officer (reports referred to their agency)",
    "viewer": "Viewer (dashboard only)",
}
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0000")


class StaffInputError(ValueError):
    """Bad input for a staff account (message says which field and why)."""


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login attempt; the caller commits whatever the outcome."""

    user: StaffUser | None
    error: str | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        """True when the credentials were right and the account may sign in."""
        return self.user is not None and self.error is None


def sha256_hex(value: str) -> str:
    """Hex SHA-256 of a secret, as stored for API tokens and keys."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffInputError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")


def _validate(role: str, agency_id: str | None, known_agencies: set[str] | None) -> None:
    if role not in ROLES:
        raise StaffInputError(f"role: must be one of {', '.join(ROLES)}")
    if role == "agency":
        if not agency_id:
            raise StaffInputError("agency_id: an agency officer needs an agency")
        if known_agencies is not None and agency_id not in known_agencies:
            raise StaffInputError(f"agency_id: unknown agency {agency_id!r}")


def create_staff(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    now: datetime,
    actor: str = "system",
    ip: str | None = None,
    agency_id: str | None = None,
    wards: list[str] | None = None,
    known_agencies: set[str] | None = None,
) -> StaffUser:
    """Create a staff account (audited); raises StaffInputError for bad or duplicate input."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise StaffInputError("email: not a valid email address")
    if not name.strip():
        raise StaffInputError("name: required")
    _check_password_strength(password)
    _validate(role, agency_id, known_agencies)
    if session.scalar(select(StaffUser.id).where(func.lower(StaffUser.email) == email)) is not None:
        raise StaffInputError(f"email: an account for {email} already exists")
    user = StaffUser(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        agency_id=agency_id if role == "agency" else None,
        wards=list(wards or []) if role == "viewer" else [],
        failed_logins=0,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit(
        session,
        actor=actor,
        action="staff.create",
        at=now,
        target_type="staff",
        target_id=str(user.id),
        ip=ip,
        detail={"role": role, "agency_id": user.agency_id, "wards": user.wards},
    )
    return user


def update_staff(
    session: Session,
    user: StaffUser,
    *,
    now: datetime,
    actor: str,
    ip: str | None = None,
    role: str | None = None,
    agency_id: str | None = None,
    wards: list[str] | None = None,
    active: bool | None = None,
    new_password: str | None = None,
    known_agencies: set[str] | None = None,
) -> StaffUser:
    """Change an account's role, agency, wards, active flag or password, and unlock it (audited)."""
    role = role or user.role
    _validate(role, agency_id if agency_id is not None else user.agency_id, known_agencies)
    changes: dict[str, object] = {}
    if role != user.role:
        changes["role"] = [user.role, role]
        user.role = role
    new_agency = (agency_id if agency_id is not None else user.agency_id) if role == "agency" else None
    if new_agency != user.agency_id:
        changes["agency_id"] = [user.agency_id, new_agency]
        user.agency_id = new_agency
    if wards is not None or role != "viewer":
        new_wards = list(wards or []) if role == "viewer" else []
        if new_wards != list(user.wards or []):
            changes["wards"] = [user.wards, new_wards]
            user.wards = new_wards
    if active is not None and active != user.active:
        changes["active"] = [user.active, active]
        user.active = active
    if new_password:
        _check_password_strength(new_password)
        user.password_hash = hash_password(new_password)
        changes["password"] = "reset"
    if user.locked_until is not None or user.failed_logins:
        changes["unlocked"] = True
    user.failed_logins = 0
    user.locked_until = None
    audit(
        session,
        actor=actor,
        action="staff.update",
        at=now,
        target_type="staff",
        target_id=str(user.id),
        ip=ip,
        detail=changes,
    )
    return user


def authenticate(
    session: Session, *, email: str, password: str, now: datetime, ip: str | None
) -> LoginOutcome:
    """Check a login; count failures, lock for 15 minutes after 5, audit every attempt. Caller commits."""
    email = normalise_email(email)
    user = session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email))
    generic = "Email or password not recognised."
    if user is None:
        _verify(_DUMMY_HASH, password)
        audit(
            session,
            actor="anonymous",
            action="login.failed",
            at=now,
            ip=ip,
            detail={"reason": "unknown email"},
        )
        return LoginOutcome(None, generic)
    if user.locked_until is not None and user.locked_until > now:
        audit(
            session,
            actor=f"staff:{user.id}",
            action="login.locked",
            at=now,
            target_type="staff",
            target_id=str(user.id),
            ip=ip,
        )
        return LoginOutcome(
            None,
            "Too many failed attempts: this account is locked. Try again later "
            "or ask an administrator to unlock it.",
            user.locked_until,
        )
    if not _verify(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        detail: dict[str, object] = {"failures": user.failed_logins}
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            detail["locked_until"] = user.locked_until.isoformat()
        audit(
            session,
            actor=f"staff:{user.id}",
            action="login.failed",
            at=now,
            target_type="staff",
            target_id=str(user.id),
            ip=ip,
            detail=detail,
        )
        if user.locked_until is not None and user.locked_until > now:
            return LoginOutcome(
                None, "Too many failed attempts: this account is locked for 15 minutes.", user.locked_until
            )
        return LoginOutcome(None, generic)
    if not user.active:
        audit(
            session,
            actor=f"staff:{user.id}",
            action="login.inactive",
            at=now,
            target_type="staff",
            target_id=str(user.id),
            ip=ip,
        )
        return LoginOutcome(None, "This account has been deactivated.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit(
        session,
        actor=f"staff:{user.id}",
        action="login",
        at=now,
        target_type="staff",
        target_id=str(user.id),
        ip=ip,
    )
    return LoginOutcome(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def issue_api_token(
    session: Session, user: StaffUser, *, now: datetime, actor: str, ip: str | None = None
) -> str:
    """Give a staff account a new bearer token (replacing any old one); the plain token is returned once."""
    token = "stf_" + secrets.token_urlsafe(32)
    user.api_token_hash = sha256_hex(token)
    audit(
        session,
        actor=actor,
        action="staff.api_token",
        at=now,
        target_type="staff",
        target_id=str(user.id),
        ip=ip,
    )
    return token


def staff_for_token(session: Session, token: str) -> StaffUser | None:
    """The active staff account whose bearer token this is, or None."""
    if not token:
        return None
    user = session.scalar(select(StaffUser).where(StaffUser.api_token_hash == sha256_hex(token)))
    return user if user is not None and user.active else None


def issue_api_key(
    session: Session,
    *,
    label: str,
    now: datetime,
    created_by: int | None,
    actor: str,
    ip: str | None = None,
    agency_id: str | None = None,
    known_agencies: set[str] | None = None,
) -> tuple[ApiKey, str]:
    """Issue an Open311 api_key; the plain key is returned once, its hash stored.

    With `agency_id` the key only reaches reports that agency leads or is copied into; without, the whole
    partnership's.
    """
    label = label.strip()
    if not label:
        raise StaffInputError("label: say who the key is for")
    agency_id = (agency_id or "").strip() or None
    if agency_id is not None and known_agencies is not None and agency_id not in known_agencies:
        raise StaffInputError(f"agency: {agency_id!r} is not an agency of this partnership")
    key = "o311_" + secrets.token_urlsafe(24)
    row = ApiKey(
        key_hash=sha256_hex(key),
        label=label[:120],
        agency_id=agency_id,
        created_by=created_by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor=actor,
        action="api_key.issue",
        at=now,
        target_type="api_key",
        target_id=str(row.id),
        ip=ip,
        detail={"label": row.label, "agency": row.agency_id or "partnership"},
    )
    return row, key


def revoke_api_key(
    session: Session, key_id: int, *, now: datetime, actor: str, ip: str | None = None
) -> ApiKey:
    """Revoke an Open311 api_key (audited); raises StaffInputError when there is no such key."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise StaffInputError("api key: no such key")
    if row.revoked_at is None:
        row.revoked_at = now
        audit(
            session,
            actor=actor,
            action="api_key.revoke",
            at=now,
            target_type="api_key",
            target_id=str(row.id),
            ip=ip,
            detail={"label": row.label},
        )
    return row


def api_key_is_valid(session: Session, key: str) -> bool:
    """True when the key was issued by an admin and not revoked."""
    if not key:
        return False
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256_hex(key)))
    return row is not None and row.revoked_at is None


def list_staff(session: Session, *, now: datetime, actor: str, ip: str | None = None) -> list[StaffUser]:
    """Every staff account, for the admin page (the view of staff details is audited; caller commits)."""
    audit(session, actor=actor, action="staff.list", at=now, target_type="staff", ip=ip)
    return list(session.scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.email)))


def list_api_keys(session: Session) -> list[ApiKey]:
    """Issued Open311 keys, newest first (only their hashes are kept)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())))
