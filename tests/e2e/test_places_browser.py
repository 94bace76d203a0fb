"""Places in a real headless Chromium: the dashboard's ward map and the chat's "Use my location" button
(geolocation granted to the page by Playwright over CDP), checked with axe and for CSP violations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.core.place_models import PlaceName
from tests.e2e.test_inbox_browser import ARGS, CHROMIUM, live, serious_violations, shot  # noqa: F401
from tests.factories import PASSWORD, cheap_password_hashing, make_report, make_staff
from tests.integration.places.conftest import load_open_data

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"headless Chromium not installed at {CHROMIUM}"
)
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def _browser(pw: Any, **context: Any) -> tuple[Any, Any]:
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", **context)
    ctx.add_init_script(CSP_LISTENER)
    return browser, ctx.new_page()


def test_the_dashboard_map_draws_the_wards_accessibly(live: Any) -> None:  # noqa: F811
    base, services = live
    load_open_data(services)
    with services.sessions() as db:
        email = make_staff(db, "triage").email
        make_report(db, ward="Stowe")
        make_report(db, ward="Curborough")
        db.commit()
    with playwright_api.sync_playwright() as pw:
        browser, page = _browser(pw)
        page.goto(f"{base}/staff/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{base}/staff/dashboard")
        assert page.locator("#ward-map path.ward").count() == 22
        assert page.locator("#ward-map path.ward.hotspot").count() == 2  # Chasetown and Stowe
        assert page.locator("#ward-map-table tbody tr").count() == 22
        box = page.locator("#ward-map").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 200
        shot(page, "places-dashboard-map")
        assert serious_violations(page) == []
        assert page.evaluate("window.__csp") == []
        browser.close()


def test_use_my_location_offers_the_nearest_street_from_the_keyboard(live: Any) -> None:  # noqa: F811
    base, services = live
    load_open_data(services)
    with services.sessions() as s:
        street = s.scalars(select(PlaceName).where(PlaceName.name == "Curborough Road")).one()
        here = {"latitude": street.latitude + 0.0001, "longitude": street.longitude}
    with playwright_api.sync_playwright() as pw:
        browser, page = _browser(pw, geolocation=here, permissions=["geolocation"])
        page.goto(f"{base}/chat")
        button = page.locator("#use-location")
        button.wait_for(state="visible")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.querySelectorAll('#log .turn.assistant').length > 0"
            " || !document.getElementById('problem').hidden"
        )
        assert page.locator("#problem").is_hidden(), page.locator("#problem-text").inner_text()
        assert "Is it near Curborough Road? 1 Yes 2 No, I'll type it" in page.locator("#log").inner_text()
        quick = page.locator("#quick-replies button")
        assert quick.all_inner_texts() == ["1 Yes", "2 No, I'll type it"]
        shot(page, "places-chat-location")
        assert serious_violations(page) == []
        quick.nth(1).focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'message'")
        assert "Please type the street" in page.locator("#log").inner_text()
        assert page.evaluate("window.__csp") == []
        browser.close()
