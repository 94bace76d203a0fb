"""Administration use cases: staff accounts and Open311 api keys, each one audited transaction.

The rule that an administrator cannot lock themselves out (deactivate their own account or drop their
own admin role) lives here, so every door that edits accounts applies it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from casework.core.db import transaction
from casework.core.models import ApiKey, StaffUser
from casework.staff.access import Actor, NotFound
from casework.staff.accounts import (
    StaffInputError,
    create_staff,
    issue_api_key,
    issue_api_token,
    list_api_keys,
    list_staff,
    revoke_api_key,
    update_staff,
)

SELF_LOCKOUT = "You cannot deactivate your own account or remove your own admin role."


def accounts(sessions: sessionmaker[Session], *, actor: Actor, now: datetime) -> list[StaffUser]:
    """Every staff account (the listing is audited)."""
    with transaction(sessions) as db:
        return list_staff(db, now=now, actor=actor.label, ip=actor.ip)


def create_account(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    now: datetime,
    known_agencies: set[str],
    email: str,
    name: str,
    password: str,
    role: str,
    agency_id: str | None,
    wards: list[str],
) -> StaffUser:
    """Create a staff account (StaffInputError when a field is not acceptable)."""
    with transaction(sessions) as db:
        return create_staff(
            db,
            email=email,
            name=name,
            password=password,
            role=role,
            agency_id=agency_id,
            wards=wards,
            now=now,
            actor=actor.label,
            ip=actor.ip,
            known_agencies=known_agencies,
        )


def edit_account(
    sessions: sessionmaker[Session],
    user_id: int,
    *,
    actor: Actor,
    now: datetime,
    known_agencies: set[str],
    role: str | None,
    agency_id: str | None,
    wards: list[str],
    active: bool,
    new_password: str | None,
) -> StaffUser:
    """Change an account (saving also unlocks it); an administrator cannot lock themselves out."""
    with transaction(sessions) as db:
        user = db.get(StaffUser, user_id)
        if user is None:
            raise NotFound("no such account")
        if user.id == actor.user_id and (not active or (role or "admin") != "admin"):
            raise StaffInputError(SELF_LOCKOUT)
        return update_staff(
            db,
            user,
            now=now,
            actor=actor.label,
            ip=actor.ip,
            role=role,
            agency_id=agency_id,
            wards=wards,
            active=active,
            new_password=new_password,
            known_agencies=known_agencies,
        )


def new_token(
    sessions: sessionmaker[Session], user_id: int, *, actor: Actor, now: datetime
) -> tuple[StaffUser, str]:
    """Give an account a new staff API bearer token (replacing any old one); returns it once."""
    with transaction(sessions) as db:
        user = db.get(StaffUser, user_id)
        if user is None:
            raise NotFound("no such account")
        return user, issue_api_token(db, user, now=now, actor=actor.label, ip=actor.ip)


def api_keys(sessions: sessionmaker[Session]) -> list[ApiKey]:
    """Issued Open311 api keys (their hashes only)."""
    with transaction(sessions) as db:
        return list_api_keys(db)


def new_api_key(
    sessions: sessionmaker[Session],
    *,
    actor: Actor,
    now: datetime,
    label: str,
    agency_id: str,
    known_agencies: set[str],
) -> str:
    """Issue an Open311 api key; the key itself is returned once and only its hash is kept."""
    with transaction(sessions) as db:
        _row, key = issue_api_key(
            db,
            label=label,
            now=now,
            created_by=actor.user_id,
            actor=actor.label,
            ip=actor.ip,
            agency_id=agency_id,
            known_agencies=known_agencies,
        )
        return key


def revoke_key(sessions: sessionmaker[Session], key_id: int, *, actor: Actor, now: datetime) -> ApiKey:
    """Revoke an Open311 api key (NotFound when there is no such key)."""
    with transaction(sessions) as db:
        try:
            return revoke_api_key(db, key_id, now=now, actor=actor.label, ip=actor.ip)
        except StaffInputError as exc:
            raise NotFound(str(exc)) from exc
