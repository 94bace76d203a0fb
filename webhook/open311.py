"""Open311 GeoReport v2 under /open311/v2/ (JSON), with mySociety's servicerequestupdates extension.

Each route answers both `<name>.json` and `<name>` (no format). Errors are the spec's list:
`[{"code": 403, "description": "..."}]` with the same HTTP status.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from casework.open311 import (
    Open311Error,
    create_request,
    get_request,
    list_requests,
    list_updates,
    post_update,
    serve,
    service_definition,
    services_list,
    token_lookup,
)
from webhook import services

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")


@bp.errorhandler(Open311Error)
def _open311_error(exc: Open311Error):  # type: ignore[no-untyped-def]
    return jsonify(exc.as_list()), exc.code


def _params() -> dict[str, Any]:
    """Query string and form fields together (clients send api_key in either)."""
    merged = dict(request.args.items())
    merged.update(request.form.items())
    return merged


def _serve(operation: Any, params: dict[str, Any], **kwargs: Any) -> Any:
    """Run one Open311 use case for the caller's api key."""
    svc = services()
    return serve(
        svc.sessions, operation, api_key=params.get("api_key"), configured=svc.settings.open311_keys, **kwargs
    )


@bp.get("/services.json")
@bp.get("/services")
def list_services():  # type: ignore[no-untyped-def]
    """The ASB types as Open311 services (public: no api_key needed)."""
    return jsonify(services_list())


@bp.get("/services/<code>.json")
@bp.get("/services/<code>")
def definition(code: str):  # type: ignore[no-untyped-def]
    """The questions asked with a report of this type."""
    return jsonify(service_definition(code))


@bp.post("/requests.json")
@bp.post("/requests")
def create():  # type: ignore[no-untyped-def]
    """File a report; answers its service_request_id (the reference) and a token."""
    svc = services()
    params = _params()
    body = _serve(
        create_request,
        params,
        form=params,
        partnership=svc.partnership,
        now=svc.clock.now(),
        sender_id_key=svc.settings.SENDER_ID_KEY,
    )
    return jsonify(body), 201


@bp.get("/requests.json")
@bp.get("/requests")
def search():  # type: ignore[no-untyped-def]
    """Requests matching the spec's filters (api_key required: reports are private)."""
    svc = services()
    params = _params()
    return jsonify(_serve(list_requests, params, args=params, now=svc.clock.now()))


@bp.get("/requests/<reference>.json")
@bp.get("/requests/<reference>")
def one(reference: str):  # type: ignore[no-untyped-def]
    """One request by its service_request_id."""
    svc = services()
    params = _params()
    return jsonify(_serve(get_request, params, reference=reference, now=svc.clock.now()))


@bp.get("/tokens/<token>.json")
@bp.get("/tokens/<token>")
def token(token: str):  # type: ignore[no-untyped-def]
    """The service_request_id created for a token."""
    params = _params()
    return jsonify(_serve(token_lookup, params, token=token))


@bp.get("/servicerequestupdates.json")
@bp.get("/servicerequestupdates")
def updates():  # type: ignore[no-untyped-def]
    """Public updates in a time window (mySociety extension)."""
    svc = services()
    params = _params()
    return jsonify(_serve(list_updates, params, args=params, now=svc.clock.now()))


@bp.post("/servicerequestupdates.json")
@bp.post("/servicerequestupdates")
def push_update():  # type: ignore[no-untyped-def]
    """An agency system pushes a status update; applied once per update_id."""
    svc = services()
    params = _params()
    outcome = _serve(post_update, params, form=params, partnership=svc.partnership, now=svc.clock.now())
    return jsonify([{"update_id": outcome.update_id}]), 201 if outcome.applied else 200


@bp.route("/<path:anything>", methods=["GET", "POST"])
def unknown(anything: str):  # type: ignore[no-untyped-def]
    """Anything else under /open311/v2 (including .xml: only JSON is served)."""
    if anything.endswith(".xml"):
        raise Open311Error(400, "Only JSON is served here: use the .json form of this URL.")
    raise Open311Error(404, f"No Open311 method at /open311/v2/{anything}.")
