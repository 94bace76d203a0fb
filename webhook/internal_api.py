"""The internal API the assistant's actions call (loopback, shared bearer token INTERNAL_API_TOKEN).

POST /api/v1/intake files a report; GET /api/v1/status tells a reporter how their report is going;
POST /api/v1/case-reviews applies for an ASB Case Review;
POST /api/v1/reports/diary adds "it's happening again" to the sender's own report;
GET /api/v1/places/resolve places a location; GET /api/v1/partnership gives the public details.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, jsonify, request

from casework.case_review import apply_as_resident
from casework.conversation import my_reports, partnership_summary, public_status
from casework.core.db import read
from casework.diary import (
    ChooseReport,
    DiaryInputError,
    DiaryReportClosed,
    DiaryReportNotFound,
    add_diary_entry,
    parse_diary_request,
)
from casework.intake import IntakeError, file_report, parse_intake
from casework.places import resolve_place as resolve_place_with_data
from webhook import services

bp = Blueprint("internal_api", __name__, url_prefix="/api/v1")


@bp.before_request
def _require_internal_token():  # type: ignore[no-untyped-def]
    """Refuse any call without the shared token (compared in constant time)."""
    expected = services().settings.INTERNAL_API_TOKEN
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        resp = jsonify(
            error="Missing or wrong internal API token: send Authorization: Bearer <INTERNAL_API_TOKEN>."
        )
        resp.status_code = 401
        resp.headers["WWW-Authenticate"] = 'Bearer realm="internal"'
        return resp
    return None


@bp.post("/intake")
def intake():  # type: ignore[no-untyped-def]
    """File a report; 201 with the reference and what to tell the resident, 200 when it is a retry."""
    svc = services()
    try:
        payload = parse_intake(request.get_json(silent=True))
    except IntakeError as exc:
        return jsonify(error=exc.message, field=exc.field), 400
    result = file_report(
        sessions=svc.sessions,
        intake=payload,
        partnership=svc.partnership,
        now=svc.clock.now(),
        contact_sender_id=payload.conversation_id,
    )
    return jsonify(result.as_dict()), 201 if result.created else 200


@bp.get("/status")
def status():  # type: ignore[no-untyped-def]
    """The public status of a reference, only for the conversation (or contact) that made it."""
    svc = services()
    reference = request.args.get("reference", "")
    conversation_id = request.args.get("conversation_id", "")
    if not conversation_id:
        return jsonify(error="Give conversation_id (and reference for one report)."), 400
    if not reference:
        # "How is my report going?" without a reference: this conversation's latest reports.
        mine = read(svc.sessions, my_reports, conversation_id, partnership=svc.partnership)
        return jsonify(reports=[m.as_dict() for m in mine])
    found = read(svc.sessions, public_status, reference, conversation_id, partnership=svc.partnership)
    if found is None:
        return jsonify(error="No report with that reference was made from this conversation."), 404
    return jsonify(found.as_dict())


@bp.post("/case-reviews")
def case_review_application():  # type: ignore[no-untyped-def]
    """A resident asks for an ASB Case Review: checked against this conversation's own reports only."""
    svc = services()
    body = request.get_json(silent=True)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("conversation_id"), str)
        or not body["conversation_id"]
    ):
        return jsonify(error="Give conversation_id.", field="conversation_id"), 400
    reference = body.get("reference")
    if reference is not None and not isinstance(reference, str):
        return jsonify(error="reference must be a string.", field="reference"), 400
    result = apply_as_resident(
        svc.sessions,
        conversation_id=body["conversation_id"],
        reference=reference or None,
        now=svc.clock.now(),
        partnership=svc.partnership,
    )
    status = {"applied": 201, "already_applied": 200, "no_reports": 404}[result.status]
    return jsonify(result.as_dict()), status


@bp.post("/reports/diary")
def diary_entry():  # type: ignore[no-untyped-def]
    """Add a diary entry to a report this conversation made; 404 (and nothing more) for any other."""
    svc = services()
    try:
        req = parse_diary_request(request.get_json(silent=True))
        result = add_diary_entry(svc.sessions, req, now=svc.clock.now(), partnership=svc.partnership)
    except DiaryInputError as exc:
        return jsonify(error=exc.message, field=exc.field), 400
    except DiaryReportNotFound:
        return jsonify(error="No report with that reference was made from this conversation."), 404
    except DiaryReportClosed as exc:
        return jsonify(error="That report is closed.", reason="closed", reference=exc.reference), 409
    except ChooseReport as exc:
        return jsonify(
            error="Several open reports: choose one.", reason="choose", references=exc.references
        ), 409
    return jsonify(result.as_dict()), 201


@bp.get("/places/resolve")
def resolve_place():  # type: ignore[no-untyped-def]
    """Place a resident's description of a location in a ward: how (method) and how sure (confidence);
    a street in several towns is not placed and lists the towns (candidates) so the assistant asks."""
    svc = services()
    match = read(svc.sessions, resolve_place_with_data, svc.partnership, request.args.get("q", ""))
    return jsonify(
        resolved=match.resolved,
        in_area=match.in_area,
        precision=match.precision,
        ward=match.ward,
        place=match.place_key,
        postcode=match.postcode,
        town=match.town,
        method=match.method,
        confidence=match.confidence,
        candidates=list(match.candidates),
    )


@bp.get("/partnership")
def partnership():  # type: ignore[no-untyped-def]
    """The partnership's public details (council, case review wording, wards and places)."""
    return jsonify(partnership_summary(services().partnership))
