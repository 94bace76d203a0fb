"""The staff API: GET /api/v1/reports and GET /api/v1/reports/<reference> (JSON, role-scoped, audited).

Authentication: `Authorization: Bearer <token>` (STAFF_API_TOKEN acts as a triage officer; a staff
account's own API token acts as that account), or a signed-in staff session that has not been ended or
expired (webhook.auth.session_claims).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from casework.staff import (
    AccessDenied,
    Credentials,
    InvalidFilter,
    NotFound,
    Unauthenticated,
    open_evidence_for_caller,
    report_for_caller,
    reports_for_caller,
)
from webhook import services
from webhook.auth import session_claims

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1")


def _unauthorised():  # type: ignore[no-untyped-def]
    resp = jsonify(error="Sign in, or send Authorization: Bearer <your staff API token>.")
    resp.status_code = 401
    resp.headers["WWW-Authenticate"] = 'Bearer realm="staff"'
    return resp


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() or None if header.lower().startswith("bearer ") else None


def _credentials() -> Credentials:
    user_id, generation = session_claims()
    return Credentials(
        token=_bearer(),
        user_id=user_id,
        session_generation=generation,
        staff_api_token=services().settings.STAFF_API_TOKEN,
        ip=request.remote_addr,
    )


@bp.get("/reports")
def reports():  # type: ignore[no-untyped-def]
    """Reports the caller may see, filtered and paginated."""
    svc = services()
    try:
        page = reports_for_caller(
            svc.sessions, credentials=_credentials(), args=request.args, now=svc.clock.now()
        )
    except Unauthenticated:
        return _unauthorised()
    except InvalidFilter as exc:
        return jsonify(error=str(exc), field=exc.field), 400
    except AccessDenied as exc:
        return jsonify(error=f"Not allowed: {exc}."), 403
    # A bare JSON list of reports; paging travels in headers (RFC 8288 Link, as GitHub's API does).
    resp = jsonify(page.reports)
    resp.headers["X-Total-Count"] = str(page.total)
    resp.headers["X-Page"] = str(page.page)
    resp.headers["X-Per-Page"] = str(page.per_page)
    if page.next_page is not None:
        args = request.args.to_dict()
        args.update(page=str(page.next_page), per_page=str(page.per_page))
        resp.headers["Link"] = f'<{url_for("staff_api.reports", _external=False, **args)}>; rel="next"'
    return resp


@bp.get("/reports/<reference>")
def report(reference: str):  # type: ignore[no-untyped-def]
    """One report in full, if the caller may see it (404 otherwise, so references cannot be probed)."""
    svc = services()
    try:
        body = report_for_caller(
            svc.sessions, credentials=_credentials(), reference=reference, now=svc.clock.now()
        )
    except Unauthenticated:
        return _unauthorised()
    except NotFound:
        return jsonify(error=f"No report {reference} that you can see."), 404
    except AccessDenied as exc:
        return jsonify(error=f"Not allowed: {exc}."), 403
    return jsonify(body)


@bp.get("/reports/<reference>/files/<file_id>")
def evidence_file(reference: str, file_id: str):  # type: ignore[no-untyped-def]
    """A photo or recording on a report the caller may see (404 otherwise); audited; never cached."""
    svc = services()
    if not file_id.isdigit() or len(file_id) > 12:
        return jsonify(error=f"No file {file_id[:20]} on a report {reference} that you can see."), 404
    try:
        found = open_evidence_for_caller(
            svc.sessions,
            svc.settings,
            credentials=_credentials(),
            reference=reference,
            file_id=int(file_id),
            now=svc.clock.now(),
        )
    except Unauthenticated:
        return _unauthorised()
    except NotFound:
        return jsonify(error=f"No file {file_id} on a report {reference} that you can see."), 404
    except AccessDenied as exc:
        return jsonify(error=f"Not allowed: {exc}."), 403
    resp = Response(found.data, mimetype=found.media_type)
    resp.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
