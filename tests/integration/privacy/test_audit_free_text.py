"""Staff free text about a resident goes with their data (erasure and retention), the audit facts stay.

The audit trail keeps who did what to which report and when; reasons written by staff (naming people and
places) are removed with the report's personal content. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.cli.privacy import run_erase, run_sar
from casework.core.bootstrap import Services
from casework.core.models import AuditEvent, Report, ReportEvent
from casework.privacy.retention import run_retention
from casework.staff.access import Actor
from casework.staff.triage import change_risk, link, reassign, unlink
from tests.factories import make_staff
from tests.integration.privacy.test_retention import PHONE, close, file_sms_report

NAMES = ("Dave Brown", "4 Elm Close", "Mr Patel")


def staff_actions(services: Services, reference: str) -> str:
    """A triage officer changes the risk, reassigns and links/unlinks, each with a reason naming people."""
    now = services.clock.now()
    p = services.partnership
    other = file_sms_report(services, phone="+447700900888", submission="other", asb_type="graffiti")
    with services.sessions() as s, s.begin():
        user = make_staff(s, "triage")
        actor = Actor(user_id=user.id, role="triage", ip="192.0.2.10")
        change_risk(
            s,
            actor=actor,
            reference=reference,
            now=now,
            partnership=p,
            level="standard",
            reason="Her ex-partner Dave Brown waits outside 4 Elm Close",
        )
        reassign(
            s,
            actor=actor,
            reference=reference,
            now=now,
            partnership=p,
            agency_id="bromford",
            reason="Tenant of Mr Patel, Bromford manage the block",
        )
        link(
            s,
            actor=actor,
            reference=reference,
            now=now,
            partnership=p,
            primary_reference=other.reference,
            reason="Same man, Dave Brown",
        )
        unlink(s, actor=actor, reference=reference, now=now, partnership=p, reason="Not Dave Brown after all")
    return other.reference


def other_timeline(services: Services, reference: str) -> str:
    """The timeline of another resident's report, as text (bodies and data)."""
    with services.sessions() as s:
        report = s.scalars(select(Report).where(Report.reference == reference)).one()
        events = s.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)).all()
        return json.dumps([[e.kind, e.body, e.data] for e in events])


def audit_rows(services: Services, reference: str) -> list[AuditEvent]:
    with services.sessions() as s:
        return list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.target_type == "report", AuditEvent.target_id == reference)
                .order_by(AuditEvent.id)
            )
        )


def assert_facts_kept_and_free_text_gone(before: list[AuditEvent], after: list[AuditEvent]) -> None:
    assert [(a.actor, a.action, a.created_at) for a in after] == [
        (b.actor, b.action, b.created_at) for b in before
    ]
    text = json.dumps([a.detail for a in after])
    assert not [n for n in NAMES if n in text], text
    risk = next(a for a in after if a.action == "report.risk_changed")
    assert (risk.detail["from"], risk.detail["to"]) == ("high", "standard")
    moved = next(a for a in after if a.action == "report.reassigned")
    assert moved.detail["to"] == "bromford"


def test_retention_removes_staff_reasons_from_the_audit_trail(services: Services) -> None:
    report = file_sms_report(services)
    other = staff_actions(services, report.reference)
    before = audit_rows(services, report.reference)
    assert any("Dave Brown" in json.dumps(a.detail) for a in before)
    assert "Dave Brown" in other_timeline(services, other)
    close(services, report.reference, days_ago=731)

    run_retention(services)

    assert_facts_kept_and_free_text_gone(before, audit_rows(services, report.reference))
    # The other report's timeline still says it was linked, but no longer quotes the reason.
    assert "Dave Brown" not in other_timeline(services, other)
    assert f"{report.reference} linked as a duplicate." in other_timeline(services, other)


def test_erasure_removes_staff_reasons_from_the_audit_trail(services: Services) -> None:
    report = file_sms_report(services)
    other = staff_actions(services, report.reference)
    before = audit_rows(services, report.reference)
    close(services, report.reference, days_ago=3)

    run_erase(services, phone=PHONE, include_open=False)

    assert_facts_kept_and_free_text_gone(before, audit_rows(services, report.reference))
    assert "Dave Brown" not in other_timeline(services, other)


@pytest.mark.parametrize("how", ["retention", "erasure"])
def test_a_landlord_named_in_the_residents_words_goes_with_their_data(services: Services, how: str) -> None:
    report = file_sms_report(services, tenure="private_rent", landlord="Mr Patel")
    close(services, report.reference, days_ago=731)
    if how == "retention":
        run_retention(services)
    else:
        run_erase(services, phone=PHONE, include_open=False)
    with services.sessions() as s:
        after = s.scalars(select(Report).where(Report.reference == report.reference)).one()
    assert after.landlord is None and after.tenure == "private_rent"


def test_subject_access_says_which_agencies_were_sent_the_residents_report(
    services: Services, tmp_path: Path
) -> None:
    report = file_sms_report(services)
    out = tmp_path / "sar.json"
    run_sar(services, phone=PHONE, out=out)
    data = json.loads(out.read_text())
    sent_to = [(r["report"], r["agency"]) for r in data["referrals"]]
    assert (report.reference, report.lead_agency) in sent_to
    assert all(set(r) >= {"agency", "transport", "reason", "status", "created_at"} for r in data["referrals"])
