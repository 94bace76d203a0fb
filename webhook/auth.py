"""Staff sign-in and sign-out, the signed-in actor, role checks and CSRF for every staff form.

CSRF: Flask-WTF's CSRFProtect is initialised with WTF_CSRF_CHECK_DEFAULT off and every staff blueprint
calls `csrf.protect()` before its POST views (`protect_staff_blueprint`). The JSON doors owned by others
(Open311, intake API, /sms/*, /chat/messages) authenticate by signature, token or api_key and are not
cookie-authenticated, so they stay outside CSRF without each needing an exemption.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect

from casework.core.clock import LONDON
from casework.staff import AccessDenied, Actor, NotFound, sign_in, sign_out, signed_in_actor
from webhook import services

bp = Blueprint("staff_auth", __name__, static_folder="static/staff", static_url_path="/staff/static")

csrf = CSRFProtect()
SESSION_KEY = "staff_user_id"
GENERATION_KEY = "staff_session_generation"  # must match the account's, or the session has been ended
SIGNED_IN_KEY = "staff_signed_in_at"  # epoch seconds; a session ends SESSION_LIFETIME after sign-in
SESSION_LIFETIME = timedelta(hours=12)
F = TypeVar("F", bound=Callable[..., Any])


@bp.record_once
def _init_csrf(state: Any) -> None:
    app: Flask = state.app
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    if "csrf" not in app.extensions:
        csrf.init_app(app)

    @app.errorhandler(CSRFError)
    def _csrf_refused(exc: CSRFError):  # type: ignore[no-untyped-def]
        return render_template(
            "staff/error.html",
            title="Form expired",
            message="This form has expired or did not come from this site. "
            "Go back, reload the page and try again. Nothing was changed.",
        ), 400


def client_ip() -> str | None:
    """The caller's address for the audit trail."""
    return request.remote_addr


def protect_staff_blueprint(blueprint: Blueprint) -> None:
    """Check the CSRF token on every state-changing request to a staff blueprint, and map domain errors."""

    @blueprint.before_request
    def _csrf() -> None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()

    @blueprint.errorhandler(NotFound)
    def _not_found(exc: NotFound):  # type: ignore[no-untyped-def]
        return render_template(
            "staff/error.html",
            title="Not found",
            message="There is no such report, or it is not one you can see.",
        ), 404

    @blueprint.errorhandler(AccessDenied)
    def _denied(exc: AccessDenied):  # type: ignore[no-untyped-def]
        return render_template(
            "staff/error.html", title="Not allowed", message=str(exc).capitalize() + "."
        ), 403


protect_staff_blueprint(bp)


def session_claims() -> tuple[object, object]:
    """The (staff user id, session generation) the cookie carries, or (None, None) once it has expired."""
    signed_in_at = session.get(SIGNED_IN_KEY)
    if session.get(SESSION_KEY) is None:
        return None, None
    now = services().clock.now().timestamp()
    if not isinstance(signed_in_at, int | float) or now - signed_in_at > SESSION_LIFETIME.total_seconds():
        session.clear()
        return None, None
    return session.get(SESSION_KEY), session.get(GENERATION_KEY)


def current_actor() -> Actor | None:
    """The signed-in member of staff for this request, or None (ended sessions and inactive accounts)."""
    if "actor" in g:
        return g.actor  # type: ignore[no-any-return]
    actor = None
    user_id, generation = session_claims()
    if user_id is not None:
        actor = signed_in_actor(services().sessions, user_id, generation, ip=client_ip())
        if actor is None:
            session.clear()
    g.actor = actor
    return actor


def staff_required(permission: str | None = None) -> Callable[[F], F]:
    """Require a signed-in member of staff (redirect to sign-in) with the permission (403 otherwise)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if actor is None:
                return redirect(url_for("staff_auth.login", next=request.full_path.rstrip("?")))
            if permission and not actor.can(permission):
                raise AccessDenied(f"your role ({actor.role}) may not do this")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    # Only same-site paths: never an absolute URL or a scheme-relative one (open redirect).
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(actor: Actor) -> str:
    """Where a member of staff lands after signing in."""
    if actor.can("inbox"):
        return url_for("staff_inbox.inbox")
    if actor.can("admin.users"):
        return url_for("staff_admin.users")
    return url_for("staff_dashboard.dashboard")


@bp.get("/staff/login")
def login():  # type: ignore[no-untyped-def]
    """The sign-in form."""
    actor = current_actor()
    if actor is not None:
        return redirect(home_for(actor))
    return render_template("staff/login.html", next=request.args.get("next", ""))


@bp.post("/staff/login")
def login_submit():  # type: ignore[no-untyped-def]
    """Check the credentials; sign in, or show the same refusal for every failure (throttled)."""
    svc = services()
    outcome, actor, generation = sign_in(
        svc.sessions,
        email=request.form.get("email", ""),
        password=request.form.get("password", ""),
        now=svc.clock.now(),
        ip=client_ip(),
    )
    if actor is None:
        return render_template(
            "staff/login.html",
            error=outcome.error,
            email=request.form.get("email", ""),
            next=request.form.get("next", ""),
        ), 401
    session.clear()  # a fresh session on sign-in (no fixation)
    session[SESSION_KEY] = actor.user_id
    session[GENERATION_KEY] = generation
    session[SIGNED_IN_KEY] = int(svc.clock.now().timestamp())
    g.actor = actor
    return redirect(_safe_next(request.form.get("next")) or home_for(actor))


@bp.post("/staff/logout")
def logout():  # type: ignore[no-untyped-def]
    """Sign out everywhere: every session of the account ends, copied cookies included (audited)."""
    actor = current_actor()
    if actor is not None:
        svc = services()
        sign_out(svc.sessions, actor=actor, now=svc.clock.now(), ip=client_ip())
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("staff_auth.login"))


@bp.get("/staff/")
@staff_required()
def staff_home():  # type: ignore[no-untyped-def]
    """The staff landing page: the inbox, the admin pages or the dashboard by role."""
    actor = current_actor()
    if actor is None:
        abort(401)
    return redirect(home_for(actor))


NAV = (
    ("inbox", "staff_inbox.inbox", "Inbox"),
    ("subjects", "staff_subjects.subjects", "Subjects"),
    ("report.view", "staff_case_reviews.case_reviews", "Case Reviews"),
    ("dashboard", "staff_dashboard.dashboard", "Dashboard"),
    ("dashboard", "staff_performance.performance", "Performance"),
    ("imports", "staff_dashboard.imports", "Imports"),
    ("admin.users", "staff_admin.users", "Staff"),
    ("admin.api_keys", "staff_admin.api_keys", "API keys"),
)


@bp.app_context_processor
def _inject_actor() -> dict[str, Any]:
    def staff_actor() -> Actor | None:
        return current_actor() if request and SESSION_KEY in session else None

    def staff_nav() -> list[tuple[str, str]]:
        actor = staff_actor()
        if actor is None:
            return []
        return [
            (url_for(endpoint), label)
            for permission, endpoint, label in NAV
            if actor.can(permission) and endpoint in current_app.view_functions
        ]

    return {"staff_actor": staff_actor, "staff_nav": staff_nav}


@bp.app_template_filter("london")
def london_time(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """A UTC datetime shown in UK time."""
    if value is None:
        return ""
    return value.astimezone(LONDON).strftime(fmt)
