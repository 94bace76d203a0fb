"""POST /chat/upload: the web chat's photo button, with the chat's cookie and cross-site rules, its own
size limit, an hourly limit, and the same checks as MMS."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from casework.conversation import web_sender_id
from casework.conversation.web_upload import UPLOADS_PER_HOUR
from casework.core.bootstrap import Services
from casework.core.models import ChatTurn, EvidenceFile, OutboxMessage
from casework.evidence import LocalStorage
from tests import media_samples as samples
from tests.factories import make_report

SITE = "https://asb.example.org"
SAME = {"Origin": SITE, "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {"MEDIA_DIR": str(tmp_path / "media")}


def upload(client, data: bytes, *, name: str = "IMG_0001.jpg", headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        "/chat/upload",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=headers if headers is not None else SAME,
        base_url=SITE,
    )


def files(services: Services) -> list[EvidenceFile]:
    with services.sessions() as s:
        return list(s.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))


def test_an_upload_is_cleaned_kept_and_joins_the_chats_open_report(client, services: Services) -> None:
    first = upload(client, samples.jpeg_with_gps())
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert first.get_json() == [
        {"text": "Thanks, we have your photo. It will be kept with the report you make in this chat."}
    ]
    cookie = client.get_cookie("asb_chat", domain="asb.example.org", path="/chat")
    assert cookie is not None and cookie.http_only
    sender = web_sender_id(cookie.value, services.settings.SENDER_ID_KEY)
    with services.sessions() as s, s.begin():
        reference = make_report(s, conversation_id=sender, channel="web", lead_agency="ldc").reference

    second = upload(client, samples.png(), name="../../secret-name.png")

    assert second.get_json() == [
        {"text": f"Thanks, we have your photo. It is kept with your report {reference}."}
    ]
    waiting, attached = files(services)
    assert waiting.report_id is None and attached.report_id is not None
    assert all(
        f.sender_id == sender and f.channel == "web" and f.status == "stored" for f in (waiting, attached)
    )
    assert "secret-name" not in (attached.storage_key or "")
    stored = LocalStorage(services.settings.MEDIA_DIR).get(waiting.storage_key or "")
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}
    with services.sessions() as s:
        turns = [
            t.text
            for t in s.scalars(select(ChatTurn).where(ChatTurn.sender_id == sender).order_by(ChatTurn.id))
        ]
        update = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "referral_evidence")).one()
    assert turns[0] == "[photo sent]" and len(turns) == 4
    assert f"/staff/reports/{reference}/files/{attached.id}" in update.body


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (samples.zip_file(), "we can only accept photos"),
        (samples.pdf(), "we can only accept photos"),
        (samples.exe(), "we can only accept photos"),
    ],
    ids=["zip", "pdf", "program"],
)
def test_other_files_are_refused_with_a_clear_reason(
    client, services: Services, data: bytes, reason: str
) -> None:
    resp = upload(client, data, name="photo.jpg")
    assert resp.status_code == 422
    assert resp.get_json()["error"].startswith(f"Sorry, we could not accept that file: {reason}")
    assert files(services) == []


def test_a_30_mb_video_is_refused_by_this_routes_own_limit(client, services: Services) -> None:
    resp = upload(client, samples.mp4(30 * 1024 * 1024), name="clip.mp4")
    assert resp.status_code == 413
    assert "limit is 20 MB" in resp.get_json()["error"]
    assert files(services) == []


def test_a_short_clip_under_the_limit_is_accepted_while_messages_keep_their_small_limit(
    client, services: Services
) -> None:
    resp = upload(client, samples.mp4(3 * 1024 * 1024), name="clip.mp4")
    assert resp.status_code == 200 and "video" in resp.get_json()[0]["text"]
    big_message = client.post(
        "/chat/messages",
        data=b"x" * (2 * 1024 * 1024),
        content_type="application/json",
        headers=SAME,
        base_url=SITE,
    )
    assert big_message.status_code == 413


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example.com", "Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}],
)
def test_cross_site_uploads_are_refused(client, services: Services, headers: dict[str, str]) -> None:
    assert upload(client, samples.png(), headers=headers).status_code == 403
    assert files(services) == []


def test_a_post_without_a_file_says_what_to_send(client) -> None:
    resp = client.post("/chat/upload", data={}, headers=SAME, base_url=SITE)
    assert resp.status_code == 400 and "multipart/form-data" in resp.get_json()["error"]


def test_uploads_are_limited_per_chat_per_hour(client, services: Services) -> None:
    for _ in range(UPLOADS_PER_HOUR):
        assert upload(client, samples.png()).status_code == 200
    limited = upload(client, samples.png())
    assert limited.status_code == 429 and "wait an hour" in limited.get_json()["error"]
    assert len(files(services)) == UPLOADS_PER_HOUR
