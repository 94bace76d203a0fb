"""Administration pages: staff accounts (roles, agencies, wards, unlock, deactivate) and Open311 api keys."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from casework.staff import ROLES, StaffInputError, admin
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
    accounts = admin.accounts(svc.sessions, actor=actor, now=svc.clock.now())
    return render_template("staff/admin_users.html", accounts=accounts, now=svc.clock.now(), **_page_data())


@bp.post("/staff/admin/users")
@staff_required("admin.users")
def create_user():  # type: ignore[no-untyped-def]
    """Create a staff account."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    form = request.form
    try:
        user = admin.create_account(
            svc.sessions,
            actor=actor,
            now=svc.clock.now(),
            known_agencies=set(svc.partnership.agencies),
            email=form.get("email", ""),
            name=form.get("name", ""),
            password=form.get("password", ""),
            role=form.get("role", ""),
            agency_id=form.get("agency_id") or None,
            wards=form.getlist("wards"),
        )
    except StaffInputError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff_admin.users")), 303
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
    try:
        user = admin.edit_account(
            svc.sessions,
            user_id,
            actor=actor,
            now=svc.clock.now(),
            known_agencies=set(svc.partnership.agencies),
            role=form.get("role") or None,
            agency_id=form.get("agency_id") or None,
            wards=form.getlist("wards"),
            active=form.get("active") == "yes",
            new_password=form.get("new_password") or None,
        )
    except StaffInputError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff_admin.users")), 303
    flash(f"Saved {user.email}.", "ok")
    return redirect(url_for("staff_admin.users")), 303


@bp.get("/staff/admin/api-keys")
@staff_required("admin.api_keys")
def api_keys():  # type: ignore[no-untyped-def]
    """Issued Open311 api keys (hashes only are kept), and a form to issue one."""
    keys = admin.api_keys(services().sessions)
    return render_template("staff/admin_api_keys.html", keys=keys, new_key=None, **_page_data())


@bp.post("/staff/admin/api-keys")
@staff_required("admin.api_keys")
def issue_key():  # type: ignore[no-untyped-def]
    """Issue an Open311 api key; it is shown once, on this page only."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        key = admin.new_api_key(
            svc.sessions,
            actor=actor,
            now=svc.clock.now(),
            label=request.form.get("label", ""),
            agency_id=request.form.get("agency_id", ""),
            known_agencies=set(svc.partnership.agencies),
        )
    except StaffInputError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff_admin.api_keys")), 303
    keys = admin.api_keys(svc.sessions)
    resp = render_template("staff/admin_api_keys.html", keys=keys, new_key=key, **_page_data())
    return resp, 201, {"Cache-Control": "no-store"}


@bp.post("/staff/admin/api-keys/<int:key_id>/revoke")
@staff_required("admin.api_keys")
def revoke_key(key_id: int):  # type: ignore[no-untyped-def]
    """Revoke an Open311 api key."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    row = admin.revoke_key(svc.sessions, key_id, actor=actor, now=svc.clock.now())
    flash(f"Key for {row.label} revoked.", "ok")
    return redirect(url_for("staff_admin.api_keys")), 303


@bp.post("/staff/admin/users/<int:user_id>/token")
@staff_required("admin.users")
def issue_token(user_id: int):  # type: ignore[no-untyped-def]
    """Give an account a new bearer token for the staff API (shown once; replaces any old token)."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    user, token = admin.new_token(svc.sessions, user_id, actor=actor, now=svc.clock.now())
    accounts = admin.accounts(svc.sessions, actor=actor, now=svc.clock.now())
    page = render_template(
        "staff/admin_users.html",
        accounts=accounts,
        now=svc.clock.now(),
        new_token=(user.email, token),
        **_page_data(),
    )
    return page, 201, {"Cache-Control": "no-store"}
