"""Imports of other agencies' data: police.uk street files and mapped CSVs, idempotent, with progress."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.core.models import ImportBatch, ImportedIncident, Report
from casework.insight.import_runs import run_import
from casework.insight.imports import (
    ColumnMapping,
    ImportFileError,
    check_generic,
    check_police_uk,
    generic_rows,
    parse_type_values,
    police_uk_rows,
    start_batch,
)
from tests.factories import cheap_password_hashing, make_staff
from tests.integration.staff.test_inbox_pages import csrf_from, sign_in

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "police_uk" / "2026-10-staffordshire-street.csv"


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def import_text(services, rows_for, text: str, source: str = "police.uk", chunk: int = 500) -> ImportBatch:  # type: ignore[no-untyped-def]
    """Run an import to the end as the web page does, returning the finished batch."""
    with services.sessions() as db:
        batch = start_batch(
            db,
            source=source,
            filename="upload.csv",
            total_rows=text.count("\n") - 1,
            created_by=None,
            now=services.clock.now(),
            actor="staff:1",
        )
        db.commit()
        batch_id = batch.id
    return run_import(
        services.sessions, batch_id=batch_id, rows=rows_for(text), now=services.clock.now, chunk=chunk
    )


def test_police_uk_file_imports_only_asb_rows_placed_in_wards(services):  # type: ignore[no-untyped-def]
    text = FIXTURE.read_text()
    check_police_uk(text)
    batch = import_text(services, lambda t: police_uk_rows(t, services.partnership), text)
    assert (batch.status, batch.total_rows, batch.processed_rows) == ("done", 10, 10)
    assert (batch.imported, batch.duplicates, batch.skipped) == (6, 0, 4)
    assert batch.skip_reasons == {"not anti-social behaviour": 3, "month missing or not YYYY-MM": 1}
    with services.sessions() as db:
        incidents = db.scalars(select(ImportedIncident).order_by(ImportedIncident.id)).all()
        assert [i.ward for i in incidents] == ["Stowe", "Stowe", "Stowe", "Stowe", "Chase Terrace", None]
        assert {i.source for i in incidents} == {"police.uk"}
        assert incidents[0].occurred_at == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)  # 1 Oct, BST
        assert len({i.source_id for i in incidents}) == 6  # two identical rows are two incidents
        assert db.scalars(select(Report)).all() == []  # never in the inbox


def test_importing_the_same_file_again_adds_nothing(services):  # type: ignore[no-untyped-def]
    text = FIXTURE.read_text()
    import_text(services, lambda t: police_uk_rows(t, services.partnership), text)
    again = import_text(services, lambda t: police_uk_rows(t, services.partnership), text)
    assert (again.imported, again.duplicates, again.skipped) == (0, 6, 4)
    with services.sessions() as db:
        assert len(db.scalars(select(ImportedIncident)).all()) == 6


def test_progress_is_committed_as_the_import_runs(services):  # type: ignore[no-untyped-def]
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
        "Last outcome category,Context\n"
    )
    rows = "".join(
        f",2026-10,Staffordshire Police,Staffordshire Police,,,On or near Bird Street {i},,,"
        "Anti-social behaviour,,\n"
        for i in range(25)
    )
    seen: list[int] = []

    def watching(text: str):  # type: ignore[no-untyped-def]
        for n, row in enumerate(police_uk_rows(text, services.partnership)):
            if n and n % 10 == 0:
                with services.sessions() as db:  # what the progress page reads, mid-import
                    seen.append(db.scalar(select(ImportBatch.processed_rows)))
            yield row

    batch = import_text(services, watching, header + rows, chunk=10)
    assert seen == [10, 20] and batch.processed_rows == 25 and batch.imported == 25


def test_a_file_that_is_not_from_police_uk_is_refused_naming_the_missing_columns():  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFileError, match="missing columns .*Crime type"):
        check_police_uk("Month,Location\n2026-10,Bird Street\n")


def test_a_landlords_file_imports_with_a_column_mapping(services):  # type: ignore[no-untyped-def]
    text = (
        "Case ID,Date reported,Category,Street\n"
        "B-1,03/10/2026 22:15,Noise complaint,Bird Street\n"
        "B-2,2026-10-04,Fly tipping,High Street (Chasetown)\n"
        "B-3,,Noise complaint,Bird Street\n"
        "B-4,31/02/2026,Noise complaint,Bird Street\n"
        "B-5,05/10/2026,Parking dispute,Nowhere Lane\n"
    )
    mapping = ColumnMapping(
        source="Bromford",
        date="Date reported",
        asb_type="Category",
        location="Street",
        id="Case ID",
        type_values=parse_type_values("Noise complaint = noise\nFly tipping = litter_flytipping"),
    )
    check_generic(text, mapping)
    batch = import_text(
        services, lambda t: generic_rows(t, mapping, services.partnership), text, source="Bromford"
    )
    assert (batch.imported, batch.skipped, batch.skip_reasons) == (
        3,
        2,
        {"no date": 1, "date not understood": 1},
    )
    with services.sessions() as db:
        got = [
            (i.source_id, i.asb_type, i.ward)
            for i in db.scalars(select(ImportedIncident).order_by(ImportedIncident.id))
        ]
    assert got == [
        ("B-1", "noise", "Stowe"),
        ("B-2", "litter_flytipping", "Chasetown"),
        ("B-5", "unspecified", None),
    ]
    again = import_text(
        services, lambda t: generic_rows(t, mapping, services.partnership), text, source="Bromford"
    )
    assert (again.imported, again.duplicates) == (0, 3)


def test_a_mapping_naming_a_column_the_file_lacks_is_refused():  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFileError, match="no column 'When'.*its columns are Date, Street"):
        check_generic("Date,Street\n2026-10-01,Bird Street\n", ColumnMapping(source="Council", date="When"))
    with pytest.raises(ImportFileError, match="not an ASB type code"):
        parse_type_values("Noise = loudness")


def test_upload_page_runs_the_import_and_shows_progress_and_summary(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    sign_in(client, email)
    token = csrf_from(client.get("/staff/imports").get_data(as_text=True))
    resp = client.post(
        "/staff/imports/police-uk",
        content_type="multipart/form-data",
        data={"csrf_token": token, "file": (io.BytesIO(FIXTURE.read_bytes()), "street.csv")},
    )
    assert resp.status_code == 303
    page_url = resp.headers["Location"]
    deadline = time.monotonic() + 20
    while "Finished." not in (page := client.get(page_url).get_data(as_text=True)):
        assert time.monotonic() < deadline, "import did not finish"
        time.sleep(0.1)
    assert '<progress id="progress" class="progress" max="10" value="10">' in page
    assert "not anti-social behaviour" in page
    dashboard = client.get("/staff/dashboard?from=2026-10-01&to=2026-11-18").get_data(as_text=True)
    assert "police.uk: 6" in dashboard


def test_uploading_something_else_says_why_and_imports_nothing(services, client):  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        db.commit()
    sign_in(client, email)
    token = csrf_from(client.get("/staff/imports").get_data(as_text=True))
    resp = client.post(
        "/staff/imports/police-uk",
        content_type="multipart/form-data",
        follow_redirects=True,
        data={"csrf_token": token, "file": (io.BytesIO(b"name,age\nA,3\n"), "people.csv")},
    )
    assert "not a police.uk street-level file" in resp.get_data(as_text=True)
    with services.sessions() as db:
        assert db.scalars(select(ImportBatch)).all() == []


def test_an_import_stopped_by_a_restart_is_shown_as_interrupted_with_what_to_do(services, client, clock):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    with services.sessions() as db:
        email = make_staff(db, "triage").email
        now = clock.now()
        for minutes_silent in (30, 1):  # one stopped long ago, one still storing progress
            db.add(
                ImportBatch(
                    source="police.uk",
                    filename=f"silent-{minutes_silent}.csv",
                    status="running",
                    total_rows=1000,
                    processed_rows=500,
                    skip_reasons={},
                    created_at=now - timedelta(minutes=40),
                    updated_at=now - timedelta(minutes=minutes_silent),
                )
            )
        db.commit()
    sign_in(client, email)
    client.get("/staff/imports")
    with services.sessions() as db:
        states = {b.filename: (b.status, b.skip_reasons) for b in db.scalars(select(ImportBatch))}
    status, reasons = states["silent-30.csv"]
    assert status == "failed" and any("upload the file again" in r for r in reasons)
    assert states["silent-1.csv"][0] == "running"
