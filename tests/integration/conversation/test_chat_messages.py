"""POST /chat/messages and GET /chat/history over HTTP, with a real local server standing in for Rasa."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.core.models import ChatTurn, Contact
from tests.rasa_standin import RasaStandIn, running_rasa

SITE = "https://asb.example.org"


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    """Rasa's REST channel, stood in by a local HTTP server."""
    with running_rasa() as server:
        yield server


@pytest.fixture
def settings_overrides(rasa: RasaStandIn) -> dict[str, object]:
    """Point the webhook at the stand-in Rasa."""
    return {"RASA_URL": rasa.url, "RASA_TIMEOUT_SECONDS": 5.0}


def say(client, message: Any, *, sender: str = "anything", headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Post as the chat page does (same-origin fetch, JSON)."""
    base = {"Origin": SITE, "Sec-Fetch-Site": "same-origin"}
    return client.post(
        "/chat/messages",
        json={"sender": sender, "message": message},
        headers={**base, **(headers or {})},
        base_url=SITE,
    )


def test_the_contract_is_a_json_list_of_text_and_buttons(client, rasa):
    rasa.reply = lambda s, m, md: [
        {"recipient_id": s, "text": "Hello."},
        {"recipient_id": s, "text": "Is it now?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
        {"recipient_id": s, "image": "https://example.org/x.png"},
    ]
    resp = say(client, "hi")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.get_json() == [
        {"text": "Hello."},
        {"text": "Is it now?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
    ]
    assert rasa.calls[0]["metadata"] == {"channel": "web"}


def test_the_sender_comes_from_an_httponly_samesite_cookie_not_the_body(client, rasa):
    first = say(client, "hello", sender="web-victim-id-I-guessed")
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
    say(client, "again", sender="someone-else")
    senders = {c["sender"] for c in rasa.calls}
    assert len(senders) == 1
    (sender,) = senders
    assert sender.startswith("web-") and "guessed" not in sender and "someone" not in sender


def test_two_browsers_are_two_conversations(app, rasa):
    a, b = app.test_client(), app.test_client()
    say(a, "from a")
    say(b, "from b")
    assert len({c["sender"] for c in rasa.calls}) == 2
    history_a = a.get("/chat/history", base_url=SITE).get_json()
    assert [t["text"] for t in history_a] == ["from a", "You said: from a"]


def test_the_conversation_survives_a_reload(client, rasa, services):
    rasa.reply = lambda s, m, md: [{"text": "Where?", "buttons": [{"title": "Near me", "payload": "/near"}]}]
    say(client, "noise")
    page = client.get("/chat", base_url=SITE)
    assert page.status_code == 200
    history = client.get("/chat/history", base_url=SITE).get_json()
    assert history == [
        {"speaker": "resident", "text": "noise"},
        {"speaker": "assistant", "text": "Where?", "buttons": [{"title": "Near me", "payload": "/near"}]},
    ]
    # Choosing the button sends its payload; the transcript shows what the resident chose.
    say(client, "/near")
    assert rasa.messages() == ["noise", "/near"]
    assert client.get("/chat/history", base_url=SITE).get_json()[2] == {
        "speaker": "resident",
        "text": "Near me",
    }
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Contact).where(Contact.channel == "web")) == 1


def test_a_new_visitor_has_an_empty_history(client):
    assert client.get("/chat/history", base_url=SITE).get_json() == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example.com", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example.com"},
        {"Sec-Fetch-Site": "cross-site", "Origin": SITE},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
    ],
)
def test_cross_site_posts_are_refused(client, rasa, services, headers):
    resp = client.post(
        "/chat/messages", json={"sender": "x", "message": "hi"}, headers=headers, base_url=SITE
    )
    assert resp.status_code == 403
    assert rasa.calls == []
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ChatTurn)) == 0


def test_a_form_post_is_refused_json_is_required(client, rasa):
    resp = client.post(
        "/chat/messages", data={"sender": "x", "message": "hi"}, headers={"Origin": SITE}, base_url=SITE
    )
    assert resp.status_code == 415 and rasa.calls == []


@pytest.mark.parametrize("body", [[], {"sender": "x"}, {"message": 5}, "hello"])
def test_a_malformed_body_is_a_400_naming_the_shape(client, rasa, body):
    resp = client.post("/chat/messages", json=body, headers={"Origin": SITE}, base_url=SITE)
    assert resp.status_code == 400 and "message" in resp.get_json()["error"]


@pytest.mark.parametrize(
    "message,expected",
    [("   ", "empty"), ("x" * 2001, "longer than 2000"), ("\ufffd\ufffd\ufffd", "could not be read")],
)
def test_unusable_messages_get_a_clear_error(client, rasa, message, expected):
    resp = say(client, message)
    assert resp.status_code == 400 and expected in resp.get_json()["error"]
    assert rasa.calls == []


def test_assistant_unavailable_keeps_the_text_and_a_retry_does_not_duplicate_it(client, rasa, services):
    rasa.mode = "down"
    resp = say(client, "there are kids on bikes")
    assert resp.status_code == 503
    assert "kept" in resp.get_json()["error"] and "999" in resp.get_json()["error"]
    assert client.get("/chat/history", base_url=SITE).get_json() == [
        {"speaker": "resident", "text": "there are kids on bikes"}
    ]
    rasa.mode = "up"
    again = say(client, "there are kids on bikes")
    assert again.status_code == 200 and again.get_json() == [{"text": "You said: there are kids on bikes"}]
    texts = [t["text"] for t in client.get("/chat/history", base_url=SITE).get_json()]
    assert texts == ["there are kids on bikes", "You said: there are kids on bikes"]


def test_the_chat_page_is_accessible_by_construction(client):
    html = client.get("/chat", base_url=SITE).get_data(as_text=True)
    assert 'aria-live="polite"' in html
    assert '<label for="message">' in html
    assert "In danger now? Call" in html and 'href="tel:999"' in html
    assert 'href="/privacy"' in html
    assert "http://" not in html and "https://" not in html  # every asset is local


def test_the_privacy_notice_is_plain_and_covers_what_why_how_long_who(client):
    resp = client.get("/privacy", base_url=SITE)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for heading in ("What we keep", "Why we keep it", "Who sees it", "How long we keep it"):
        assert heading in text
    assert "8pm" in text and "8am" in text  # the partnership's quiet hours
