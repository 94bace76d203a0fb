"""Case Reviews, interventions and the performance page in a real headless Chromium, checked with axe."""

from __future__ import annotations

from sqlalchemy import select

from casework.core.models import CaseReviewApplication, Intervention, OutboxMessage
from tests.e2e import test_inbox_browser as inbox
from tests.e2e.test_inbox_browser import serious_violations, shot
from tests.factories import PASSWORD, make_contact, make_report, make_staff

# The inbox browser tests' harness: a live server on SQLite, a Chromium page, cheap password hashing.
live = inbox.live
page = inbox.page
_cheap_argon2 = inbox._cheap_argon2
pytestmark = inbox.pytestmark


def _sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/staff/inbox")


def test_officer_records_a_case_review_and_moves_it_through_its_first_steps(live, page):  # type: ignore[no-untyped-def]
    base, services = live
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        contact = make_contact(db, phone="+447700900777")
        report = make_report(db, contact_id=contact.id)
        db.commit()
        email, reference = officer.email, report.reference
    _sign_in(page, base, email)
    page.click("nav >> text=Case Reviews")
    page.wait_for_url("**/staff/case-reviews")
    assert "No Case Review applications" in page.inner_text("#case-reviews")
    assert serious_violations(page) == []
    page.fill("#report_reference", reference)
    page.select_option("#channel", "phone")
    page.click("button:has-text('Record application')")
    page.wait_for_url("**/staff/case-reviews/CR-*")
    assert "Applied" in page.inner_text("h1")
    assert serious_violations(page) == []
    shot(page, "case-review-applied")
    page.check("#step-decide input[name=met][value=yes]")
    page.fill("#text-decide", "Three reports in six months about the same problem.")
    page.click("#step-decide button")
    page.wait_for_load_state()
    assert "Threshold met" in page.inner_text("h1")
    page.fill("#meeting_date", "2026-11-25")
    page.click("#step-schedule_meeting button")
    page.wait_for_load_state()
    assert "Review meeting" in page.inner_text("h1")
    assert "Wednesday 25 November" in page.inner_text("#cr-texts")
    assert serious_violations(page) == []
    shot(page, "case-review-meeting")
    with services.sessions() as db:
        review = db.scalars(select(CaseReviewApplication)).one()
        assert review.state == "review_meeting" and review.channel == "phone"
        purposes = db.scalars(select(OutboxMessage.purpose).order_by(OutboxMessage.id)).all()
        assert purposes == ["cr_received", "cr_decision", "cr_meeting"]
    page.goto(f"{base}/staff/case-reviews")
    assert review.reference in page.inner_text("#case-reviews")


def test_officer_records_an_intervention_on_the_report_page(live, page):  # type: ignore[no-untyped-def]
    base, services = live
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        report = make_report(db)
        db.commit()
        email, reference = officer.email, report.reference
    _sign_in(page, base, email)
    page.goto(f"{base}/staff/reports/{reference}")
    assert "None recorded." in page.inner_text("#interventions")
    page.select_option("#i-kind", "abc")
    page.select_option("#i-agency", "ldc")
    page.fill("#i-outcome", "ABC signed for six months.")
    page.click("button:has-text('Record intervention')")
    page.wait_for_load_state()
    table = page.inner_text("#interventions-table")
    assert "Acceptable Behaviour Contract" in table and "preventative" in table and "ABC signed" in table
    assert serious_violations(page) == []
    shot(page, "report-interventions")
    with services.sessions() as db:
        assert db.scalars(select(Intervention.kind)).all() == ["abc"]


def test_performance_page_picks_a_quarter_and_offers_the_same_figures_as_csv(live, page):  # type: ignore[no-untyped-def]
    base, services = live
    with services.sessions() as db:
        viewer = make_staff(db, "viewer")
        for _ in range(3):
            make_report(db)
        db.commit()
        email = viewer.email
    page.goto(f"{base}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    page.goto(f"{base}/staff/performance")
    assert "quarter 2026-27-Q3" in page.inner_text("main")
    assert page.inner_text("td[data-measure='Reports received']").strip() == "3"
    assert serious_violations(page) == []
    shot(page, "performance")
    page.select_option("#quarter", "2026-27-Q2")
    page.click("button:has-text('Show quarter')")
    page.wait_for_url("**quarter=2026-27-Q2")
    assert page.inner_text("td[data-measure='Reports received']").strip() == "0"
    with page.expect_download() as download:
        page.click("#csv-link")
    assert download.value.suggested_filename == "asb-measures-20260701-20260930.csv"
