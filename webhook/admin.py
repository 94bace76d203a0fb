"""Administration pages: staff accounts (roles, agencies, wards, unlock, deactivate) and Open311 api keys."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from casework.access import NotFound
from casework.models import StaffUser
from casework.staff import (
    ROLES,
    StaffInputError,
    create_staff,
    issue_api_key,
    issue_api_token,
    list_api_keys,
    list_staff,
    revoke_api_key,
    revoke_api_token,
    update_staff,
)
from webhook import services
from webhook.auth import current_actor, protect_staff_blueprint, staff_required

bp = Blueprint("staff_admin", __name__)
protect_staff_blueprint(bp)


def _page_data() -> dict[str, object]:
    partnership = services().partnership
    return {
        "roles": ROLES,
        "agencies": {a.id: a.name for a in partnership.agencies.values()},
        "wards": [w.name for w in partnership.wards],
    }


@bp.get("/staff/admin/users")
@staff_required("admin.users")
def users():  # type: ignore[no-untyped-def]
    """Every staff account, and a form to add one."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    with svc.sessions() as db:
        accounts = list_staff(db, now=svc.clock.now(), actor=actor.label, ip=actor.ip)
        db.commit()
    return render_template("staff/admin_users.html", accounts=accounts, now=svc.clock.now(), **_page_data())


@bp.post("/staff/admin/users")
@staff_required("admin.users")
def create_user():  # type: ignore[no-untyped-def]
    """Create a staff account."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    form = request.form
    with svc.sessions() as db:
        try:
            user = create_staff(
                db,
                email=form.get("email", ""),
                name=form.get("name", ""),
                password=form.get("password", ""),
                role=form.get("role", ""),
                agency_id=form.get("agency_id") or None,
                wards=form.getlist("wards"),
                now=svc.clock.now(),
                actor=actor.label,
                ip=actor.ip,
                known_agencies=set(svc.partnership.agencies),
            )
        except StaffInputError as exc:
            flash(str(exc), "error")
            return redirect(url_for("staff_admin.users")), 303
        db.commit()
        flash(f"Account created for {user.email}.", "ok")
    return redirect(url_for("staff_admin.users")), 303


@bp.post("/staff/admin/users/<int:user_id>")
@staff_required("admin.users")
def edit_user(user_id: int):  # type: ignore[no-untyped-def]
    """Change an account's role, agency, wards, active flag or password; saving also unlocks it."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    form = request.form
    with svc.sessions() as db:
        user = db.get(StaffUser, user_id)
        if user is None:
            raise NotFound("no such account")
        if user.id == actor.user_id and (form.get("active") != "yes" or form.get("role", "admin") != "admin"):
            flash("You cannot deactivate your own account or remove your own admin role.", "error")
            return redirect(url_for("staff_admin.users")), 303
        try:
            update_staff(
                db,
                user,
                now=svc.clock.now(),
                actor=actor.label,
                ip=actor.ip,
                role=form.get("role") or None,
                agency_id=form.get("agency_id") or None,
                wards=form.getlist("wards"),
                active=form.get("active") == "yes",
                new_password=form.get("new_password") or None,
                known_agencies=set(svc.partnership.agencies),
            )
        except StaffInputError as exc:
            flash(str(exc), "error")
            return redirect(url_for("staff_admin.users")), 303
        db.commit()
        flash(f"Saved {user.email}.", "ok")
    return redirect(url_for("staff_admin.users")), 303


@bp.get("/staff/admin/api-keys")
@staff_required("admin.api_keys")
def api_keys():  # type: ignore[no-untyped-def]
    """Issued Open311 api keys (hashes only are kept), and a form to issue one."""
    svc = services()
    with svc.sessions() as db:
        keys = list_api_keys(db)
    return render_template("staff/admin_api_keys.html", keys=keys, new_key=None, **_page_data())


@bp.post("/staff/admin/api-keys")
@staff_required("admin.api_keys")
def issue_key():  # type: ignore[no-untyped-def]
    """Issue an Open311 api key; it is shown once, on this page only."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    with svc.sessions() as db:
        try:
            _row, key = issue_api_key(
                db,
                label=request.form.get("label", ""),
                now=svc.clock.now(),
                created_by=actor.user_id,
                actor=actor.label,
                ip=actor.ip,
                agency_id=request.form.get("agency_id", ""),
                known_agencies=set(svc.partnership.agencies),
            )
        except StaffInputError as exc:
            flash(str(exc), "error")
            return redirect(url_for("staff_admin.api_keys")), 303
        db.commit()
        keys = list_api_keys(db)
    resp = render_template("staff/admin_api_keys.html", keys=keys, new_key=key, **_page_data())
    return resp, 201, {"Cache-Control": "no-store"}


@bp.post("/staff/admin/api-keys/<int:key_id>/revoke")
@staff_required("admin.api_keys")
def revoke_key(key_id: int):  # type: ignore[no-untyped-def]
    """Revoke an Open311 api key."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    with svc.sessions() as db:
        try:
            row = revoke_api_key(db, key_id, now=svc.clock.now(), actor=actor.label, ip=actor.ip)
        except StaffInputError as exc:
            raise NotFound(str(exc)) from exc
        db.commit()
        flash(f"Key for {row.label} revoked.", "ok")
    return redirect(url_for("staff_admin.api_keys")), 303


@bp.post("/staff/admin/users/<int:user_id>/token")
@staff_required("admin.users")
def issue_token(user_id: int):  # type: ignore[no-untyped-def]
    """Give an account a new bearer token for the staff API (shown once; replaces any old token)."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    with svc.sessions() as db:
        user = db.get(StaffUser, user_id)
        if user is None:
            raise NotFound("no such account")
        token = issue_api_token(db, user, now=svc.clock.now(), actor=actor.label, ip=actor.ip)
        db.commit()
        accounts = list_staff(db, now=svc.clock.now(), actor=actor.label, ip=actor.ip)
        db.commit()
        page = render_template(
            "staff/admin_users.html",
            accounts=accounts,
            now=svc.clock.now(),
            new_token=(user.email, token),
            **_page_data(),
        )
    return page, 201, {"Cache-Control": "no-store"}


@bp.post("/staff/admin/users/<int:user_id>/token/revoke")
@staff_required("admin.users")
def revoke_token(user_id: int):  # type: ignore[no-untyped-def]
    """Take away an account's staff API token (refused from the next request)."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    with svc.sessions() as db:
        user = db.get(StaffUser, user_id)
        if user is None:
            raise NotFound("no such account")
        revoke_api_token(db, user, now=svc.clock.now(), actor=actor.label, ip=actor.ip)
        db.commit()
        flash(f"API token for {user.email} revoked.", "ok")
    return redirect(url_for("staff_admin.users")), 303
