"""The triage inbox and report pages (server-rendered): list, filters, report page and staff actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from casework.core.asb_types import ASB_TYPES
from casework.core.clock import LONDON
from casework.core.db import read
from casework.interventions import MEDIATION_OUTCOMES, interventions_for
from casework.places import report_map
from casework.staff import (
    STATUSES,
    InvalidFilter,
    NotFound,
    TriageError,
    desk,
    open_evidence,
    parse_filters,
)
from webhook import services
from webhook.auth import current_actor, protect_staff_blueprint, staff_required

bp = Blueprint("staff_inbox", __name__)
protect_staff_blueprint(bp)


def vocabulary() -> dict[str, Any]:
    """Labels for codes shown on staff pages: agencies, types, statuses and the partnership's wards."""
    partnership = services().partnership
    return {
        "agencies": {a.id: a.name for a in partnership.agencies.values()},
        "types": {code: t.label for code, t in ASB_TYPES.items()},
        "statuses": STATUSES,
        "wards": [w.name for w in partnership.wards],
        "hotspot_wards": set(partnership.hotspot_wards),
        "tz": partnership.tz,
    }


@bp.get("/inbox")
def inbox_shortcut() -> Response:
    """The short address printed by `make run`: the staff inbox (which asks for sign-in)."""
    return redirect(url_for("staff_inbox.inbox"))  # type: ignore[return-value]


@bp.get("/staff/inbox")
@staff_required("inbox")
def inbox():  # type: ignore[no-untyped-def]
    """The list of reports the signed-in officer may see, filtered, sorted and paginated."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        filters = parse_filters(request.args)
    except InvalidFilter as exc:
        return render_template("staff/error.html", title="Filter not understood", message=str(exc)), 400
    page, attention = desk.inbox(svc.sessions, actor=actor, filters=filters, now=svc.clock.now())
    return render_template(
        "staff/inbox.html", page=page, filters=filters, attention=attention, v=vocabulary()
    )


@bp.get("/staff/reports/<reference>")
@staff_required("report.view")
def report(reference: str):  # type: ignore[no-untyped-def]
    """One report: facts, transcript, routing, referrals, SMS, linked reports, timeline and actions."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    page, previews = desk.view_report(
        svc.sessions, actor=actor, reference=reference, now=svc.clock.now(), partnership=svc.partnership
    )
    done = read(svc.sessions, interventions_for, actor=actor, reference=reference)
    r = page.report
    where = read(svc.sessions, report_map, svc.partnership, r.ward, r.latitude, r.longitude)
    return render_template(
        "staff/report.html",
        p=page,
        r=r,
        v=vocabulary(),
        can_act=actor.can("report.act"),
        previews=previews,
        interventions=done,
        kinds={k.code: k for k in svc.partnership.interventions},
        mediation_outcomes=MEDIATION_OUTCOMES,
        today=svc.clock.now().astimezone(LONDON).date().isoformat(),
        where=where,
        ward_choices=read(svc.sessions, desk.place_ward_choices, svc.partnership),
    )


def _send_evidence(reference: str, file_id: int, *, thumbnail: bool) -> Response:
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        found = open_evidence(
            svc.sessions,
            svc.settings,
            actor=actor,
            reference=reference,
            file_id=file_id,
            thumbnail=thumbnail,
            now=svc.clock.now(),
        )
    except NotFound:
        return Response("Not found\n", status=404, mimetype="text/plain")
    resp = Response(found.data, mimetype=found.media_type)
    disposition = "inline" if found.media_type.startswith("image/") else "attachment"
    resp.headers["Content-Disposition"] = f'{disposition}; filename="{found.filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/staff/reports/<reference>/files/<int:file_id>")
@staff_required("report.view")
def evidence_file(reference: str, file_id: int) -> Response:
    """A photo or recording on a report the officer may open (404 otherwise); every view audited."""
    return _send_evidence(reference, file_id, thumbnail=False)


@bp.get("/staff/reports/<reference>/files/<int:file_id>/thumbnail")
@staff_required("report.view")
def evidence_thumbnail(reference: str, file_id: int) -> Response:
    """A photo's small thumbnail, under the same rule and audit as the file."""
    return _send_evidence(reference, file_id, thumbnail=True)


def _act(reference: str, action: str, **kwargs: Any):  # type: ignore[no-untyped-def]
    """Run one triage action for the signed-in officer and go back to the report with a message."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        result = desk.act(
            svc.sessions,
            action,
            actor=actor,
            reference=reference,
            now=svc.clock.now(),
            partnership=svc.partnership,
            **kwargs,
        )
    except TriageError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff_inbox.report", reference=reference)), 303
    flash(result.message, "ok")
    if not result.still_visible:
        return redirect(url_for("staff_inbox.inbox")), 303
    return redirect(url_for("staff_inbox.report", reference=result.reference)), 303


@bp.post("/staff/reports/<reference>/accept")
@staff_required("report.act")
def accept(reference: str):  # type: ignore[no-untyped-def]
    """Accept the report for the officer's agency."""
    return _act(reference, "accept")


@bp.post("/staff/reports/<reference>/reassign")
@staff_required("report.act")
def reassign(reference: str):  # type: ignore[no-untyped-def]
    """Reassign to another agency with a reason; the referral is sent again."""
    return _act(
        reference,
        "reassign",
        agency_id=request.form.get("agency_id", ""),
        reason=request.form.get("reason", ""),
    )


@bp.post("/staff/reports/<reference>/status")
@staff_required("report.act")
def change_status(reference: str):  # type: ignore[no-untyped-def]
    """Change the status with a public update (texted to the reporter) or a private note."""
    return _act(
        reference,
        "status",
        status=request.form.get("status", ""),
        message=request.form.get("message", ""),
        visibility=request.form.get("visibility", "private"),
    )


@bp.post("/staff/reports/<reference>/note")
@staff_required("report.act")
def note(reference: str):  # type: ignore[no-untyped-def]
    """Add a private note to the timeline."""
    return _act(reference, "note", message=request.form.get("message", ""))


@bp.post("/staff/reports/<reference>/link")
@staff_required("report.act")
def link(reference: str):  # type: ignore[no-untyped-def]
    """Link this report as a duplicate of another."""
    return _act(
        reference,
        "link",
        primary_reference=request.form.get("primary_reference", ""),
        reason=request.form.get("reason", ""),
    )


@bp.post("/staff/reports/<reference>/unlink")
@staff_required("report.act")
def unlink(reference: str):  # type: ignore[no-untyped-def]
    """Undo a duplicate link."""
    return _act(reference, "unlink", reason=request.form.get("reason", ""))


@bp.post("/staff/reports/<reference>/risk")
@staff_required("report.act")
def risk(reference: str):  # type: ignore[no-untyped-def]
    """Change the risk level with a reason."""
    return _act(
        reference, "risk", level=request.form.get("risk_level", ""), reason=request.form.get("reason", "")
    )


@bp.post("/staff/reports/<reference>/place")
@staff_required("report.act")
def place(reference: str):  # type: ignore[no-untyped-def]
    """Correct the report's place and ward (audited; routing is unchanged)."""
    return _act(
        reference,
        "place",
        place=request.form.get("place", ""),
        ward=request.form.get("ward", ""),
        reason=request.form.get("reason", ""),
    )


@bp.post("/staff/reports/<reference>/close")
@staff_required("report.act")
def close(reference: str):  # type: ignore[no-untyped-def]
    """Close with an outcome (the reporter gets the closing text)."""
    return _act(reference, "close", outcome=request.form.get("outcome", ""))


@bp.post("/staff/reports/<reference>/resend")
@staff_required("report.act")
def resend(reference: str):  # type: ignore[no-untyped-def]
    """Send a failed text or referral again."""
    return _act(reference, "resend", message_id=request.form.get("message_id", ""))


@bp.get("/staff/export.csv")
@staff_required("export")
def export_csv():  # type: ignore[no-untyped-def]
    """Download the filtered list as CSV (no phone numbers; descriptions only with descriptions=yes)."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        filters = parse_filters(request.args)
    except InvalidFilter as exc:
        return render_template("staff/error.html", title="Filter not understood", message=str(exc)), 400
    filename, text = desk.export_csv(
        svc.sessions,
        actor=actor,
        filters=filters,
        now=svc.clock.now(),
        include_descriptions=request.args.get("descriptions") == "yes",
    )
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
