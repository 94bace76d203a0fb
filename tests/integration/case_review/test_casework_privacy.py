"""Case Review applications and interventions are covered by subject access, erasure and retention."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from casework.case_review import advance, apply_as_resident
from casework.cli.privacy import run_erase, run_sar
from casework.core.bootstrap import Services
from casework.core.models import CaseReviewApplication, Intervention
from casework.interventions import record
from casework.staff import Actor
from tests.factories import make_staff
from tests.integration.privacy.test_retention import close, file_sms_report

PHONE = "+447700900123"


def _casework(services: Services) -> tuple[str, str]:
    p, now = services.partnership, services.clock.now()
    report = file_sms_report(services, phone=PHONE)
    with services.sessions() as db:
        actor = Actor(user_id=make_staff(db, "triage").id, role="triage")
        db.commit()
    record(
        services.sessions,
        actor=actor,
        reference=report.reference,
        now=now,
        partnership=p,
        kind="advice",
        agency_id="ldc",
        done_on=date(2026, 11, 18),
        outcome="Advice to the household at number 4.",
    )
    sender = report.conversation_id or ""
    review = apply_as_resident(
        services.sessions, conversation_id=sender, reference=None, now=now, partnership=p
    )
    assert review.reference
    advance(
        services.sessions,
        actor=actor,
        reference=review.reference,
        step="decide",
        now=now,
        partnership=p,
        met=False,
        text="Only one report; the neighbour at number 4 was advised.",
    )
    return report.reference, review.reference


def test_subject_access_includes_case_reviews_and_interventions(services: Services, tmp_path: Path) -> None:
    _, review_ref = _casework(services)
    out = tmp_path / "sar.json"
    run_sar(services, phone=PHONE, out=out)
    data = json.loads(out.read_text())
    assert [c["reference"] for c in data["case_reviews"]] == [review_ref]
    assert [i["kind"] for i in data["interventions"]] == ["advice"]
    assert data["interventions"][0]["done_on"] == "2026-11-18"


def test_erasure_keeps_the_figures_and_removes_the_words(services: Services) -> None:
    report_ref, _ = _casework(services)
    close(services, report_ref, days_ago=1)
    run_erase(services, phone=PHONE, include_open=True)
    with services.sessions() as db:
        review = db.scalars(select(CaseReviewApplication)).one()
        assert (
            review.contact_id is None and review.decision_reason is None and review.anonymised_at is not None
        )
        assert review.state == "threshold_not_met" and review.threshold_met is False
        intervention = db.scalars(select(Intervention)).one()
        assert intervention.outcome == "" and intervention.kind == "advice"
