"""The performance page and the quarterly report downloads (CSV and PDF), from one set of measures."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from casework.core.db import read
from casework.insight import (
    InvalidPeriod,
    compute_measures,
    format_value,
    measures_period,
    quarterly_report,
    recent_quarters,
)
from webhook import services
from webhook.auth import current_actor, protect_staff_blueprint, staff_required

bp = Blueprint("staff_performance", __name__)
protect_staff_blueprint(bp)


def _period():  # type: ignore[no-untyped-def]
    return measures_period(request.args, now=services().clock.now())


@bp.get("/staff/performance")
@staff_required("dashboard")
def performance():  # type: ignore[no-untyped-def]
    """Every measure for the chosen quarter or dates, with links to the same figures as CSV and PDF."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        period, quarter = _period()
    except InvalidPeriod as exc:
        return render_template("staff/error.html", title="Period not understood", message=str(exc)), 400
    m = read(
        svc.sessions,
        compute_measures,
        actor=actor,
        period=period,
        now=svc.clock.now(),
        partnership=svc.partnership,
    )
    query = (
        {"quarter": quarter} if quarter else {"from": period.start.isoformat(), "to": period.end.isoformat()}
    )
    return render_template(
        "staff/performance.html",
        m=m,
        quarter=quarter,
        quarters=recent_quarters(svc.clock.now()),
        query=query,
        fmt=format_value,
    )


@bp.get("/staff/performance.<fmt>")
@staff_required("dashboard")
def download(fmt: str):  # type: ignore[no-untyped-def]
    """The quarterly report as CSV or PDF (audited)."""
    if fmt not in ("csv", "pdf"):
        return render_template("staff/error.html", title="Not found", message="Use .csv or .pdf."), 404
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        period, _ = _period()
    except InvalidPeriod as exc:
        return render_template("staff/error.html", title="Period not understood", message=str(exc)), 400
    filename, media_type, content = quarterly_report(
        svc.sessions, actor=actor, period=period, now=svc.clock.now(), partnership=svc.partnership, fmt=fmt
    )
    return Response(
        content,
        mimetype=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
