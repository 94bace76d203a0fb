"""Interventions on the report page: record what was done (and later how a mediation referral went)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, request, url_for

from casework.interventions import InterventionError, record, set_mediation_outcome
from webhook import services
from webhook.auth import current_actor, protect_staff_blueprint, staff_required

bp = Blueprint("staff_interventions", __name__)
protect_staff_blueprint(bp)


def _back(reference: str):  # type: ignore[no-untyped-def]
    return redirect(url_for("staff_inbox.report", reference=reference, _anchor="interventions-h")), 303


@bp.post("/staff/reports/<reference>/interventions")
@staff_required("report.act")
def add(reference: str):  # type: ignore[no-untyped-def]
    """Record an intervention from the partnership's list, by an agency, on a date, with a short outcome."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    form = request.form
    try:
        try:
            done_on = date.fromisoformat(form.get("done_on", ""))
        except ValueError:
            raise InterventionError("date: use a date like 2026-11-18") from None
        record(
            svc.sessions,
            actor=actor,
            reference=reference,
            now=svc.clock.now(),
            partnership=svc.partnership,
            kind=form.get("kind", ""),
            agency_id=form.get("agency_id", "") or (actor.agency_id or ""),
            done_on=done_on,
            outcome=form.get("outcome", ""),
            mediation_outcome=form.get("mediation_outcome") or None,
        )
    except InterventionError as exc:
        flash(str(exc), "error")
    else:
        flash("Intervention recorded.", "ok")
    return _back(reference)


@bp.post("/staff/reports/<reference>/interventions/<int:intervention_id>/mediation")
@staff_required("report.act")
def mediation(reference: str, intervention_id: int):  # type: ignore[no-untyped-def]
    """Record how a mediation referral went."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        set_mediation_outcome(
            svc.sessions,
            actor=actor,
            reference=reference,
            intervention_id=intervention_id,
            mediation_outcome=request.form.get("mediation_outcome", ""),
            now=svc.clock.now(),
        )
    except InterventionError as exc:
        flash(str(exc), "error")
    else:
        flash("Mediation outcome recorded.", "ok")
    return _back(reference)
