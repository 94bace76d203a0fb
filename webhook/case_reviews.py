"""The Case Reviews pages: the list, recording an application made another way, one application and its
steps. The rules and access live in casework.case_review; this door parses forms and shows results."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from casework.case_review import (
    APPLICANTS,
    CHANNELS,
    STATE_LABELS,
    STATES,
    STEP_LABELS,
    StepRefused,
    advance,
    list_reviews,
    open_review,
    record_application,
)
from casework.core.clock import LONDON
from casework.core.db import read
from casework.core.values import yes_no
from webhook import services
from webhook.auth import current_actor, protect_staff_blueprint, staff_required

bp = Blueprint("staff_case_reviews", __name__)
protect_staff_blueprint(bp)
CHANNEL_LABELS = {
    "sms": "SMS (the assistant)",
    "web": "Web chat (the assistant)",
    "phone": "Phone",
    "email": "Email",
    "letter": "Letter",
    "in_person": "In person",
}
APPLICANT_LABELS = {"victim": "The victim", "on_behalf": "Someone on the victim's behalf (with consent)"}


def _labels() -> dict[str, Any]:
    return {
        "states": STATE_LABELS,
        "steps": STEP_LABELS,
        "channels": CHANNEL_LABELS,
        "applicants": APPLICANT_LABELS,
        "staff_channels": [c for c in CHANNELS if c not in ("sms", "web")],
        "applicant_codes": APPLICANTS,
    }


@bp.get("/staff/case-reviews")
@staff_required("report.view")
def case_reviews():  # type: ignore[no-untyped-def]
    """Applications the officer may see, filtered by state or overdue."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    overdue = request.args.get("overdue") == "yes"
    rows = read(svc.sessions, list_reviews, actor=actor, now=svc.clock.now(), state=state, overdue=overdue)
    return render_template(
        "staff/case_reviews.html",
        rows=rows,
        state=state,
        overdue=overdue,
        l=_labels(),
        can_act=actor.can("report.act"),
        report_reference=request.args.get("report", ""),
    )


@bp.post("/staff/case-reviews")
@staff_required("report.act")
def record():  # type: ignore[no-untyped-def]
    """Record an application made by phone, email, letter or in person, on one of the victim's reports."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    try:
        reference, new = record_application(
            svc.sessions,
            actor=actor,
            report_reference=request.form.get("report_reference", ""),
            channel=request.form.get("channel", ""),
            applicant=request.form.get("applicant", ""),
            now=svc.clock.now(),
            partnership=svc.partnership,
        )
    except StepRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("staff_case_reviews.case_reviews")), 303
    flash(
        "Application recorded; the applicant is told by text when it is safe."
        if new
        else "This applicant already has a Case Review in progress.",
        "ok",
    )
    return redirect(url_for("staff_case_reviews.case_review", reference=reference)), 303


@bp.get("/staff/case-reviews/<reference>")
@staff_required("report.view")
def case_review(reference: str):  # type: ignore[no-untyped-def]
    """One application: its state, deadlines, the steps open now, its history and the texts sent."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    page = read(svc.sessions, open_review, actor=actor, reference=reference, now=svc.clock.now())
    return render_template("staff/case_review.html", p=page, c=page.review, l=_labels())


def _meeting_at(form: Any) -> datetime | None:
    day, clock = form.get("meeting_date", ""), form.get("meeting_time", "") or "10:00"
    if not day:
        return None
    try:
        return datetime.combine(
            datetime.strptime(day, "%Y-%m-%d").date(), time.fromisoformat(clock), tzinfo=LONDON
        )
    except ValueError:
        raise StepRefused("meeting date: use a date like 2026-12-01 and a time like 14:30") from None


def _yes_no(value: str | None) -> bool | None:
    """A yes/no radio button (core.values.yes_no); None when missing or unreadable: casework asks again."""
    try:
        return yes_no(value)
    except ValueError:
        return None


@bp.post("/staff/case-reviews/<reference>/<step>")
@staff_required("report.act")
def step(reference: str, step: str):  # type: ignore[no-untyped-def]
    """Take one step of the process; the applicant is texted a neutral line where it is safe."""
    actor = current_actor()
    assert actor is not None
    svc = services()
    form = request.form
    try:
        inputs: dict[str, Any] = {"text": form.get("text", "")}
        if step == "decide":
            inputs["met"] = _yes_no(form.get("met"))
        if step == "decide_appeal":
            inputs["upheld"] = _yes_no(form.get("upheld"))
        if step == "schedule_meeting":
            inputs["meeting_at"] = _meeting_at(form)
        state = advance(
            svc.sessions,
            actor=actor,
            reference=reference,
            step=step,
            now=svc.clock.now(),
            partnership=svc.partnership,
            **inputs,
        )
    except StepRefused as exc:
        flash(str(exc), "error")
    else:
        flash(f"Saved: the Case Review is now '{STATE_LABELS[state]}'.", "ok")
    return redirect(url_for("staff_case_reviews.case_review", reference=reference)), 303
