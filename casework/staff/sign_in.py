"""Signing staff in and out: each attempt and each sign-out is one audited transaction.

Sign-in throttle (no hard lock, so nobody can lock a real user out): an account pauses for ACCOUNT_PAUSE after
MAX_FAILED_LOGINS wrong passwords, and an address is refused after ADDRESS_LIMIT refused attempts within
ADDRESS_WINDOW. A failure is claimed by one atomic UPDATE before the password is checked, so parallel guesses
never get more than the limit of checks. Unknown, wrong and throttled attempts get the same answer and cost.

Sessions are revocable: a session cookie carries the account's session generation, and sign-out (and a
password, role, agency or ward change, or deactivation: `accounts.end_sessions`) moves it on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from casework.core.audit import audit
from casework.core.db import transaction
from casework.core.models import AuditEvent, StaffUser
from casework.staff.access import Actor, actor_for
from casework.staff.accounts import (
    _DUMMY_HASH,
    LoginOutcome,
    _hasher,
    _verify,
    end_sessions,
    hash_password,
    normalise_email,
)

MAX_FAILED_LOGINS = 5
ACCOUNT_PAUSE = timedelta(minutes=5)
ADDRESS_LIMIT = 30
ADDRESS_WINDOW = timedelta(minutes=15)
SIGN_IN_REFUSED = (
    "Email or password not recognised. After several failed attempts sign-in pauses for a few minutes: "
    "wait and try again, or ask an administrator."
)
# The attempts an address is limited on: every refused sign-in.
_REFUSED_ACTIONS = ("login.failed", "login.throttled")
_ADDRESS_LOCK_CLASS = 0x51A1  # first key of the per-address advisory lock (the second: a hash of the address)


def staff_for_session(session: Session, user_id: object, generation: object) -> StaffUser | None:
    """The active account a session cookie names, if the cookie's generation is still current."""
    if not isinstance(user_id, int) or not isinstance(generation, int):
        return None
    user = session.get(StaffUser, user_id)
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user


def _refuse(
    session: Session, *, now: datetime, ip: str | None, user: StaffUser | None, action: str, **detail: object
) -> LoginOutcome:
    audit(
        session,
        actor=f"staff:{user.id}" if user is not None else "anonymous",
        action=action,
        at=now,
        target_type="staff" if user is not None else None,
        target_id=str(user.id) if user is not None else None,
        ip=ip,
        detail=dict(detail),
    )
    return LoginOutcome(None, SIGN_IN_REFUSED)


def _address_limited(session: Session, ip: str | None, now: datetime) -> bool:
    """True when the address has had ADDRESS_LIMIT refused sign-ins within ADDRESS_WINDOW.

    On PostgreSQL a transaction lock per address (held until the caller commits) makes parallel attempts
    from one address take turns, so each counts the ones before it.
    """
    if not ip:
        return False
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_ADDRESS_LOCK_CLASS, func.hashtext(ip))))
    recent = session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.ip == ip,
            AuditEvent.created_at > now - ADDRESS_WINDOW,
            AuditEvent.action.in_(_REFUSED_ACTIONS),
        )
    )
    return (recent or 0) >= ADDRESS_LIMIT


def _claim_attempt(session: Session, user: StaffUser, now: datetime) -> int | None:
    """Count a password check against the account before making it, in one UPDATE; None when paused.

    The UPDATE locks the row until the caller commits, so a parallel attempt waits, then sees the new count
    or the pause (PostgreSQL re-checks the WHERE clause on the updated row).
    """
    claimed = session.execute(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.locked_until.is_(None), StaffUser.locked_until <= now),
        )
        .values(failed_logins=func.coalesce(StaffUser.failed_logins, 0) + 1, locked_until=None)
        .returning(StaffUser.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    session.refresh(user)
    return claimed


def authenticate(
    session: Session, *, email: str, password: str, now: datetime, ip: str | None
) -> LoginOutcome:
    """Check a sign-in: throttled per address and per account, every attempt audited. Caller commits.

    Unknown addresses, wrong passwords and throttled attempts all get SIGN_IN_REFUSED after one password
    hash, so the answer tells nobody whether an account exists or is paused.
    """
    email = normalise_email(email)
    if _address_limited(session, ip, now):
        _verify(_DUMMY_HASH, password)
        return _refuse(session, now=now, ip=ip, user=None, action="login.throttled", reason="address")
    user = session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email))
    if user is None:
        _verify(_DUMMY_HASH, password)
        return _refuse(session, now=now, ip=ip, user=None, action="login.failed", reason="unknown email")
    failures = _claim_attempt(session, user, now)
    if failures is None:
        _verify(_DUMMY_HASH, password)
        return _refuse(session, now=now, ip=ip, user=user, action="login.throttled", reason="account")
    if not _verify(user.password_hash, password):
        detail: dict[str, object] = {"failures": failures}
        if failures >= MAX_FAILED_LOGINS:
            user.locked_until = now + ACCOUNT_PAUSE
            user.failed_logins = 0
            detail["paused_until"] = user.locked_until.isoformat()
        return _refuse(session, now=now, ip=ip, user=user, action="login.failed", **detail)
    user.failed_logins = 0  # the claimed attempt was the right password
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


def sign_in(
    sessions: sessionmaker[Session], *, email: str, password: str, now: datetime, ip: str | None
) -> tuple[LoginOutcome, Actor | None, int | None]:
    """Check the credentials (throttled); the actor and its session generation when they may sign in."""
    with transaction(sessions) as db:
        outcome = authenticate(db, email=email, password=password, now=now, ip=ip)
        if not outcome.ok or outcome.user is None:
            return outcome, None, None
        return outcome, actor_for(outcome.user, ip), outcome.user.session_generation


def sign_out(sessions: sessionmaker[Session], *, actor: Actor, now: datetime, ip: str | None) -> None:
    """Sign a member of staff out everywhere: every copy of every session cookie stops working (audited)."""
    with transaction(sessions) as db:
        user = db.get(StaffUser, actor.user_id)
        if user is not None:
            end_sessions(db, user)
        audit(db, actor=actor.label, action="logout", at=now, ip=ip, detail={"sessions_ended": True})


def signed_in_actor(
    sessions: sessionmaker[Session], user_id: object, generation: object, *, ip: str | None
) -> Actor | None:
    """The actor for a session cookie's account, or None when the account is gone, deactivated, or the
    session has been ended (its generation is no longer the account's)."""
    with transaction(sessions) as db:
        user = staff_for_session(db, user_id, generation)
        return actor_for(user, ip) if user is not None else None
