"""Photos by MMS, end to end: signed POST /sms/inbound with NumMedia, the notifier's fetch from a Twilio
media stand-in (Basic auth required, then DELETE), checks, storage, the report and the agency update.

Runs on SQLite and PostgreSQL with the clock fixed.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from sqlalchemy import select

from casework.conversation.inbound_terms import MEDIA_ONLY_ENDING
from casework.core.bootstrap import Services
from casework.core.models import EvidenceFile, InboundSms, OutboxMessage, Report, ReportEvent
from casework.evidence import LocalStorage
from casework.evidence.sms_media import RECEIVED_ONE
from casework.intake import file_report, parse_intake
from notifier.media import fetch_media
from tests import media_samples as samples
from tests.factories import make_report
from tests.fakes.twilio_media import ACCOUNT_SID, FakeTwilioMediaServer, sid
from tests.integration.conversation.test_sms_inbound import contact_for, messages, signed_post
from tests.rasa_standin import RasaStandIn, running_rasa

NUMBER = "+447700900456"


@pytest.fixture
def twilio() -> Iterator[FakeTwilioMediaServer]:
    with FakeTwilioMediaServer() as server:
        yield server


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    with running_rasa() as server:
        yield server


@pytest.fixture
def settings_overrides(rasa: RasaStandIn, twilio: FakeTwilioMediaServer, tmp_path: Path) -> dict[str, object]:
    return {
        "RASA_URL": rasa.url,
        "RASA_TIMEOUT_SECONDS": 5.0,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_API_BASE_URL": twilio.url,
        "MEDIA_DIR": str(tmp_path / "media"),
    }


def mms(client, words: str, items: list[tuple[str, str]], *, message_sid: str | None = None):  # type: ignore[no-untyped-def]
    """An MMS from NUMBER through the signed path, with (MediaUrl, MediaContentType) items."""
    form = {
        "MessageSid": message_sid or sid("MM"),
        "AccountSid": ACCOUNT_SID,
        "From": NUMBER,
        "To": "+447700900999",
        "Body": words,
        "NumMedia": str(len(items)),
    }
    for i, (url, content_type) in enumerate(items):
        form[f"MediaUrl{i}"] = url
        form[f"MediaContentType{i}"] = content_type
    return signed_post(client, form)


def files(services: Services) -> list[EvidenceFile]:
    with services.sessions() as s:
        return list(s.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))


def sms_out(services: Services) -> list[OutboxMessage]:
    with services.sessions() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sms")))


def open_report_for_sender(client, services: Services) -> Report:  # type: ignore[no-untyped-def]
    """The sender has texted before and has an open report (lead: the district council, by email)."""
    signed_post(client, {"MessageSid": sid("SM"), "From": NUMBER, "Body": "hello", "NumMedia": "0"})
    contact = contact_for(services, NUMBER)
    with services.sessions() as s, s.begin():
        report = make_report(s, contact_id=contact.id, conversation_id=contact.sender_id, channel="sms")
        s.expunge(report)
    return report


def test_a_photo_by_mms_is_fetched_after_answering_cleaned_stored_deleted_and_sent_to_the_lead_agency(
    client, services: Services, twilio: FakeTwilioMediaServer, rasa: RasaStandIn
) -> None:
    report = open_report_for_sender(client, services)
    message_sid = sid("MM")
    url = twilio.add(message_sid, samples.jpeg_with_gps(), "image/jpeg")

    resp = mms(client, "they smashed the window again", [(url, "image/jpeg")], message_sid=message_sid)

    replies = messages(resp)
    assert replies[0] == RECEIVED_ONE
    assert replies[-1] == "You said: they smashed the window again"
    assert rasa.messages()[-1] == "they smashed the window again"
    assert twilio.store.requests == [], "nothing is fetched while Twilio waits for the answer"

    run = fetch_media(services)

    assert run is not None and run.stored == 1 and run.deleted_from_twilio == 1
    methods = [(m, ok) for m, _path, ok in twilio.store.requests]
    assert methods[0] == ("GET", True) and ("DELETE", True) in methods
    assert twilio.held() == 0, "deleted from Twilio's storage"
    (row,) = files(services)
    assert row.status == "stored" and row.report_id == report.id and row.source_url is None
    assert row.kind == "image" and row.media_type == "image/jpeg" and row.thumb_key
    assert "jpg" not in (row.storage_key or "") and message_sid not in (row.storage_key or "")
    stored = LocalStorage(services.settings.MEDIA_DIR).get(row.storage_key or "")
    img = Image.open(io.BytesIO(stored))
    assert dict(img.getexif()) == {} and b"PhoneMaker" not in stored

    with services.sessions() as s:
        events = s.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)).all()
        assert any(e.kind == "evidence" and "photo by text message" in e.body for e in events)
        (update,) = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "referral_evidence")).all()
        inbound = s.scalars(select(InboundSms)).all()
    assert update.agency_id == "ldc" and update.transport == "email"
    link = f"https://asb.example.org/staff/reports/{report.reference}/files/{row.id}"
    assert link in update.body and "asks for your sign-in" in update.body
    assert update.payload["document"]["evidence"][0]["api_url"].endswith(f"/files/{row.id}")
    assert inbound[-1].body == "they smashed the window again"


def test_the_stand_in_like_twilio_serves_media_only_with_the_account_credentials(
    twilio: FakeTwilioMediaServer,
) -> None:
    url = twilio.add(sid("MM"), samples.png(), "image/png")
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, auth=(ACCOUNT_SID, "wrong"), timeout=5).status_code == 401
    ok = requests.get(url, auth=(ACCOUNT_SID, "test-twilio-auth-token"), timeout=5)
    assert ok.status_code == 200 and ok.content == samples.png()


def test_a_photo_alone_is_acknowledged_and_words_are_asked_for(
    client, services: Services, twilio: FakeTwilioMediaServer, rasa: RasaStandIn
) -> None:
    message_sid = sid("MM")
    url = twilio.add(message_sid, samples.png(), "image/png")
    replies = messages(mms(client, "", [(url, "image/png")], message_sid=message_sid))
    assert replies == [f"{RECEIVED_ONE} {MEDIA_ONLY_ENDING}"]
    assert rasa.calls == []
    fetch_media(services)
    assert [f.status for f in files(services)] == ["stored"] and twilio.held() == 0


def test_a_forged_media_url_is_refused_at_once_and_never_fetched(
    client, services: Services, twilio: FakeTwilioMediaServer, rasa: RasaStandIn
) -> None:
    message_sid = sid("MM")
    with FakeTwilioMediaServer() as elsewhere:
        forged = elsewhere.add(message_sid, samples.jpeg_with_gps(), "image/jpeg")
        other_message = twilio.add(sid("MM"), samples.png(), "image/png")  # Twilio's, but another message's
        replies = messages(
            mms(
                client,
                "see photo",
                [(forged, "image/jpeg"), (other_message, "image/png")],
                message_sid=message_sid,
            )
        )
        fetch_media(services)
        assert elsewhere.store.requests == []
    assert (
        replies[0].count("We could not accept a file you sent: it did not come through our text service.")
        == 2
    )
    assert replies[-1] == "You said: see photo"
    assert twilio.store.requests == []
    assert [(f.status, f.source_url) for f in files(services)] == [("refused", None), ("refused", None)]


@pytest.mark.parametrize(
    ("data", "declared", "told_at_once", "reason"),
    [
        (samples.zip_file(), "application/zip", True, "we can only accept photos"),
        (samples.pdf(), "image/jpeg", False, "we can only accept photos"),
        (samples.exe(), "image/png", False, "we can only accept photos"),
        (samples.mp4(30 * 1024 * 1024), "video/mp4", False, "it is larger than 20 MB"),
    ],
    ids=["zip", "pdf-claiming-jpeg", "program-claiming-png", "30MB-video"],
)
def test_refused_files_are_explained_deleted_from_twilio_and_the_words_kept(
    client,
    services: Services,
    twilio: FakeTwilioMediaServer,
    rasa: RasaStandIn,
    data: bytes,
    declared: str,
    told_at_once: bool,
    reason: str,
) -> None:
    message_sid = sid("MM")
    url = twilio.add(message_sid, data, declared)
    words = f"dumped rubbish again {uuid.uuid4().hex[:6]}"

    replies = messages(mms(client, words, [(url, declared)], message_sid=message_sid))
    fetch_media(services)

    assert replies[-1] == f"You said: {words}" and rasa.messages()[-1] == words
    (row,) = files(services)
    assert row.status == "refused" and reason in (row.refusal or "") and row.storage_key is None
    assert twilio.held() == 0, "refused files are deleted from Twilio too"
    texts = [o.body for o in sms_out(services)]
    if told_at_once:
        assert f"We could not accept a file you sent: {reason}" in replies[0]
        assert not any("GET" == m for m, _p, _ok in twilio.store.requests)
    else:
        assert replies[0] == RECEIVED_ONE
        assert len(texts) == 1 and reason in texts[0] and "Anything you wrote is kept" in texts[0]
        assert "999" in texts[0]
    with services.sessions() as s:
        assert s.scalars(select(InboundSms.body)).all()[-1] == words


def test_no_refusal_text_goes_to_a_number_not_safe_to_text(
    client, services: Services, twilio: FakeTwilioMediaServer
) -> None:
    report = open_report_for_sender(client, services)
    with services.sessions() as s, s.begin():
        s.get(Report, report.id).text_safe = False  # type: ignore[union-attr]
    message_sid = sid("MM")
    url = twilio.add(message_sid, samples.pdf(), "image/jpeg")
    mms(client, "here", [(url, "image/jpeg")], message_sid=message_sid)
    fetch_media(services)
    assert [f.status for f in files(services)] == ["refused"]
    assert sms_out(services) == []


def test_a_photo_sent_before_the_report_joins_it_when_filed_and_is_in_the_referral(
    client, services: Services, twilio: FakeTwilioMediaServer
) -> None:
    message_sid = sid("MM")
    url = twilio.add(message_sid, samples.jpeg_with_gps(), "image/jpeg")
    mms(client, "graffiti on the bus shelter", [(url, "image/jpeg")], message_sid=message_sid)
    fetch_media(services)
    (waiting,) = files(services)
    assert waiting.status == "stored" and waiting.report_id is None

    sender = contact_for(services, NUMBER).sender_id
    body: dict[str, Any] = {
        "conversation_id": sender,
        "submission_id": "sub-photo-1",
        "channel": "sms",
        "asb_type": "noise",
        "description": "Loud music until 3am.",
        "location": "Bore Street, Lichfield",
        "occurred": "last night",
        "contact": {"wants_updates": True, "anonymous": False, "text_safe": True},
    }
    result = file_report(
        sessions=services.sessions,
        intake=parse_intake(body),
        partnership=services.partnership,
        now=services.clock.now(),
        contact_sender_id=sender,
    )
    with services.sessions() as s:
        report = s.scalars(select(Report).where(Report.reference == result.reference)).one()
        (row,) = s.scalars(select(EvidenceFile)).all()
        referral = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "referral_new")).first()
    assert row.report_id == report.id
    assert referral is not None and referral.payload["document"]["evidence"][0]["id"] == row.id


def test_an_item_twilio_no_longer_holds_is_refused_and_explained(
    client, services: Services, twilio: FakeTwilioMediaServer
) -> None:
    message_sid = sid("MM")
    url = twilio.add(message_sid, samples.png(), "image/png")
    mms(client, "look", [(url, "image/png")], message_sid=message_sid)
    twilio.store.items.clear()  # Twilio answers 404: trying again cannot help
    fetch_media(services)
    (row,) = files(services)
    assert row.status == "refused" and row.refusal == "we could not download it from the phone network"
    assert "could not download it" in sms_out(services)[0].body
