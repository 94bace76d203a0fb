"""The quarterly report: a seeded quarter of reports, interventions and Case Reviews, checked against
figures computed here independently (plain Python over what was seeded), in the CSV, on the page and in the
PDF; viewers limited to wards get those wards only."""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from casework.core.asb_types import ASB_TYPES
from casework.core.models import CaseReviewApplication, Intervention, SurveyResponse
from tests.factories import cheap_password_hashing, make_contact, make_report, make_staff
from tests.integration.staff.test_inbox_pages import sign_in

# 2026-27 Q2 is July to September 2026 (British Summer Time: midnight UK is 23:00 UTC the day before).
Q_START = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
Q_END = datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
WARDS = ["Chasetown", "Stowe", "Boley Park"]
TYPES = ["noise", "vehicle_nuisance", "street_drinking", "neighbour_nuisance"]
CHANNELS = {"sms": "SMS", "web": "Web chat", "staff": "Staff"}
KINDS = [
    ("advice", "advisory", "ldc"),
    ("cpw", "enforcement", "staffs-police"),
    ("abc", "preventative", "ldc"),
    ("mediation_referral", "preventative", "mediation"),
    ("fpn", "enforcement", "ldc"),
]


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def _seed(db):  # type: ignore[no-untyped-def]
    """Reports inside and just outside the quarter; returns plain records of what was seeded."""
    rng = random.Random(17)
    seeded = []
    moments = [Q_START - timedelta(minutes=1), Q_START, Q_END - timedelta(minutes=1), Q_END]
    moments += [
        Q_START + timedelta(minutes=rng.randrange(0, int((Q_END - Q_START).total_seconds() // 60)))
        for _ in range(56)
    ]
    for i, created in enumerate(moments):
        contact = make_contact(db, phone=None, sender_id=f"web-q{i}")
        closed = rng.random() < 0.5
        responded = rng.random() < 0.8
        due = created + timedelta(days=5)
        first = created + timedelta(hours=rng.randrange(1, 200)) if responded else None
        copied = ["partnership-hub"] if rng.random() < 0.2 else []
        r = make_report(
            db,
            contact_id=contact.id,
            created_at=created,
            ward=rng.choice(WARDS),
            asb_type=rng.choice(TYPES),
            channel=rng.choice(list(CHANNELS)),
            status="closed" if closed else "open",
            due_at=due,
            first_response_at=first,
            copied_agencies=copied,
            repeat_victim_count=rng.choice([0, 0, 2]),
            place_key=f"street {rng.randrange(4)}",
            repeat_location_count=rng.choice([0, 3]),
        )
        if closed and rng.random() < 0.6:
            db.add(
                SurveyResponse(
                    report_id=r.id,
                    survey=rng.choice(["1m", "6m"]),
                    score=rng.randrange(1, 6),
                    created_at=created,
                )
            )
        seeded.append(r)
    db.flush()
    interventions = []
    for r in seeded[::3]:
        kind, cls, agency = rng.choice(KINDS)
        done = (r.created_at + timedelta(days=rng.randrange(0, 20))).date()
        med = rng.choice(["pending", "resolved", "declined"]) if kind == "mediation_referral" else None
        db.add(
            Intervention(
                report_id=r.id,
                kind=kind,
                intervention_class=cls,
                agency_id=agency,
                done_on=done,
                outcome="",
                mediation_outcome=med,
                recorded_by="staff:1",
                created_at=r.created_at,
            )
        )
        interventions.append((r, kind, cls, agency, done, med))
    reviews = []
    for n, r in enumerate(seeded[1::5]):
        applied = r.created_at + timedelta(days=1)
        met = [True, False, None][n % 3]
        decided = applied + timedelta(days=[3, 20][n % 2]) if met is not None else None
        meeting = decided + timedelta(days=7) if met else None
        appeal = decided + timedelta(days=2) if met is False else None
        cr = CaseReviewApplication(
            reference=f"CR-T{n:05d}",
            report_id=r.id,
            contact_id=r.contact_id,
            channel="web",
            applicant="victim",
            state="applied",
            applied_at=applied,
            decision_due_at=applied + timedelta(days=14),
            decided_at=decided,
            threshold_met=met,
            meeting_at=meeting,
            appeal_requested_at=appeal,
            created_by="resident",
            created_at=applied,
            updated_at=applied,
        )
        db.add(cr)
        reviews.append(cr)
    db.commit()
    return seeded, interventions, reviews


def _in_q(when: datetime | None) -> bool:
    return when is not None and Q_START <= when < Q_END


def _expected(seeded, interventions, reviews, now) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    reports = [r for r in seeded if _in_q(r.created_at)]
    exp: dict[tuple[str, str], str] = {("Reports received", ""): str(len(reports))}
    for t, n in Counter(ASB_TYPES[r.asb_type].label for r in reports).items():
        exp[("Reports by type", t)] = str(n)
    for w, n in Counter(r.ward for r in reports).items():
        exp[("Reports by ward", w)] = str(n)
    for c, n in Counter(CHANNELS[r.channel] for r in reports).items():
        exp[("Reports by channel", c)] = str(n)
    closed = sum(r.status == "closed" for r in reports)
    exp[("Reports resolved (closed)", "")] = str(closed)
    exp[("Share resolved", "")] = f"{100 * closed / len(reports):.1f}"
    exp[("Repeat victims", "")] = str(len({r.contact_id for r in reports if r.repeat_victim_count >= 2}))
    exp[("Repeat locations", "")] = str(len({r.place_key for r in reports if r.repeat_location_count >= 3}))
    responded = [r for r in reports if r.first_response_at]
    exp[("Reports responded to", "")] = str(len(responded))
    hours = [(r.first_response_at - r.created_at).total_seconds() / 3600 for r in responded]
    exp[("Median time to first response", "")] = f"{round(statistics.median(hours), 1):.1f}"
    within = sum(r.first_response_at <= r.due_at for r in responded)
    target = "target: high 1, medium 2, standard 5 working days"
    exp[("Responded within target", target)] = str(within)
    exp[("Reports referred to the hub", "")] = str(
        sum("partnership-hub" in r.copied_agencies for r in reports)
    )
    in_q_int = [i for i in interventions if date(2026, 7, 1) <= i[4] <= date(2026, 9, 30)]
    exp[("Interventions", "")] = str(len(in_q_int))
    for cls in ("preventative", "enforcement", "advisory"):
        exp[("Interventions by class", cls)] = str(sum(i[2] == cls for i in in_q_int))
    names = {"ldc": "Lichfield District Council", "staffs-police": "Staffordshire Police"}
    for agency, n in Counter(i[3] for i in in_q_int).items():
        if agency in names:
            exp[("Interventions by agency", names[agency])] = str(n)
    meds = Counter(i[5] for i in in_q_int if i[5])
    exp[("Mediation referrals by outcome", "Resolved")] = str(meds.get("resolved", 0))
    exp[("Mediation referrals by outcome", "Declined by one or both parties")] = str(meds.get("declined", 0))
    exp[("Applications", "")] = str(sum(_in_q(c.applied_at) for c in reviews))
    exp[("Threshold decisions", "")] = str(sum(_in_q(c.decided_at) for c in reviews))
    exp[("Thresholds met", "")] = str(sum(_in_q(c.decided_at) and c.threshold_met is True for c in reviews))
    exp[("Thresholds not met", "")] = str(
        sum(_in_q(c.decided_at) and c.threshold_met is False for c in reviews)
    )
    exp[("Decisions within the deadline", "")] = str(
        sum(_in_q(c.decided_at) and c.decided_at <= c.decision_due_at for c in reviews)
    )
    exp[("Reviews held", "")] = str(sum(_in_q(c.meeting_at) and c.meeting_at <= now for c in reviews))
    exp[("Appeals requested", "")] = str(sum(_in_q(c.appeal_requested_at) for c in reviews))
    return exp


def test_quarterly_csv_matches_figures_computed_independently_and_the_page_shows_the_same(services, client):
    with services.sessions() as db:
        make_staff(db, "triage", email="t@example.org")
        seeded, interventions, reviews = _seed(db)
        surveys = {(s.report_id, s.survey): s.score for s in db.query(SurveyResponse)}
    now = services.clock.now()
    sign_in(client, "t@example.org")
    resp = client.get("/staff/performance.csv?quarter=2026-27-Q2")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    got = {(r["measure"], r["breakdown"]): r["value"] for r in rows}
    assert {r["period_start"] for r in rows} == {"2026-07-01"} and {r["period_end"] for r in rows} == {
        "2026-09-30"
    }
    expected = _expected(seeded, interventions, reviews, now)
    assert {k: got.get(k) for k in expected} == expected
    in_q_ids = {r.id for r in seeded if _in_q(r.created_at)}
    one_month = [score for (rid, s), score in surveys.items() if s == "1m" and rid in in_q_ids]
    assert got[("Survey answers at 1 month", "")] == str(len(one_month))
    assert got[("Satisfied (4 or 5) at 1 month", "")] == (
        f"{100 * sum(s >= 4 for s in one_month) / len(one_month):.1f}" if one_month else ""
    )
    page = client.get("/staff/performance?quarter=2026-27-Q2").get_data(as_text=True)
    for (measure, breakdown), value in expected.items():
        cell = re.search(
            rf'data-measure="{re.escape(measure)}" data-breakdown="{re.escape(breakdown)}">([^<]*)<', page
        )
        assert cell is not None, (measure, breakdown)
        assert cell.group(1).split(" ")[0] == value, (measure, breakdown)
    pdf = client.get("/staff/performance.pdf?quarter=2026-27-Q2")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    custom = client.get("/staff/performance.csv?from=2026-07-01&to=2026-09-30").get_data(as_text=True)
    assert custom == resp.get_data(as_text=True)
    assert client.get("/staff/performance?quarter=2026-Q9").status_code == 400


def test_viewer_limited_to_a_ward_gets_that_ward_only_and_downloads_are_audited(services, client):
    from sqlalchemy import select

    from casework.core.models import AuditEvent

    with services.sessions() as db:
        make_staff(db, "viewer", email="v@example.org", wards=["Stowe"])
        seeded, _, _ = _seed(db)
    sign_in(client, "v@example.org")
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/staff/performance.csv?quarter=2026-27-Q2").get_data(as_text=True))
        )
    )
    got = {(r["measure"], r["breakdown"]): r["value"] for r in rows}
    stowe = [r for r in seeded if _in_q(r.created_at) and r.ward == "Stowe"]
    assert got[("Reports received", "")] == str(len(stowe))
    assert [k for k in got if k[0] == "Reports by ward"] == [("Reports by ward", "Stowe")]
    assert {r["wards"] for r in rows} == {"Stowe"}
    with services.sessions() as db:
        (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "measures.export")).all()
        assert event.detail["format"] == "csv" and event.detail["from"] == "2026-07-01"
