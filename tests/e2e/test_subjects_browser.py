"""Subjects in a real headless Chromium: an officer records a person on one report, links them to another,
finds them on the Subjects page and reads their report history; axe finds no serious problem on any page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from casework.core.models import AuditEvent, ReportSubject
from tests.e2e.test_inbox_browser import (  # noqa: F401 (fixtures)
    _cheap_argon2,
    live,
    page,
    serious_violations,
    shot,
)
from tests.factories import PASSWORD, make_report, make_staff

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="headless Chromium not installed at /usr/bin/chromium"
)


def test_officer_records_links_and_finds_a_subject_accessibly(live, page):  # type: ignore[no-untyped-def]  # noqa: F811
    base, services = live
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        first = make_report(db, ward="Stowe", place_key="bird street lichfield", location_text="Bird Street")
        second = make_report(db, ward="Stowe", place_key="bird street lichfield", location_text="Bird Street")
        db.commit()
        email, ref1, ref2 = officer.email, first.reference, second.reference

    page.goto(f"{base}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/staff/inbox")

    page.goto(f"{base}/staff/reports/{ref1}")
    assert page.locator("#subjects-h").is_visible()
    page.check("input[name=kind][value=person]")
    page.fill("#subject-name", "Casey Lorne")
    page.fill("#subject-description", "Grey hoodie, rides a black e-scooter")
    page.fill("#subject-address", "14 Bird Street, Lichfield")
    page.click("#subject-record button[type=submit]")
    page.wait_for_selector("text=Recorded and linked S-")
    assert page.locator("#subjects-linked").inner_text().count("Casey Lorne") == 1
    assert serious_violations(page) == []
    shot(page, "subjects-report-section")

    # The second report at the same place suggests the subject; link it by its number.
    page.goto(f"{base}/staff/reports/{ref2}")
    with services.sessions() as db:
        number = db.scalar(select(ReportSubject.subject_id))
    assert f"S-{number}" in page.locator("#subject-link").inner_text()
    page.fill("#subject-id", f"S-{number}")
    page.click("#subject-link button[type=submit]")
    page.wait_for_selector(f"text=Linked S-{number}")
    assert serious_violations(page) == []

    page.click("nav >> text=Subjects")
    page.wait_for_url("**/staff/subjects")
    page.fill("#subjects-q", "scooter")
    page.click("button:has-text('Search')")
    page.wait_for_url("**q=scooter**")
    row = page.locator("#subjects-found tbody tr")
    assert row.count() == 1 and "repeat" in row.inner_text()
    assert "bird street lichfield" in page.locator("#repeat-locations").inner_text()
    assert serious_violations(page) == []
    shot(page, "subjects-search")

    row.locator("a").first.click()
    page.wait_for_url(f"**/staff/subjects/{number}")
    history = page.locator("#subject-reports").inner_text()
    assert ref1 in history and ref2 in history
    assert serious_violations(page) == []
    shot(page, "subject-page")

    # Unlink from the second report: it is gone from the history, the first stays.
    page.goto(f"{base}/staff/reports/{ref2}")
    page.click(f"button[aria-label='Unlink S-{number} from this report']")
    page.wait_for_selector(f"text=Unlinked S-{number}")
    page.goto(f"{base}/staff/subjects/{number}")
    history = page.locator("#subject-reports").inner_text()
    assert ref1 in history and ref2 not in history
    with services.sessions() as db:
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("subject.%"))).all()
    assert {"subject.create", "subject.link", "subject.unlink", "subject.search", "subject.view"} <= set(
        actions
    )
