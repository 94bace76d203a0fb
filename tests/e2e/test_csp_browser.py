"""The pages satisfy their own Content-Security-Policy in a real headless Chromium: no violation reported.

Chromium enforces the policy the app sends and reports every blocked inline script, style or fetch as a
`securitypolicyviolation` event; the test records them on every page a resident or an officer opens.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_inbox_browser import ARGS, CHROMIUM, live  # noqa: F401 - the live-server fixture
from tests.factories import PASSWORD, cheap_password_hashing, make_report, make_staff

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("pathlib").Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"
    ),
]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


def violations(page: Any) -> list[str]:
    """The CSP violations the page reported, plus console errors that name the policy."""
    return list(page.evaluate("window.__csp || []"))


def test_public_and_staff_pages_raise_no_csp_violation(live: Any) -> None:  # noqa: F811
    base, services = live
    with services.sessions() as db:
        officer = make_staff(db, "admin")
        make_report(db, ward="Stowe", asb_type="noise")
        db.commit()
        email = officer.email
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        found: dict[str, list[str]] = {}
        for path in ("/chat", "/privacy", "/stats", "/staff/login"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            found[path] = violations(page)
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_load_state("networkidle")
        for path in ("/staff/inbox", "/staff/dashboard", "/staff/imports", "/staff/admin/users"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            assert "/staff/login" not in page.url, path
            found[path] = violations(page)
        browser.close()
    assert {p: v for p, v in found.items() if v} == {}
    assert console == []
