"""Subjects for staff: the report page's subjects section (record, link, unlink) and the Subjects pages.

Staff only, like every page here: nothing of this reaches residents or a text.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from casework.subjects import (
    KINDS,
    SubjectError,
    label,
    link_subject,
    record_subject,
    subject_page,
    subjects_index,
    unlink_subject,
)
from webhook import services
from webhook.auth import current_actor, protect_staff_blueprint, staff_required
from webhook.inbox import vocabulary

bp = Blueprint("staff_subjects", __name__)
protect_staff_blueprint(bp)


def _back(reference: str):  # type: ignore[no-untyped-def]
    return redirect(url_for("staff_inbox.report", reference=reference, _anchor="subjects-h")), 303


@bp.post("/staff/reports/<reference>/subjects")
@staff_required("report.act")
def record(reference: str):  # type: ignore[no-untyped-def]
    """Record a new subject (person, household or address) and link it to this report."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    form = request.form
    try:
        subject = record_subject(
            svc.sessions,
            actor=actor,
            reference=reference,
            kind=form.get("kind", ""),
            name=form.get("name", ""),
            description=form.get("description", ""),
            address=form.get("address", ""),
            now=svc.clock.now(),
            partnership=svc.partnership,
        )
    except SubjectError as exc:
        flash(f"Subject not recorded: {exc}.", "error")
        return _back(reference)
    flash(f"Recorded and linked {label(subject)}.", "ok")
    return _back(reference)


@bp.post("/staff/reports/<reference>/subjects/link")
@staff_required("report.act")
def link(reference: str):  # type: ignore[no-untyped-def]
    """Link a subject already recorded (by number, e.g. S-12) to this report."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        subject, added = link_subject(
            svc.sessions,
            actor=actor,
            reference=reference,
            subject_id=request.form.get("subject_id", ""),
            now=svc.clock.now(),
        )
    except SubjectError as exc:
        flash(f"Not linked: {exc}.", "error")
        return _back(reference)
    flash(f"Linked {label(subject)}." if added else f"{label(subject)} was already linked.", "ok")
    return _back(reference)


@bp.post("/staff/reports/<reference>/subjects/<subject_id>/unlink")
@staff_required("report.act")
def unlink(reference: str, subject_id: str):  # type: ignore[no-untyped-def]
    """Remove a subject from this report (the subject stays on its other reports)."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        subject = unlink_subject(
            svc.sessions, actor=actor, reference=reference, subject_id=subject_id, now=svc.clock.now()
        )
    except SubjectError as exc:
        flash(f"Not unlinked: {exc}.", "error")
        return _back(reference)
    flash(f"Unlinked S-{subject.id} from {reference.upper()}.", "ok")
    return _back(reference)


@bp.get("/staff/subjects")
@staff_required("subjects")
def subjects():  # type: ignore[no-untyped-def]
    """Search subjects by name, description or address; repeat subjects and repeat locations."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    query = request.args.get("q", "")
    found, places = subjects_index(svc.sessions, actor=actor, query=query, now=svc.clock.now())
    return render_template(
        "staff/subjects.html", found=found, places=places, q=query, kinds=KINDS, v=vocabulary(), actor=actor
    )


@bp.get("/staff/subjects/<subject_id>")
@staff_required("subjects")
def subject(subject_id: str):  # type: ignore[no-untyped-def]
    """One subject and the history of the reports about it that the officer may open."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    page = subject_page(svc.sessions, actor=actor, subject_id=subject_id, now=svc.clock.now())
    return render_template(
        "staff/subject.html", p=page, s=page.subject, kinds=KINDS, v=vocabulary(), actor=actor
    )
