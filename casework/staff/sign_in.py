"""Signing staff in and out: each attempt and each sign-out is one audited transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from casework.core.audit import audit
from casework.core.db import transaction
from casework.core.models import StaffUser
from casework.staff.access import Actor, actor_for
from casework.staff.accounts import LoginOutcome, authenticate


def sign_in(
    sessions: sessionmaker[Session], *, email: str, password: str, now: datetime, ip: str | None
) -> tuple[LoginOutcome, Actor | None]:
    """Check the credentials (failures count towards the lockout); the actor when they may sign in."""
    with transaction(sessions) as db:
        outcome = authenticate(db, email=email, password=password, now=now, ip=ip)
        if not outcome.ok or outcome.user is None:
            return outcome, None
        return outcome, actor_for(outcome.user, ip)


def sign_out(sessions: sessionmaker[Session], *, actor: Actor, now: datetime, ip: str | None) -> None:
    """Record a sign-out in the audit trail."""
    with transaction(sessions) as db:
        audit(db, actor=actor.label, action="logout", at=now, ip=ip)


def signed_in_actor(sessions: sessionmaker[Session], user_id: int, *, ip: str | None) -> Actor | None:
    """The actor for a signed-in session's account, or None when it is gone or deactivated."""
    with transaction(sessions) as db:
        user = db.get(StaffUser, user_id)
        return actor_for(user, ip) if user is not None and user.active else None
