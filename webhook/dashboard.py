"""The partnership dashboard and the import pages (police.uk and mapped CSV files from other agencies)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from casework.core.db import read
from casework.insight import (
    MAX_ROWS,
    ColumnMapping,
    CsvFile,
    ImportFileError,
    InvalidPeriod,
    batch_progress,
    batches,
    build_dashboard,
    casework_figures,
    check_generic,
    check_police_uk,
    generic_rows,
    parse_type_values,
    period_from,
    police_uk_rows,
    start_import,
)
from casework.places import area_placer, ward_map
from casework.staff import NotFound
from webhook import services
from webhook.auth import current_actor, protect_staff_blueprint, staff_required
from webhook.security import body_limit

bp = Blueprint("staff_dashboard", __name__)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a year of a force's street-level file is a few MB
protect_staff_blueprint(bp)
PALETTE = ("#1d4f91", "#28a197", "#6f72af", "#b58840", "#d53880", "#85994b", "#4c2c92")
HEAT = ("#f3f2f1", "#cfe0f2", "#9fc2e6", "#5a95d0", "#2b6cb0", "#1d4f91", "#0b2a55")


def _heat_colour(value: int, top: int) -> str:
    if value == 0 or top == 0:
        return HEAT[0]
    return HEAT[min(len(HEAT) - 1, 1 + (value * (len(HEAT) - 2)) // top)]


@bp.get("/staff/dashboard")
@staff_required("dashboard")
def dashboard():  # type: ignore[no-untyped-def]
    """Reports by ward, type, hour and week, and the partnership's measures."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    p = svc.partnership
    try:
        period = period_from(request.args, now=svc.clock.now())
    except InvalidPeriod as exc:
        return render_template("staff/error.html", title="Period not understood", message=str(exc)), 400
    d = read(
        svc.sessions,
        build_dashboard,
        actor=actor,
        period=period,
        now=svc.clock.now(),
        hotspot_wards=p.hotspot_wards,
        ward_names=[w.name for w in p.wards],
        victim_reports=p.repeats.victim_reports,
        location_reports=p.repeats.location_reports,
    )
    casework = read(
        svc.sessions, casework_figures, actor=actor, period=period, now=svc.clock.now(), partnership=p
    )
    counts = {
        row.key: (row.by_source.get("reports", 0), row.total - row.by_source.get("reports", 0))
        for row in d.by_ward
        if row.key
    }
    wmap = read(svc.sessions, ward_map, p, counts)
    top_heat = max((max(row) for row in d.heatmap), default=0)
    heat_colours = [[_heat_colour(v, top_heat) for v in row] for row in d.heatmap]
    colours = {source: PALETTE[i % len(PALETTE)] for i, source in enumerate(d.sources)}
    return render_template(
        "staff/dashboard.html",
        d=d,
        colours=colours,
        heat_colours=heat_colours,
        heat_scale=HEAT,
        targets=p.response_targets_working_days,
        partnership=p,
        casework=casework,
        wmap=wmap,
    )


@bp.get("/staff/imports")
@staff_required("imports")
def imports():  # type: ignore[no-untyped-def]
    """Past imports with their summaries, and the upload forms."""
    svc = services()
    return render_template(
        "staff/imports.html",
        batches=batches(svc.sessions, now=svc.clock.now()),
        max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        max_rows=MAX_ROWS,
    )


def _upload() -> tuple[str, CsvFile]:
    """The uploaded file, copied to a temporary file (Werkzeug spools large uploads to disk too)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ImportFileError("choose a CSV file to upload")
    return upload.filename, CsvFile.save(upload.stream)


def _start(source: str, filename: str, csv_file: CsvFile, rows_factory: Any):  # type: ignore[no-untyped-def]
    """Record the batch, then import in a background thread so the page can show progress.

    The temporary file is removed when the import ends (or at once if it is refused)."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        batch_id = start_import(
            svc.sessions,
            source=source,
            filename=filename,
            csv_file=csv_file,
            rows=rows_factory(),
            created_by=actor.user_id,
            actor=actor.label,
            ip=actor.ip,
            now=svc.clock.now,
        )
    except ImportFileError as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff_dashboard.imports")), 303
    return redirect(url_for("staff_dashboard.import_batch", batch_id=batch_id)), 303


@bp.post("/staff/imports/police-uk")
@body_limit(MAX_UPLOAD_BYTES)
@staff_required("imports")
def import_police_uk():  # type: ignore[no-untyped-def]
    """Upload a police.uk street-level CSV; its anti-social behaviour rows are imported."""
    partnership = services().partnership
    csv_file = None
    try:
        filename, csv_file = _upload()
        check_police_uk(csv_file)
    except ImportFileError as exc:
        if csv_file is not None:
            csv_file.remove()
        flash(str(exc), "error")
        return redirect(url_for("staff_dashboard.imports")), 303
    placer = read(services().sessions, area_placer, partnership)
    return _start("police.uk", filename, csv_file, lambda: police_uk_rows(csv_file, partnership, placer))


@bp.post("/staff/imports/generic")
@body_limit(MAX_UPLOAD_BYTES)
@staff_required("imports")
def import_generic():  # type: ignore[no-untyped-def]
    """Upload a landlord's or council's CSV with a column mapping."""
    partnership = services().partnership
    form = request.form
    csv_file = None
    try:
        filename, csv_file = _upload()
        mapping = ColumnMapping(
            source=form.get("source", "").strip(),
            date=form.get("date_column", "").strip(),
            asb_type=form.get("type_column", "").strip() or None,
            location=form.get("location_column", "").strip() or None,
            ward=form.get("ward_column", "").strip() or None,
            id=form.get("id_column", "").strip() or None,
            latitude=form.get("latitude_column", "").strip() or None,
            longitude=form.get("longitude_column", "").strip() or None,
            type_values=parse_type_values(form.get("type_values", "")),
        )
        check_generic(csv_file, mapping)
    except ImportFileError as exc:
        if csv_file is not None:
            csv_file.remove()
        flash(str(exc), "error")
        return redirect(url_for("staff_dashboard.imports")), 303
    placer = read(services().sessions, area_placer, partnership)
    return _start(
        mapping.source, filename, csv_file, lambda: generic_rows(csv_file, mapping, partnership, placer)
    )


@bp.get("/staff/imports/<int:batch_id>")
@staff_required("imports")
def import_batch(batch_id: int):  # type: ignore[no-untyped-def]
    """One import's progress (the page refreshes itself while it runs) and summary."""
    svc = services()
    batch = batch_progress(svc.sessions, batch_id, now=svc.clock.now())
    if batch is None:
        raise NotFound("no such import")
    return render_template("staff/import_batch.html", b=batch)
