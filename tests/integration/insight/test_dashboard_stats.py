"""The partnership's picture: dashboard figures, the viewer's ward limit, and the public /stats page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from casework.core.models import ImportBatch, ImportedIncident, SurveyResponse
from casework.insight.public_figures import public_stats
from casework.insight.stats import Period, build_dashboard
from casework.staff.access import Actor
from tests.factories import NOW, cheap_password_hashing, make_contact, make_report, make_staff
from tests.integration.staff.test_inbox_pages import sign_in

TRIAGE = Actor(user_id=1, role="triage")
PERIOD = Period(date(2026, 6, 1), date(2026, 11, 18))


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def imported(db, source: str, ward: str | None, n: int, when: datetime) -> None:  # type: ignore[no-untyped-def]
    """n imported incidents from a source."""
    batch = ImportBatch(source=source, filename="f.csv", status="done", created_at=NOW)
    db.add(batch)
    db.flush()
    for i in range(n):
        db.add(
            ImportedIncident(
                batch_id=batch.id,
                source=source,
                source_id=f"{source}-{ward}-{when:%Y%m}-{i}",
                asb_type="unspecified",
                ward=ward,
                occurred_at=when,
                created_at=NOW,
            )
        )
    db.flush()


def dashboard(services, actor=TRIAGE, period=PERIOD):  # type: ignore[no-untyped-def]
    """The dashboard as the given actor sees it."""
    p = services.partnership
    with services.sessions() as db:
        return build_dashboard(
            db,
            actor=actor,
            period=period,
            now=NOW,
            hotspot_wards=p.hotspot_wards,
            ward_names=[w.name for w in p.wards],
        )


def test_wards_and_types_combine_reports_and_imported_incidents_labelled_by_source(services):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        for _ in range(3):
            make_report(db, ward="Stowe", asb_type="noise")
        make_report(db, ward="Chadsmead", asb_type="graffiti")
        imported(db, "police.uk", "Stowe", 4, datetime(2026, 10, 1, tzinfo=UTC))
        imported(db, "Bromford", "Chadsmead", 2, datetime(2026, 10, 1, tzinfo=UTC))
        imported(db, "police.uk", "Stowe", 9, datetime(2025, 1, 1, tzinfo=UTC))  # outside the period
        db.commit()
    d = dashboard(services)
    assert (d.reports, d.imported, d.by_source) == (4, 6, {"reports": 4, "Bromford": 2, "police.uk": 4})
    stowe = next(r for r in d.by_ward if r.key == "Stowe")
    assert (stowe.total, stowe.by_source, stowe.highlight) == (7, {"reports": 3, "police.uk": 4}, True)
    assert not next(r for r in d.by_ward if r.key == "Chadsmead").highlight
    assert [(r.label, r.total) for r in d.by_type] == [
        ("Type not recorded", 6),
        ("Noise", 3),
        ("Graffiti or fly-posting", 1),
    ]


def test_heatmap_and_weeks_are_in_uk_time(services):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        # Wed 1 July 2026 20:30 UTC is 21:30 in London (BST); Wed 18 November 10:00 UTC is 10:00 GMT.
        make_report(db, created_at=datetime(2026, 7, 1, 20, 30, tzinfo=UTC))
        make_report(db, created_at=NOW)
        # Sunday 8 November 23:30 UTC: Sunday night in London, the week starting Monday 2 November.
        make_report(db, created_at=datetime(2026, 11, 8, 23, 30, tzinfo=UTC))
        # The behaviour happened on Saturday night, reported on Monday: the heatmap shows when it happened.
        make_report(
            db,
            created_at=datetime(2026, 11, 16, 9, 0, tzinfo=UTC),
            occurred_at=datetime(2026, 11, 14, 23, 0, tzinfo=UTC),
        )
        db.commit()
    d = dashboard(services)
    cells = {(day, hour): n for day, row in enumerate(d.heatmap) for hour, n in enumerate(row) if n}
    assert cells == {(2, 21): 1, (2, 10): 1, (6, 23): 1, (5, 23): 1}
    weeks = dict(d.weekly)
    assert weeks[date(2026, 11, 2)] == 1 and weeks[date(2026, 11, 16)] == 2 and weeks[date(2026, 6, 29)] == 1
    assert list(weeks)[0] == date(2026, 6, 1) and sum(weeks.values()) == 4


def test_the_seeds_measures(services):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        victim = make_contact(db)
        created = NOW - timedelta(days=10)
        a = make_report(
            db,
            contact_id=victim.id,
            repeat_victim_count=1,
            created_at=created,
            status="closed",
            first_response_at=created + timedelta(hours=2),
            due_at=created + timedelta(days=5),
            place_key="bird street",
            repeat_location_count=3,
        )
        make_report(
            db,
            contact_id=victim.id,
            repeat_victim_count=2,
            created_at=created,
            first_response_at=created + timedelta(hours=10),
            due_at=created + timedelta(hours=5),
            place_key="bird street",
            repeat_location_count=4,
            case_review_eligible=True,
        )
        make_report(db, created_at=created, place_key="dam street")  # no response yet
        db.add_all(
            [
                SurveyResponse(report_id=a.id, survey="1m", score=5, created_at=NOW),
                SurveyResponse(report_id=make_report(db).id, survey="1m", score=2, created_at=NOW),
                SurveyResponse(report_id=a.id, survey="6m", score=4, created_at=NOW),
            ]
        )
        db.commit()
    d = dashboard(services)
    assert (d.reports, d.resolved, d.resolved_share) == (4, 1, 25.0)
    assert (d.median_first_response_hours, d.responded, d.within_target, d.within_target_share) == (
        6.0,
        2,
        1,
        50.0,
    )
    assert (d.repeat_victims, d.repeat_locations, d.case_reviews) == (1, 1, 1)
    assert d.satisfaction == {
        "1m": {"responses": 2, "average": 3.5, "satisfied_share": 50.0},
        "6m": {"responses": 1, "average": 4.0, "satisfied_share": 100.0},
    }


def test_a_ward_councillor_sees_only_their_wards(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        councillor = make_staff(db, "viewer", wards=["Stowe"])
        make_report(db, ward="Stowe")
        make_report(db, ward="Chasetown")
        imported(db, "police.uk", "Chasetown", 3, datetime(2026, 10, 1, tzinfo=UTC))
        db.commit()
    d = dashboard(services, Actor(user_id=councillor.id, role="viewer", wards=("Stowe",)))
    assert (d.reports, d.imported, [r.key for r in d.by_ward]) == (1, 0, ["Stowe"])
    sign_in(client, councillor.email)
    page = client.get("/staff/dashboard").get_data(as_text=True)
    assert "The picture of ASB in Stowe" in page
    assert '<th scope="row">Stowe (hotspot)</th>' in page and '<th scope="row">Chasetown' not in page


OCTOBER = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)  # in the last complete month before NOW


def test_public_stats_suppress_small_counts_and_show_no_personal_data(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        for i in range(12):
            make_report(
                db,
                ward="Stowe",
                asb_type="noise",
                status="closed" if i < 6 else "open",
                closed_at=OCTOBER + timedelta(days=1) if i < 6 else None,
                description="Mrs Smith at 4 Bird Street",
                created_at=OCTOBER,
            )
        for _ in range(6):
            make_report(db, ward="Chasetown", asb_type="graffiti", created_at=OCTOBER)
        for _ in range(2):
            make_report(db, ward="Chadsmead", asb_type="noise", created_at=OCTOBER)
        db.commit()
        figures = public_stats(db, now=NOW)
    assert figures.total == 20 and figures.resolved_share == 30.0
    assert [(c.label, c.count) for c in figures.by_ward] == [
        ("Stowe", 12),
        ("Chasetown", None),
        ("Chadsmead", None),
    ]
    assert [(c.label, c.count) for c in figures.by_type] == [("Noise", 14), ("Graffiti or fly-posting", 6)]
    october = next(c for c in figures.by_month if c.label == "October 2026")
    assert (october.count, october.resolved_share) == (20, 30.0)
    resp = client.get("/stats")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "fewer than 5" in page and "Smith" not in page and "Bird Street" not in page and "ASB-" not in page


def test_public_stats_cover_complete_months_only_so_a_new_report_cannot_be_spotted(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        for _ in range(10):
            make_report(db, ward="Stowe", asb_type="noise", created_at=OCTOBER)
        db.commit()
    before = client.get("/stats").get_data(as_text=True)
    assert "up to 31 October 2026" in before and "November 2026" not in before
    with services.sessions() as db:  # a report filed this month, in a ward and of a type seen nowhere else
        make_report(db, ward="Chadsmead", asb_type="graffiti", created_at=NOW - timedelta(minutes=5))
        db.commit()
    after = client.get("/stats").get_data(as_text=True)
    assert after == before
    with services.sessions() as db:
        figures = public_stats(db, now=NOW)
    assert figures.total == 10 and figures.period.end == date(2026, 10, 31)
    assert figures.period.start == date(2025, 11, 1)
