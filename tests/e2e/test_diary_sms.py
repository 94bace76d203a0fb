"""A resident builds their case by text, through the public doors: a report filed by SMS, three diary
entries (one with the reference, two without), the report page shows them, the lead agency's mailbox
receives them, and the ASB Case Review text arrives at the third complaint. A stranger who names the
reference learns nothing.

The assistant is a local HTTP stand-in for Rasa that does what the assistant's actions do: it calls the
internal API (POST /api/v1/intake, POST /api/v1/reports/diary) with the conversation's opaque id.
"""

from __future__ import annotations

import re
import socket
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from casework.core.models import DiaryEntry, OutboxMessage
from notifier.options import NotifierOptions
from notifier.relay import Relay, default_senders
from tests.factories import cheap_password_hashing, make_staff
from tests.rasa_standin import RasaStandIn, running_rasa

TWILIO_TOKEN = "test-twilio-auth-token"
INTERNAL = {"Authorization": "Bearer test-internal-token-0123456789"}
PUBLIC = "https://asb.example.org"
RESIDENT = "+447700900555"
STRANGER = "+447700900666"
REF = re.compile(r"ASB-[0-9A-Z]{6}")
NOT_FOUND = "I couldn't find {reference} for this phone or chat. Please check the reference, or call 101."


class Sink:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    with running_rasa() as server:
        yield server


@pytest.fixture
def settings_overrides(rasa: RasaStandIn) -> dict[str, object]:
    return {"RASA_URL": rasa.url, "RASA_TIMEOUT_SECONDS": 8.0}


def assistant(app: Any):  # type: ignore[no-untyped-def]
    """The assistant's part, as its actions play it: file a report, or add a diary entry."""
    api = app.test_client()

    def reply(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if "again" not in message.lower():
            body = {
                "conversation_id": sender,
                "submission_id": uuid.uuid4().hex[:20],
                "channel": "sms",
                "asb_type": "noise",
                "description": message,
                "location": "Bore Street, Lichfield",
                "occurred": "last night",
                "contact": {"wants_updates": True, "anonymous": False, "text_safe": True},
            }
            filed = api.post("/api/v1/intake", json=body, headers=INTERNAL).get_json()
            return [
                {"recipient_id": sender, "text": f"Thank you. Your reference is {filed['reference']}."},
                {"recipient_id": sender, "text": filed["diary_tip"]},
            ]
        named = REF.search(message.upper())
        payload = {"conversation_id": sender, "text": message, "channel": "sms"}
        if named:
            payload["reference"] = named.group(0)
        resp = api.post("/api/v1/reports/diary", json=payload, headers=INTERNAL)
        if resp.status_code == 404:
            return [{"recipient_id": sender, "text": NOT_FOUND.format(reference=payload.get("reference"))}]
        added = resp.get_json()
        out = [{"recipient_id": sender, "text": added["message"]}]
        if added["case_review"]["message"]:
            out.append({"recipient_id": sender, "text": added["case_review"]["message"]})
        return out

    return reply


def text(client: Any, body: str, frm: str = RESIDENT) -> list[str]:
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": frm,
        "To": "+447700900999",
        "Body": body,
        "NumMedia": "0",
    }
    sig = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC + "/sms/inbound", form)
    resp = client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": sig})
    assert resp.status_code == 200, resp.data
    return [m.text or "" for m in ET.fromstring(resp.data).findall("Message")]


def test_a_resident_adds_three_diary_entries_by_sms_and_the_agency_and_staff_see_them(
    app, client, services, clock, rasa, smtp_sink, monkeypatch
):
    cheap_password_hashing(monkeypatch)
    sink, port = smtp_sink
    services.settings.SMTP_PORT = port
    rasa.reply = assistant(app)

    filed = " ".join(text(client, "Loud music from the flat above every night until 3am"))
    reference = REF.search(filed).group(0)  # type: ignore[union-attr]
    assert "text AGAIN and what happened" in filed  # the self-help says keep a noise diary

    clock.advance(days=2)
    first = " ".join(text(client, f"{reference} again last night about 2am"))
    assert f"added this to report {reference}" in first and "Case Review" in first  # explained
    assert "You can now ask" not in first
    clock.advance(days=2)
    second = " ".join(text(client, "AGAIN music till 1am"))
    assert f"added this to report {reference}" in second
    assert "You can now ask for an ASB Case Review" in second  # the threshold: three complaints
    clock.advance(days=1)
    third = " ".join(text(client, "again tonight, same music"))
    assert f"added this to report {reference}" in third and "Case Review" not in third

    # A stranger naming the reference learns nothing more than for a reference that does not exist.
    theirs = text(client, f"{reference} again tonight", frm=STRANGER)
    nobody = text(client, "ASB-ZZZZZZ again tonight", frm=STRANGER)
    assert theirs == [NOT_FOUND.format(reference=reference)]
    assert nobody == [NOT_FOUND.format(reference="ASB-ZZZZZZ")]

    with services.sessions() as s:
        entries = s.scalars(select(DiaryEntry).order_by(DiaryEntry.id)).all()
        assert [e.text for e in entries] == [
            f"{reference} again last night about 2am",
            "AGAIN music till 1am",
            "again tonight, same music",
        ]
        [review_text] = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "case_review")).all()
        assert review_text.status == "pending" and review_text.recipient == RESIDENT

    # The lead agency's mailbox: the referral and the three diary entries.
    options = NotifierOptions()
    Relay(services, options=options, senders=default_senders(services, options), worker="w1").drain()
    subjects = [e.content.decode(errors="replace") for e in sink.envelopes]
    assert sum(f"Subject: ASB referral {reference}" in m for m in subjects) == 1
    assert sum(f"Subject: ASB diary entry {reference}" in m for m in subjects) == 3
    assert any("AGAIN music till 1am" in m for m in subjects)

    # The report page shows the entries to a triage officer.
    with services.sessions() as s:
        officer = make_staff(s, "triage")
        s.commit()
        email = officer.email
    login = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    client.post(
        "/staff/login", data={"email": email, "password": "correct horse battery", "csrf_token": token}
    )
    page = client.get(f"/staff/reports/{reference}").get_data(as_text=True)
    assert page.count('class="diary-entry"') == 3
    assert "AGAIN music till 1am" in page and "again tonight, same music" in page
