"""POST /sms/inbound end to end: signed Twilio form in, TwiML out, a real local HTTP server as Rasa."""

from __future__ import annotations

import logging
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from casework.conversation.contacts import sms_sender_id
from casework.conversation.deferred import retry_deferred
from casework.conversation.inbound_terms import (
    EMPTY_REPLY,
    HOLDING,
    MEDIA_ONLY_ENDING,
    RATE_LIMITED_REPLY,
    TOO_LONG_REPLY,
    UNREADABLE_REPLY,
)
from casework.core.models import ChatTurn, Contact, InboundSms, OutboxMessage, Report, SurveyResponse
from casework.core.sms_text import segments
from casework.messaging.outbox import enqueue
from casework.messaging.sending import claim_due
from rasa_rest.client import client_for
from tests.rasa_standin import RasaStandIn, free_port_url, running_rasa

TOKEN = "test-twilio-auth-token"
PUBLIC = "https://asb.example.org"
NUMBER = "+447700900123"


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    """Rasa's REST channel, stood in by a local HTTP server."""
    with running_rasa() as server:
        yield server


@pytest.fixture
def limits() -> dict[str, object]:
    """Rate limits for this test (generous unless a test says otherwise)."""
    return {"SMS_RATE_PER_NUMBER_PER_HOUR": 30, "SMS_RATE_GLOBAL_PER_MINUTE": 300}


@pytest.fixture
def settings_overrides(rasa: RasaStandIn, limits: dict[str, object]) -> dict[str, object]:
    """Point the webhook at the stand-in Rasa with a short timeout."""
    # Generous, so a loaded CI machine does not turn a slow answer into a deferral; the slow test lowers it.
    return {"RASA_URL": rasa.url, "RASA_TIMEOUT_SECONDS": 5.0, **limits}


def signed_post(
    client,
    form: dict[str, str],
    *,
    url: str = PUBLIC + "/sms/inbound",
    path: str = "/sms/inbound",
    base_url: str = "http://localhost",
    signature: str | None = None,
):  # type: ignore[no-untyped-def]
    """POST a Twilio-style form signed as Twilio signs it (HMAC-SHA1 of URL + sorted params)."""
    sig = RequestValidator(TOKEN).compute_signature(url, form) if signature is None else signature
    headers = {"X-Twilio-Signature": sig} if sig else {}
    return client.post(path, data=form, headers=headers, base_url=base_url)


def text(client, body: str, *, sid: str | None = None, frm: str = NUMBER, **extra: str):  # type: ignore[no-untyped-def]
    """Send an SMS from a handset through the signed path."""
    form = {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": frm,
        "To": "+447700900999",
        "Body": body,
        "NumMedia": "0",
        **extra,
    }
    return signed_post(client, form)


def messages(resp: Any) -> list[str]:
    """The <Message> texts of a TwiML answer."""
    assert resp.mimetype == "text/xml", resp.data
    root = ET.fromstring(resp.data)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


def count(services, model, *where) -> int:  # type: ignore[no-untyped-def]
    with services.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def make_report(services, contact_id: int, *, wants_updates: bool = True) -> int:  # type: ignore[no-untyped-def]
    now = services.clock.now()
    with services.sessions() as s, s.begin():
        report = Report(
            reference="LF-7K3M9Q",
            asb_type="noise",
            nsir_class="nuisance",
            description="loud music",
            lead_agency="ldc",
            channel="sms",
            contact_id=contact_id,
            wants_updates=wants_updates,
            created_at=now,
            updated_at=now,
        )
        s.add(report)
        s.flush()
        return report.id


def contact_for(services, number: str = NUMBER) -> Contact:  # type: ignore[no-untyped-def]
    with services.sessions() as s:
        sender = sms_sender_id(number, services.settings.SENDER_ID_KEY)
        return s.scalars(select(Contact).where(Contact.sender_id == sender)).one()


# --------------------------------------------------------------------------------------------- signature


def test_a_validly_signed_message_is_relayed_and_answered_with_twiml(client, rasa):
    resp = text(client, "there is loud music next door")
    assert resp.status_code == 200
    assert messages(resp) == ["You said: there is loud music next door"]
    call = rasa.calls[0]
    assert call["sender"].startswith("sms-") and NUMBER not in str(call) and "7700900123" not in str(call)
    assert call["metadata"] == {"channel": "sms"}


def test_an_invalid_signature_is_refused_with_403_and_a_log_line(client, rasa, services, caplog):
    form = {"MessageSid": "SM1", "From": NUMBER, "Body": "hello"}
    with caplog.at_level(logging.WARNING):
        resp = signed_post(client, form, signature="bm90IGEgc2lnbmF0dXJl")
    assert resp.status_code == 403
    assert "refused /sms/inbound" in caplog.text and "invalid X-Twilio-Signature" in caplog.text
    assert rasa.calls == [] and count(services, InboundSms) == 0


def test_a_tampered_form_fails_the_signature(client, rasa):
    form = {"MessageSid": "SM1", "From": NUMBER, "Body": "hello"}
    sig = RequestValidator(TOKEN).compute_signature(PUBLIC + "/sms/inbound", form)
    resp = signed_post(client, {**form, "From": "+447700900666"}, signature=sig)
    assert resp.status_code == 403 and rasa.calls == []


def test_a_missing_signature_is_refused_with_403(client, rasa, caplog):
    with caplog.at_level(logging.WARNING):
        resp = signed_post(client, {"MessageSid": "SM1", "From": NUMBER, "Body": "hi"}, signature="")
    assert resp.status_code == 403
    assert "missing X-Twilio-Signature" in caplog.text
    assert rasa.calls == []


def test_behind_a_tls_proxy_the_public_https_url_is_what_is_checked(client, rasa):
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": NUMBER, "Body": "hello"}
    # The proxy forwards plain http to an internal host; Twilio signed the public https URL.
    ok = signed_post(client, form, base_url="http://10.0.0.5:8000")
    assert ok.status_code == 200
    as_seen = RequestValidator(TOKEN).compute_signature("http://10.0.0.5:8000/sms/inbound", form)
    refused = signed_post(
        client, {**form, "MessageSid": "SMother"}, base_url="http://10.0.0.5:8000", signature=as_seen
    )
    assert refused.status_code == 403


def test_the_query_string_is_part_of_the_signed_url(client, rasa):
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": NUMBER, "Body": "hello"}
    resp = signed_post(
        client, form, url=PUBLIC + "/sms/inbound?site=lichfield", path="/sms/inbound?site=lichfield"
    )
    assert resp.status_code == 200
    unsigned_query = signed_post(
        client, form, url=PUBLIC + "/sms/inbound", path="/sms/inbound?site=lichfield"
    )
    assert unsigned_query.status_code == 403


# --------------------------------------------------------------------------------------------- de-dup


def test_a_twilio_retry_gets_the_same_reply_and_is_not_a_second_turn(client, rasa, services):
    first = text(client, "someone is shouting", sid="SMretry1")
    again = text(client, "someone is shouting", sid="SMretry1")
    assert first.status_code == again.status_code == 200
    assert messages(first) == messages(again) == ["You said: someone is shouting"]
    assert rasa.messages() == ["someone is shouting"]
    assert count(services, InboundSms) == 1
    assert count(services, ChatTurn) == 2  # one resident line, one assistant line


def test_every_message_is_stored_with_the_transcript(client, rasa, services):
    text(client, "hello")
    contact = contact_for(services)
    with services.sessions() as s:
        row = s.scalars(select(InboundSms)).one()
        turns = s.scalars(select(ChatTurn).order_by(ChatTurn.id)).all()
    assert row.body == "hello" and row.status == "answered" and row.contact_id == contact.id
    assert [(t.speaker, t.text, t.sender_id) for t in turns] == [
        ("resident", "hello", contact.sender_id),
        ("assistant", "You said: hello", contact.sender_id),
    ]


# --------------------------------------------------------------------------------------------- keywords


@pytest.mark.parametrize(
    "word", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "cancel", "END", "quit", " Stop. "]
)
def test_stop_words_opt_out_and_confirm(client, rasa, services, word):
    resp = text(client, word)
    assert "no more texts" in messages(resp)[0]
    assert contact_for(services).sms_opted_out is True
    assert rasa.calls == []


def test_after_stop_a_queued_update_is_never_sent(client, rasa, services):
    text(client, "hello")
    contact = contact_for(services)
    report_id = make_report(services, contact.id)
    now = services.clock.now()
    with services.sessions() as s, s.begin():
        queued = enqueue(
            s,
            kind="sms",
            transport="sms",
            purpose="status_update",
            now=now,
            recipient=NUMBER,
            body="Ref LF-7K3M9Q: there is an update on your report.",
            report_id=report_id,
            contact_id=contact.id,
        )
        later = enqueue(
            s,
            kind="sms",
            transport="sms",
            purpose="cadence",
            now=now,
            recipient=NUMBER,
            body="Ref LF-7K3M9Q: still open.",
            report_id=report_id,
            contact_id=contact.id,
            not_before=now + timedelta(days=3),
        )
        ids = (queued.id, later.id)
    text(client, "STOP")
    with services.sessions() as s, s.begin():
        rows = [s.get(OutboxMessage, i) for i in ids]
        assert [r.status for r in rows] == ["cancelled", "cancelled"]
        assert all("opted out" in (r.error_message or "") for r in rows)
        claimed = claim_due(s, now=now + timedelta(days=4), worker="test", partnership=services.partnership)
    assert claimed.claimed == []
    # A message queued after the STOP is refused at send time too.
    with services.sessions() as s, s.begin():
        enqueue(
            s,
            kind="sms",
            transport="sms",
            purpose="closure",
            now=now,
            recipient=NUMBER,
            body="Ref: closed.",
            report_id=report_id,
            contact_id=contact.id,
        )
    with services.sessions() as s, s.begin():
        assert claim_due(s, now=now, worker="test", partnership=services.partnership).claimed == []


def test_after_stop_ordinary_texts_get_no_reply_but_are_kept(client, rasa, services):
    text(client, "STOP")
    resp = text(client, "actually there is noise again")
    assert messages(resp) == []
    assert rasa.calls == []
    with services.sessions() as s:
        row = s.scalars(select(InboundSms).order_by(InboundSms.id.desc())).first()
    assert row.body == "actually there is noise again" and row.status == "opted_out"


@pytest.mark.parametrize("word", ["START", "unstop", "Yes"])
def test_start_words_opt_back_in_when_opted_out(client, rasa, services, word):
    text(client, "STOP")
    resp = text(client, word)
    assert "turned back on" in messages(resp)[0]
    assert contact_for(services).sms_opted_out is False
    assert rasa.calls == []


def test_yes_mid_conversation_is_an_answer_for_the_assistant(client, rasa, services):
    text(client, "hello")
    resp = text(client, "yes")
    assert messages(resp) == ["You said: yes"]
    assert rasa.messages() == ["hello", "yes"]


def test_help_says_what_the_number_is_999_101_and_how_to_stop(client, rasa):
    (reply,) = messages(text(client, "HELP"))
    assert "Lichfield" in reply and "anti-social behaviour" in reply
    assert "999" in reply and "101" in reply and "STOP" in reply
    assert rasa.calls == []


# --------------------------------------------------------------------------------------------- rate limits


@pytest.mark.parametrize("limits", [{"SMS_RATE_PER_NUMBER_PER_HOUR": 3, "SMS_RATE_GLOBAL_PER_MINUTE": 300}])
def test_per_number_rate_limit_answers_once_then_goes_quiet(client, rasa, services, clock, limits):
    for i in range(3):
        assert messages(text(client, f"message {i}")) == [f"You said: message {i}"]
    assert messages(text(client, "message 3")) == [RATE_LIMITED_REPLY]
    assert messages(text(client, "message 4")) == []
    assert rasa.messages() == ["message 0", "message 1", "message 2"]
    # Another number is not affected.
    assert messages(text(client, "hi", frm="+447700900555")) == ["You said: hi"]
    # STOP is honoured even while limited (the number was already told it is limited: no reply).
    assert messages(text(client, "STOP")) == []
    assert contact_for(services).sms_opted_out is True
    # An hour later the number can text again.
    clock.advance(hours=1, seconds=1)
    assert "turned back on" in messages(text(client, "START"))[0]
    assert messages(text(client, "back again")) == ["You said: back again"]
    assert count(services, InboundSms, InboundSms.status == "limited") == 3


@pytest.mark.parametrize("limits", [{"SMS_RATE_PER_NUMBER_PER_HOUR": 3, "SMS_RATE_GLOBAL_PER_MINUTE": 300}])
def test_a_flood_of_stop_and_start_gets_no_more_replies_than_the_limit(client, rasa, services, limits):
    replies = [messages(text(client, "STOP" if i % 2 == 0 else "START")) for i in range(60)]
    # Three answered within the limit, then one confirmation in place of the "limited" notice, then quiet.
    assert sum(1 for r in replies if r) == 4
    assert all(r == [] for r in replies[4:])
    # Every keyword still took effect: the last one was START.
    assert contact_for(services).sms_opted_out is False
    assert messages(text(client, "STOP")) == [] and contact_for(services).sms_opted_out is True


@pytest.mark.parametrize("limits", [{"SMS_RATE_PER_NUMBER_PER_HOUR": 30, "SMS_RATE_GLOBAL_PER_MINUTE": 3}])
def test_stop_over_the_global_limit_is_honoured_without_a_reply(client, rasa, services, limits):
    for i in range(3):
        text(client, "hi", frm=f"+44770090010{i}")
    assert messages(text(client, "STOP")) == []
    assert contact_for(services).sms_opted_out is True


@pytest.mark.parametrize("limits", [{"SMS_RATE_PER_NUMBER_PER_HOUR": 30, "SMS_RATE_GLOBAL_PER_MINUTE": 3}])
def test_beyond_the_global_limit_texts_are_kept_and_answered_later_never_dropped(
    client, rasa, services, clock, limits
):
    for i in range(3):
        assert messages(text(client, "hi", frm=f"+44770090010{i}")) == ["You said: hi"]
    # Load shedding: the fourth text is not relayed now, but it is answered and kept.
    assert messages(text(client, "loud music again", frm="+447700900109")) == [HOLDING]
    assert len(rasa.calls) == 3
    with services.sessions() as s:
        assert s.scalars(select(InboundSms).where(InboundSms.status == "deferred")).one().body == (
            "loud music again"
        )
    # When the load falls the kept message is relayed and its reply texted.
    clock.advance(seconds=61)
    assert retry_deferred(services, assistant=client_for(services.settings)) == 1
    assert rasa.messages()[-1] == "loud music again"
    with services.sessions() as s:
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "reply")).all()


@pytest.mark.parametrize("limits", [{"SMS_RATE_PER_NUMBER_PER_HOUR": 30, "SMS_RATE_GLOBAL_PER_MINUTE": 3}])
def test_beyond_the_global_limit_danger_gets_the_999_guidance_first(client, rasa, limits):
    for i in range(3):
        text(client, "hi", frm=f"+44770090010{i}")
    reply = messages(text(client, "theres a man with a knife at my door", frm="+447700900109"))
    assert reply[0].startswith("If anyone is in danger now, call 999") and "press 55" in reply[0]
    assert reply[-1] == HOLDING


@pytest.mark.parametrize("limits", [{"SMS_RATE_PER_NUMBER_PER_HOUR": 3, "SMS_RATE_GLOBAL_PER_MINUTE": 300}])
def test_a_number_over_its_limit_still_gets_the_999_guidance_for_danger(client, rasa, limits):
    for _ in range(4):
        text(client, "hello")  # the 4th gets the one "slow down" notice of the hour
    assert messages(text(client, "hello again")) == []
    reply = messages(text(client, "he is kicking the door in and hes got a knife"))
    assert len(reply) == 1 and "press 55" in reply[0]


def test_an_empty_answer_from_the_assistant_is_never_passed_on_as_silence(client, rasa):
    rasa.reply = lambda sender, message, metadata: []
    reply = messages(text(client, "no not right now"))
    assert len(reply) == 1 and "999" in reply[0] and "tell me what is happening" in reply[0]


# --------------------------------------------------------------------------------------------- Rasa down


def test_rasa_down_then_up_the_reply_arrives_by_outbound_sms(client, rasa, services):
    rasa.mode = "down"
    resp = text(client, "my neighbour's dog barks all night", sid="SMdown1")
    assert messages(resp) == [HOLDING]
    with services.sessions() as s:
        assert s.scalars(select(InboundSms)).one().status == "deferred"
    # Still down: nothing is lost, nothing is sent.
    assert retry_deferred(services, assistant=client_for(services.settings)) == 0
    rasa.mode = "up"
    assert retry_deferred(services, assistant=client_for(services.settings)) == 1
    assert rasa.messages() == ["my neighbour's dog barks all night"]
    with services.sessions() as s:
        row = s.scalars(select(InboundSms)).one()
        out = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "reply")).all()
    assert row.status == "answered"
    assert len(out) == 1 and out[0].recipient == NUMBER and out[0].status == "pending"
    assert "You said: my neighbour's dog barks all night" in out[0].body
    # A second run sends nothing again.
    assert retry_deferred(services, assistant=client_for(services.settings)) == 0
    assert count(services, OutboxMessage) == 1


def test_a_twilio_retry_of_a_deferred_message_gets_the_holding_reply_not_a_new_turn(client, rasa):
    rasa.mode = "down"
    first = text(client, "hello", sid="SMdup")
    rasa.mode = "up"
    again = text(client, "hello", sid="SMdup")
    assert messages(first) == messages(again) == [HOLDING]
    assert rasa.calls == []


@pytest.mark.parametrize("limits", [{}])
def test_rasa_not_running_at_all_gets_the_holding_message(services, limits):
    from webhook import create_app

    services.settings.RASA_URL = free_port_url()
    client = create_app({"TESTING": True}, services=services).test_client()
    assert messages(text(client, "hello")) == [HOLDING]


def test_slow_rasa_is_answered_within_twilios_limit(client, rasa, services):
    services.settings.RASA_TIMEOUT_SECONDS = 1.5
    rasa.mode, rasa.slow_seconds = "slow", 4.0
    started = time.monotonic()
    resp = text(client, "hello")
    elapsed = time.monotonic() - started
    assert messages(resp) == [HOLDING]
    assert elapsed < 3.5  # the timeout is 1.5 s here; 10 s at most in production, within Twilio's 15 s


def test_earlier_deferred_messages_are_relayed_first_when_rasa_is_back(client, rasa, services):
    rasa.mode = "down"
    text(client, "first")
    rasa.mode = "up"
    resp = text(client, "second")
    assert rasa.messages() == ["first", "second"]
    assert messages(resp) == ["You said: first", "You said: second"]
    assert count(services, InboundSms, InboundSms.status == "answered") == 2
    assert count(services, OutboxMessage) == 0  # answered in the TwiML, not texted again


def test_a_stop_after_deferral_cancels_the_late_reply(client, rasa, services):
    rasa.mode = "down"
    text(client, "hello")
    text(client, "STOP")
    rasa.mode = "up"
    retry_deferred(services, assistant=client_for(services.settings))
    with services.sessions() as s:
        out = s.scalars(select(OutboxMessage)).all()
    assert [o.status for o in out] == ["cancelled"]


# --------------------------------------------------------------------------------------------- malformed


def test_an_empty_message_gets_a_friendly_reply(client, rasa):
    assert messages(text(client, "   ")) == [EMPTY_REPLY]
    assert rasa.calls == []


def test_a_forged_media_url_without_words_is_refused_and_words_are_asked_for(client, rasa):
    resp = text(
        client, "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="image/jpeg"
    )
    assert messages(resp) == [
        "We could not accept a file you sent: it did not come through our text service. " + MEDIA_ONLY_ENDING
    ]
    assert rasa.calls == []


def test_a_forged_media_url_with_words_relays_the_words_and_says_the_file_was_refused(client, rasa):
    resp = text(client, "look at this", NumMedia="1", MediaUrl0="https://evil.example/ME1")
    replies = messages(resp)
    assert "could not accept" in replies[0] and replies[-1] == "You said: look at this"


def test_a_5000_character_message_gets_a_friendly_reply_and_is_kept(client, rasa, services):
    resp = text(client, "noise " * 834)
    assert resp.status_code == 200 and messages(resp) == [TOO_LONG_REPLY]
    assert rasa.calls == []
    with services.sessions() as s:
        assert len(s.scalars(select(InboundSms)).one().body) >= 5000


def test_control_characters_are_dropped_before_relaying(client, rasa):
    resp = text(client, "\x00\x01noise\x07 at\x1b night\x7f")
    assert resp.status_code == 200
    assert rasa.messages() == ["noise at night"]


def test_only_control_characters_is_treated_as_empty(client, rasa):
    assert messages(text(client, "\x00\x01\x02\x03")) == [EMPTY_REPLY]


def test_binary_garbage_gets_a_friendly_reply(client, rasa):
    assert messages(text(client, "\ufffd\ufffd\ufffd\ufffdab\ufffd")) == [UNREADABLE_REPLY]
    assert rasa.calls == []


def test_raw_invalid_utf8_bytes_never_cause_a_500(client, rasa):
    body = b"MessageSid=SMbin&From=%2B447700900123&Body=%FF%FE%00%C3"
    resp = client.post(
        "/sms/inbound",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": "x"},
    )
    assert resp.status_code == 403  # unsigned; and signed below
    form = {"MessageSid": "SMbin", "From": NUMBER, "Body": "\ufffd\ufffd\x00\ufffd"}
    resp = signed_post(client, form)
    assert resp.status_code == 200 and messages(resp) == [UNREADABLE_REPLY]


@pytest.mark.parametrize("missing", ["From", "MessageSid"])
def test_a_message_missing_from_or_sid_is_a_400_not_a_500(client, rasa, missing):
    form = {"MessageSid": "SMx", "From": NUMBER, "Body": "hello"}
    del form[missing]
    resp = signed_post(client, form)
    assert resp.status_code == 400 and messages(resp) == []
    assert rasa.calls == []


def test_a_sender_that_is_not_a_phone_number_is_a_400(client, rasa):
    resp = text(client, "hello", frm="not-a-number")
    assert resp.status_code == 400 and rasa.calls == []


# ------------------------------------------------------------------------------- buttons, long replies


def _buttons_reply(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    if message.startswith("/"):
        return [{"recipient_id": sender, "text": f"Got {message}"}]
    return [
        {
            "recipient_id": sender,
            "text": "Is it happening now?",
            "buttons": [{"title": "Yes, now", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
        }
    ]


def test_buttons_become_numbered_choices_and_a_digit_selects_one(client, rasa, services):
    rasa.reply = _buttons_reply
    (question,) = messages(text(client, "there is a fight"))
    assert question == "Is it happening now?\n1. Yes, now\n2. No\nReply with a number."
    assert messages(text(client, "2")) == ["Got /deny"]
    assert rasa.messages() == ["there is a fight", "/deny"]
    with services.sessions() as s:
        lines = [t.text for t in s.scalars(select(ChatTurn).where(ChatTurn.speaker == "resident"))]
    assert lines == ["there is a fight", "No"]


def test_a_digit_with_no_choices_on_offer_goes_to_the_assistant_as_typed(client, rasa):
    text(client, "hello")
    assert messages(text(client, "3")) == ["You said: 3"]


def test_long_replies_are_split_at_sentence_boundaries(client, rasa):
    sentences = [f"This is sentence number {i} of the advice about keeping a diary." for i in range(20)]
    rasa.reply = lambda sender, message, metadata: [{"text": " ".join(sentences)}]
    parts = messages(text(client, "what can I do"))
    assert len(parts) > 1
    assert all(segments(p) <= 3 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == " ".join(sentences)


# --------------------------------------------------------------------------------------------- surveys


def test_a_reply_to_an_outstanding_survey_is_recorded(client, rasa, services, clock):
    text(client, "hello")
    contact = contact_for(services)
    report_id = make_report(services, contact.id)
    clock.advance(days=30)
    now = clock.now()
    with services.sessions() as s, s.begin():
        row = enqueue(
            s,
            kind="sms",
            transport="sms",
            purpose="survey_1m",
            now=now,
            recipient=NUMBER,
            body="Ref LF-7K3M9Q: how satisfied...",
            report_id=report_id,
            contact_id=contact.id,
        )
        row.status, row.sent_at = "sent", now
    clock.advance(hours=2)
    (reply,) = messages(text(client, "4"))
    assert "Thank you" in reply
    with services.sessions() as s:
        answer = s.scalars(select(SurveyResponse)).one()
    assert (answer.report_id, answer.survey, answer.score) == (report_id, "1m", 4)
    assert rasa.messages() == ["hello"]
    # Answered once: a later digit is for the assistant.
    assert messages(text(client, "5")) == ["You said: 5"]
