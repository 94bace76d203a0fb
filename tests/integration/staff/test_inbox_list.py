"""The inbox list: filters, sorting, pagination, search by reference, badges, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.core.models import AuditEvent
from casework.staff.access import Actor
from casework.staff.inbox import InvalidFilter, list_reports, parse_filters
from tests.factories import NOW, cheap_password_hashing, make_contact, make_outbox, make_report, make_staff
from tests.integration.staff.test_inbox_pages import sign_in

TRIAGE = Actor(user_id=1, role="triage")


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def refs(services, clock, **args: str) -> list[str]:  # type: ignore[no-untyped-def]
    """References listed for the given query-string filters, in order."""
    with services.sessions() as db:
        page = list_reports(db, actor=TRIAGE, filters=parse_filters(args), now=clock.now())
    return [r.reference for r in page.rows]


def test_each_filter_narrows_the_list(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        noise = make_report(db, asb_type="noise", ward="Chasetown", lead_agency="ldc")
        hate = make_report(
            db,
            asb_type="intimidation_harassment",
            ward="Stowe",
            lead_agency="staffs-police",
            hate=True,
            risk_level="high",
            status="accepted",
        )
        da = make_report(
            db,
            asb_type="intimidation_harassment",
            ward="Stowe",
            lead_agency="staffs-police",
            domestic_abuse=True,
            risk_level="medium",
        )
        old = make_report(
            db, asb_type="graffiti", ward="Chadsmead", status="closed", created_at=NOW - timedelta(days=40)
        )
        db.commit()
    assert set(refs(services, clock)) == {noise.reference, hate.reference, da.reference, old.reference}
    assert refs(services, clock, status="accepted") == [hate.reference]
    assert set(refs(services, clock, status="active")) == {noise.reference, hate.reference, da.reference}
    assert set(refs(services, clock, agency="staffs-police")) == {hate.reference, da.reference}
    assert refs(services, clock, type="graffiti") == [old.reference]
    assert set(refs(services, clock, ward="Stowe")) == {hate.reference, da.reference}
    assert refs(services, clock, risk="medium") == [da.reference]
    assert refs(services, clock, hate="yes") == [hate.reference]
    assert refs(services, clock, domestic_abuse="yes") == [da.reference]
    assert old.reference not in refs(services, clock, **{"from": "2026-11-01"})
    assert refs(services, clock, to="2026-10-31") == [old.reference]


def test_dates_are_whole_days_in_uk_time(services, clock):  # type: ignore[no-untyped-def]
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST).
    with services.sessions() as db:
        late = make_report(db, created_at=NOW.replace(month=7, day=1, hour=23, minute=30))
        db.commit()
    assert refs(services, clock, **{"from": "2026-07-02", "to": "2026-07-02"}) == [late.reference]
    assert refs(services, clock, **{"from": "2026-07-01", "to": "2026-07-01"}) == []


def test_sorts_and_pages_without_overlap(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        made = [
            make_report(
                db,
                created_at=NOW - timedelta(hours=i),
                due_at=NOW + timedelta(days=i % 4),
                risk_level=("high" if i == 3 else "standard"),
            )
            for i in range(7)
        ]
        db.commit()
    newest = refs(services, clock, per_page="3")
    page2 = refs(services, clock, per_page="3", page="2")
    page3 = refs(services, clock, per_page="3", page="3")
    assert newest + page2 + page3 == [r.reference for r in made]
    assert refs(services, clock, sort="oldest") == [r.reference for r in reversed(made)]
    assert refs(services, clock, sort="risk")[0] == made[3].reference
    due = refs(services, clock, sort="due")
    assert due[:2] == [made[0].reference, made[4].reference]


def test_search_by_reference_is_forgiving_about_case_and_spacing(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        target = make_report(db)
        make_report(db)
        db.commit()
    typed = target.reference.lower().replace("-", " ")
    assert refs(services, clock, q=typed) == [target.reference]
    assert refs(services, clock, q=target.reference[-4:]) == [target.reference]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"risk": "extreme"}, "risk"),
        ({"hate": "maybe"}, "hate"),
        ({"from": "18/11/2026"}, "from"),
        ({"page": "0"}, "page"),
        ({"sort": "random"}, "sort"),
        ({"from": "2026-11-18", "to": "2026-11-01"}, "after"),
    ],
)
def test_bad_filters_are_named(args, message):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidFilter, match=message):
        parse_filters(args)


def test_bad_filters_answer_400_with_the_reason(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    sign_in(client, email)
    resp = client.get("/staff/inbox?risk=extreme")
    assert resp.status_code == 400 and "risk: must be one of" in resp.get_data(as_text=True)


def test_badges_flag_what_needs_attention(services, clock):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        primary = make_report(
            db,
            risk_level="high",
            repeat_victim_count=2,
            repeat_location_count=3,
            case_review_eligible=True,
            due_at=NOW - timedelta(hours=1),
        )
        make_report(db, linked_to_id=primary.id, status="linked")
        calm = make_report(db, repeat_victim_count=1, repeat_location_count=2)
        responded = make_report(
            db, due_at=NOW - timedelta(hours=1), first_response_at=NOW - timedelta(hours=2)
        )
        db.commit()
        page = list_reports(db, actor=TRIAGE, filters=parse_filters({}), now=clock.now())
    badges = {r.reference: [b.code for b in r.badges] for r in page.rows}
    assert badges[primary.reference] == [
        "overdue",
        "high-risk",
        "case-review",
        "repeat-victim",
        "repeat-location",
        "linked",
    ]
    assert badges[calm.reference] == [] and badges[responded.reference] == []


def test_inbox_warns_of_reports_whose_messages_failed(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        report = make_report(db)
        make_outbox(db, report, status="failed", needs_attention=True, error_message="number invalid (21211)")
        db.commit()
    sign_in(client, email)
    assert "1 open report</a> has a message that could not be delivered" in client.get(
        "/staff/inbox"
    ).get_data(as_text=True)


def test_export_has_the_filtered_reports_without_phone_numbers_or_descriptions_and_is_audited(
    services, client
):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        contact = make_contact(db, phone="+447700900999")
        stowe = make_report(db, ward="Stowe", contact_id=contact.id, description='=HYPERLINK("evil")')
        make_report(db, ward="Chasetown")
        db.commit()
    sign_in(client, email)
    resp = client.get("/staff/export.csv?ward=Stowe")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    body = resp.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["reference"] for r in rows] == [stowe.reference]
    assert "+447700900999" not in body and "HYPERLINK" not in body and "description" not in rows[0]
    with_text = list(
        csv.DictReader(
            io.StringIO(client.get("/staff/export.csv?ward=Stowe&descriptions=yes").get_data(as_text=True))
        )
    )
    assert with_text[0]["description"] == '\'=HYPERLINK("evil")'  # neutralised for spreadsheets
    with services.sessions() as db:
        exports = db.scalars(select(AuditEvent).where(AuditEvent.action == "reports.export")).all()
    assert [(e.detail["rows"], e.detail["descriptions"], e.detail["filters"]) for e in exports] == [
        (1, False, {"ward": "Stowe", "sort": "newest"}),
        (1, True, {"ward": "Stowe", "sort": "newest"}),
    ]
