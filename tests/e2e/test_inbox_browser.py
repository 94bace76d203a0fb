"""The inbox in a real headless Chromium against a live server: sign in, filter, open a report, post a public
update and see its text queued; a description containing <script> shows as text. Screenshots are saved in
test-artifacts/.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from casework.core.bootstrap import Services
from casework.core.db import make_engine, make_session_factory
from casework.core.models import OutboxMessage
from casework.core.settings import load_settings
from tests.factories import PASSWORD, cheap_password_hashing, make_contact, make_report, make_staff

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"headless Chromium not installed at {CHROMIUM}"
)


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


@pytest.fixture
def live(tmp_path: Path, _sqlite_template: Path, clock) -> Iterator[tuple[str, Services]]:  # type: ignore[no-untyped-def]
    """The whole webhook app served on a loopback port, on a fresh SQLite database."""
    from webhook import create_app

    path = tmp_path / "live.sqlite3"
    shutil.copy(_sqlite_template, path)
    url = f"sqlite:///{path}"
    settings = load_settings(
        DATABASE_URL=url,
        PARTNERSHIP="lichfield",
        PUBLIC_BASE_URL="http://127.0.0.1",
        SECRET_KEY="browser-test-secret-key-0123",
        INTERNAL_API_TOKEN="browser-test-token-0123",
        SENDER_ID_KEY="browser-test-sender-key-0123",
    )
    engine = make_engine(url)
    services = Services(settings=settings, engine=engine, sessions=make_session_factory(engine), clock=clock)
    app = create_app({"TESTING": True}, services=services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", services
    finally:
        server.shutdown()
        thread.join(timeout=5)
        engine.dispose()


@pytest.fixture
def page():  # type: ignore[no-untyped-def]
    """A Chromium page; any JavaScript dialog (an injected alert) fails the test."""
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        pg = context.new_page()
        dialogs: list[str] = []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        yield pg
        browser.close()
        assert dialogs == [], f"a script ran in the page: {dialogs}"


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_violations(pg) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Serious and critical accessibility violations found by the vendored axe-core."""
    if not pg.evaluate("typeof window.axe !== 'undefined'"):
        pg.add_script_tag(url="/static/vendor/axe.min.js")
    result = pg.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def shot(pg, name: str) -> None:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_officer_filters_opens_a_report_and_posts_a_public_update_that_queues_a_text(live, page):  # type: ignore[no-untyped-def]
    base, services = live
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        contact = make_contact(db, phone="+447700900555")
        target = make_report(
            db,
            ward="Stowe",
            asb_type="rowdy_behaviour",
            contact_id=contact.id,
            description="Group outside <script>alert('xss')</script> the pub every Friday",
            lead_agency="staffs-police",
            risk_level="high",
        )
        make_report(db, ward="Chasetown", asb_type="noise")
        make_report(db, ward="Chasetown", asb_type="graffiti")
        db.commit()
        email, reference, report_id = officer.email, target.reference, target.id

    page.goto(f"{base}/staff/inbox")
    assert "/staff/login" in page.url  # signed-out staff are sent to sign in
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/staff/inbox")
    assert page.locator("table.inbox tbody tr").count() == 3
    shot(page, "inbox-list")

    page.select_option("#f-ward", "Stowe")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**ward=Stowe**")
    rows = page.locator("table.inbox tbody tr")
    assert rows.count() == 1
    assert "High risk" in rows.first.inner_text()
    shot(page, "inbox-filtered")
    assert serious_violations(page) == []

    page.click(f"text={reference}")
    page.wait_for_url(f"**/staff/reports/{reference}")
    description = page.locator("dd.description")
    assert description.inner_text() == "Group outside <script>alert('xss')</script> the pub every Friday"
    assert page.locator("dd.description script").count() == 0
    preview = page.locator("#status-form .sms-preview").inner_text()
    assert f"Ref {reference}: there is an update on your report." in preview and "segment" in preview

    page.select_option("#status", "in_progress")
    page.check("input[name=visibility][value=public]")
    page.fill("#message", "An officer will patrol the area this Friday evening.")
    page.click("#status-form button:has-text('Save')")
    page.wait_for_selector(".flash-ok")
    assert "Status changed to In progress" in page.locator(".flash-ok").inner_text()
    texts = page.locator("#texts tbody tr")
    assert texts.count() == 1
    row = texts.first.inner_text()
    assert "status_update" in row and "pending" in row and f"Ref {reference}" in row
    assert "patrol" not in row  # the text never carries the update's wording
    assert "An officer will patrol the area" in page.locator("ol.timeline").inner_text()
    shot(page, "report-after-public-update")
    assert serious_violations(page) == []

    with services.sessions() as db:
        queued = db.scalars(
            select(OutboxMessage).where(OutboxMessage.report_id == report_id, OutboxMessage.kind == "sms")
        ).all()
        assert [(m.purpose, m.status, m.recipient) for m in queued] == [
            ("status_update", "pending", "+447700900555")
        ]


def test_dashboard_renders_charts_from_local_assets(live, page):  # type: ignore[no-untyped-def]
    base, services = live
    with services.sessions() as db:
        viewer = make_staff(db, "viewer")
        for ward in ("Stowe", "Stowe", "Chasetown", "Boney Hay"):
            make_report(db, ward=ward)
        db.commit()
        email = viewer.email
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/staff/dashboard")
    assert page.locator("#m-reports").inner_text() == "4"
    assert page.locator("svg[role=img]").count() == 4
    shot(page, "dashboard")
    assert serious_violations(page) == []
    assert all(u.startswith(base) for u in requests), [u for u in requests if not u.startswith(base)]


def test_police_uk_upload_shows_progress_then_its_summary(live, page):  # type: ignore[no-untyped-def]
    base, services = live
    with services.sessions() as db:
        officer = make_staff(db, "triage")
        db.commit()
        email = officer.email
    fixture = Path(__file__).resolve().parents[1] / "fixtures/police_uk/2026-10-staffordshire-street.csv"
    page.goto(f"{base}/staff/login?next=/staff/imports")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/staff/imports")
    page.set_input_files("#pu-file", str(fixture))
    page.click("form:has(#pu-file) button:has-text('Import')")
    page.wait_for_selector("#import-state:has-text('Finished.')", timeout=20_000)
    assert page.locator("#progress").get_attribute("value") == "10"
    summary = page.locator("#summary").inner_text()
    assert "Imported\t6" in summary and "not anti-social behaviour\t3" in summary
    shot(page, "import-summary")
