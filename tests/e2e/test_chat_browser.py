"""The web chat in real headless Chromium against a live server: a resident completes a report to a
reference number, the conversation survives a reload, an outage loses nothing, and axe-core (vendored
from the npm registry, served by the webhook) finds no serious or critical violations.

Rasa: when E2E_RASA_URL points at a reachable Rasa (its action server calling this live webhook), the
real bot is used; otherwise a scripted stand-in HTTP server walks a report and files it through the real
`POST /api/v1/intake`. The screenshot is saved as test-artifacts/chat.png.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from casework.core.bootstrap import Services
from casework.core.clock import SystemClock
from casework.core.db import make_engine, make_session_factory
from casework.core.models import ChatTurn, Report
from casework.core.settings import load_settings
from tests.rasa_standin import RasaStandIn, ScriptedReport, running_rasa

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
REFERENCE = re.compile(r"ASB-[23456789A-HJKMNP-Z]{6}")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"headless Chromium not at {CHROMIUM}")


def real_rasa_url() -> str | None:
    """E2E_RASA_URL when a Rasa server answers there."""
    url = os.environ.get("E2E_RASA_URL")
    if not url:
        return None
    try:
        return url if requests.get(url.rstrip("/") + "/version", timeout=2).ok else None
    except requests.RequestException:
        return None


@dataclass
class Live:
    """A running webhook and the Rasa it talks to."""

    url: str
    services: Services
    rasa: RasaStandIn | None


@pytest.fixture
def live(tmp_path: Path, _sqlite_template: Path) -> Iterator[Live]:
    """The whole webhook app on a loopback port (fresh SQLite), relaying to Rasa or the stand-in."""
    from webhook import create_app

    path = tmp_path / "live.sqlite3"
    shutil.copy(_sqlite_template, path)
    db = f"sqlite:///{path}"
    settings = load_settings(
        DATABASE_URL=db,
        PARTNERSHIP="lichfield",
        PUBLIC_BASE_URL="http://127.0.0.1",
        SECRET_KEY="chat-browser-secret-0123456789",
        SENDER_ID_KEY="chat-browser-key-0123456",
        INTERNAL_API_TOKEN="chat-browser-internal-token-0123",
        RASA_TIMEOUT_SECONDS=5.0,
    )
    engine = make_engine(db)
    services = Services(
        settings=settings, engine=engine, sessions=make_session_factory(engine), clock=SystemClock()
    )
    server = make_server("127.0.0.1", 0, create_app({"TESTING": True}, services=services), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    settings.PUBLIC_BASE_URL = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        real = real_rasa_url()
        if real:
            settings.RASA_URL = real
            yield Live(base, services, None)
        else:
            with running_rasa(ScriptedReport(base, settings.INTERNAL_API_TOKEN)) as rasa:
                settings.RASA_URL = rasa.url
                yield Live(base, services, rasa)
    finally:
        server.shutdown()
        engine.dispose()


@pytest.fixture
def page(live: Live) -> Iterator[Any]:
    """A fresh Chromium page (phone-sized viewport: the page is mobile-first)."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        yield pg
        context.close()
        browser.close()


def assistant_lines(page: Any) -> list[str]:
    """The assistant's messages on the page."""
    return [
        t.strip().removeprefix("Assistant: ") for t in page.locator("#log .turn.assistant").all_inner_texts()
    ]


def send(page: Any, text: str) -> str:
    """Type a message, press Enter (keyboard only), wait for the assistant's answer and return it."""
    before = page.locator("#log .turn.assistant").count()
    page.fill("#message", text)
    page.press("#message", "Enter")
    page.wait_for_function("n => document.querySelectorAll('#log .turn.assistant').length > n", arg=before)
    page.wait_for_selector("#typing", state="hidden")
    return assistant_lines(page)[-1]


def choose(page: Any, title: str) -> str:
    """Pick a quick reply with the keyboard and return the assistant's answer."""
    before = page.locator("#log .turn.assistant").count()
    button = page.locator("#quick-replies").get_by_role("button", name=title)
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("n => document.querySelectorAll('#log .turn.assistant').length > n", arg=before)
    page.wait_for_selector("#typing", state="hidden")
    return assistant_lines(page)[-1]


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """Run the vendored axe-core (served by the webhook) and keep serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def drive_real_bot(page: Any) -> str:
    """Answer the real assistant's questions until it gives a reference (best effort, 20 turns)."""
    reply = send(page, "My neighbours play very loud music every night until 3am")
    for _ in range(20):
        if REFERENCE.search(reply):
            return reply
        buttons = page.locator("#quick-replies button").all_inner_texts()
        if buttons:
            preferred = [
                b for b in buttons if re.search(r"^(yes|send|it's happening to me|carry on)", b, re.I)
            ]
            reply = choose(page, (preferred or buttons)[0])
        elif re.search(r"where", reply, re.I):
            reply = send(page, "Stowe Street, Lichfield WS13 6AQ")
        elif re.search(r"when", reply, re.I):
            reply = send(page, "Last night, and it is still going on")
        else:
            reply = send(page, "yes")
    return reply


def test_a_resident_completes_a_report_to_a_reference_in_chromium(live: Live, page: Any) -> None:
    page.goto(live.url + "/chat")
    assert page.locator(".danger").inner_text().startswith("In danger now? Call 999")
    assert page.locator("#log").get_attribute("aria-live") == "polite"
    assert serious_violations(page) == []

    if live.rasa is None:
        final = drive_real_bot(page)
    else:
        # A slow turn shows the typing indicator while the resident waits.
        live.rasa.mode, live.rasa.slow_seconds = "slow", 1.0
        page.fill("#message", "My neighbours play very loud music every night until 3am")
        page.press("#message", "Enter")
        page.wait_for_selector("#typing", state="visible")
        page.wait_for_selector("#typing", state="hidden")
        live.rasa.mode = "up"
        assert "Where is it happening" in assistant_lines(page)[-1]
        assert "When did it happen" in send(page, "Stowe Street, Lichfield")
        assert "Is it happening to you" in send(page, "Last night and it's still going on")
        assert "Shall I send" in choose(page, "It's happening to me")

        # The conversation and its quick replies survive a reload.
        page.reload()
        page.wait_for_function("() => document.querySelectorAll('#log .turn').length >= 8")
        assert page.locator("#log .turn.resident").last.inner_text().endswith("It's happening to me")
        assert serious_violations(page) == []

        # The assistant goes down: the message is kept, the resident can try again.
        live.rasa.mode = "down"
        page.locator("#quick-replies").get_by_role("button", name="Yes, send it").click()
        page.wait_for_selector("#problem", state="visible")
        assert "kept" in page.locator("#problem-text").inner_text()
        assert page.locator("#log .turn.resident.unsent").count() == 1
        live.rasa.mode = "up"
        page.locator("#retry").click()
        page.wait_for_function("() => document.body.innerText.includes('Your reference is')")
        final = assistant_lines(page)[-1]

    match = REFERENCE.search(final)
    assert match, final
    reference = match.group(0)
    page.wait_for_selector("#problem", state="hidden")
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
    assert serious_violations(page) == []

    if live.rasa is not None:
        with live.services.sessions() as s:
            report = s.scalars(select(Report).where(Report.reference == reference)).one()
            sender = report.conversation_id
            turns = s.scalars(
                select(ChatTurn).where(ChatTurn.sender_id == sender).order_by(ChatTurn.id)
            ).all()
        assert report.channel == "web" and report.asb_type == "noise"
        assert report.description == "My neighbours play very loud music every night until 3am"
        assert sender is not None and sender.startswith("web-")
        # The staff transcript has both sides, the chosen buttons by their titles, nothing twice.
        resident = [t.text for t in turns if t.speaker == "resident"]
        assert resident == [
            "My neighbours play very loud music every night until 3am",
            "Stowe Street, Lichfield",
            "Last night and it's still going on",
            "It's happening to me",
            "Yes, send it",
        ]
        assert reference in turns[-1].text
        # The Rasa stand-in only ever saw the opaque cookie id.
        assert {c["sender"] for c in live.rasa.calls} == {sender}


def test_the_chat_is_usable_with_the_keyboard_alone(live: Live, page: Any) -> None:
    page.goto(live.url + "/chat")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the message box"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "message"
    # Focus is visible: the focused box has an outline.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type("Kids on motorbikes on the field")
    page.keyboard.press("Enter")
    page.wait_for_selector("#log .turn.assistant")
    assert page.evaluate("document.activeElement.id") == "message"


def test_the_privacy_notice_is_linked_and_readable(live: Live, page: Any) -> None:
    page.goto(live.url + "/chat")
    page.get_by_role("link", name=re.compile("privacy notice")).click()
    page.wait_for_url("**/privacy")
    assert page.get_by_role("heading", name="How long we keep it").is_visible()
    assert serious_violations(page) == []
