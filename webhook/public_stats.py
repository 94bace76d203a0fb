"""GET /stats: the partnership's public figures on ASB (no personal data; small counts suppressed)."""

from __future__ import annotations

from flask import Blueprint, render_template

from casework.core.db import read
from casework.insight import SMALL_COUNT, public_stats
from webhook import services

bp = Blueprint("public_stats", __name__)


@bp.get("/stats")
def stats():  # type: ignore[no-untyped-def]
    """Reports by ward, type and month over the last year, and the share resolved."""
    svc = services()
    figures = read(svc.sessions, public_stats, now=svc.clock.now())
    resp = render_template("public/stats.html", s=figures, partnership=svc.partnership, small=SMALL_COUNT)
    return resp, 200, {"Cache-Control": "public, max-age=300"}
