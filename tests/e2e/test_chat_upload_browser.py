"""The web chat's photo button in real headless Chromium: reached and used with the keyboard alone, a
progress bar while sending, the photo stored without its GPS, a zip refused with a clear reason, no CSP
violations, and axe-core finding no serious or critical problems. Screenshot: test-artifacts/chat-upload.png.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from casework.core.models import EvidenceFile
from casework.evidence import LocalStorage
from tests import media_samples as samples
from tests.e2e.test_chat_browser import ARTIFACTS, Live, serious_violations
from tests.e2e.test_chat_browser import live as live  # noqa: F401 - the live server fixture
from tests.e2e.test_chat_browser import page as page  # noqa: F401 - the Chromium page fixture
from tests.e2e.test_chat_browser import pytestmark as pytestmark


def test_a_resident_sends_a_photo_from_the_keyboard_and_a_zip_is_refused(
    live: Live,  # noqa: F811
    page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    live.services.settings.MEDIA_DIR = str(tmp_path / "media")
    csp_problems: list[str] = []
    page.on("console", lambda m: csp_problems.append(m.text) if "Content Security Policy" in m.text else None)
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(samples.jpeg_with_gps(size=(2400, 1800)))
    archive = tmp_path / "photos.zip"
    archive.write_bytes(samples.zip_file())

    # Answer the file picker as a resident would (registered first, so the picker is always intercepted).
    to_pick: list[Path] = []
    page.on("filechooser", lambda chooser: chooser.set_files(str(to_pick.pop(0))))
    page.goto(live.url + "/chat")
    assert serious_violations(page) == []
    page.focus("#message")
    # Tab on from the message box (past Send and Use my location) until the attach button has the focus.
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "attach":
            break
    assert page.evaluate("document.activeElement.id") == "attach"
    to_pick.append(photo)
    page.keyboard.press("Enter")

    page.wait_for_selector("#upload-status:text-is('Sent.')")
    assert page.evaluate("document.getElementById('upload-progress').value") == 100
    assert not page.is_visible("#upload-progress"), "the progress bar goes once the file is sent"
    assert "Thanks, we have your photo" in page.inner_text("#turns")
    with live.services.sessions() as s:
        (row,) = s.scalars(select(EvidenceFile)).all()
    stored = LocalStorage(live.services.settings.MEDIA_DIR).get(row.storage_key or "")
    assert row.status == "stored" and dict(Image.open(io.BytesIO(stored)).getexif()) == {}

    to_pick.append(archive)
    page.click("#attach")
    page.wait_for_selector("#upload-status:has-text('could not accept')")
    assert "we can only accept photos" in page.inner_text("#upload-status")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-upload.png"), full_page=True)
    assert serious_violations(page) == []
    assert csp_problems == []
