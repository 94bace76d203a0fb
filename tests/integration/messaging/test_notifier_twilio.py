"""SMS through the REAL twilio-python client, pointed at a local fake Twilio that records every request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from casework.core.models import Contact, OutboxMessage
from casework.messaging.notifications import notify_victim
from casework.messaging.sending import claim_due
from notifier.options import NotifierOptions
from notifier.relay import Relay, default_senders
from notifier.sms import TwilioSmsSender
from tests.fakes.twilio import FakeTwilioServer
from tests.notifier_fakes import make_contact, make_report


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilioServer]:
    with FakeTwilioServer() as server:
        yield server


@pytest.fixture
def settings_overrides(fake_twilio: FakeTwilioServer) -> dict[str, object]:
    return {
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_FROM_NUMBER": "+447700900001",
        "TWILIO_API_BASE_URL": fake_twilio.url,
    }


def queue(services, phone="+447700900123"):  # type: ignore[no-untyped-def]
    now = services.clock.now()
    with services.sessions() as session, session.begin():
        contact = make_contact(session, now, phone=phone)
        report = make_report(session, now, contact=contact)
        row = notify_victim(
            session, report, purpose="status_update", now=now, partnership=services.partnership
        )
        return row.id, contact.id, report.reference


def get(services, message_id):  # type: ignore[no-untyped-def]
    with services.sessions() as session:
        return session.get(OutboxMessage, message_id)


def relay(services, **opts):  # type: ignore[no-untyped-def]
    options = NotifierOptions(**opts)
    return Relay(services, options=options, senders=default_senders(services, options), worker="w1")


def test_twilio_is_used_when_configured_and_gets_a_status_callback_carrying_the_outbox_id(
    services, fake_twilio
):
    message_id, _, reference = queue(services)
    r = relay(services)
    assert isinstance(r.senders["sms"], TwilioSmsSender)
    assert r.drain().sent == 1
    [created] = fake_twilio.state.messages
    assert created["to"] == "+447700900123" and created["from"] == "+447700900001"
    assert created["body"].startswith(f"Ref {reference}: there is an update on your report.")
    callback = urlsplit(created["_status_callback"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == "https://asb.example.org/sms/status"
    assert parse_qs(callback.query) == {"outbox": [str(message_id)]}
    assert created["_smart_encoded"] == "true"
    sent = get(services, message_id)
    assert sent.status == "sent" and sent.provider_id == created["sid"] and sent.delivery_status == "queued"
    assert sent.segments == 1 and sent.encoding == "GSM-7"


def test_messaging_service_sid_is_used_instead_of_a_from_number_when_set(services, fake_twilio):
    services.settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    queue(services)
    relay(services).drain()
    [created] = fake_twilio.state.messages
    assert created["messaging_service_sid"] == "MG" + "1" * 32 and created["from"] is None


@pytest.mark.parametrize(
    ("status", "code", "expect_status", "flag"),
    [
        (400, 21610, "failed", "sms_opted_out"),
        (400, 21211, "failed", "number_invalid"),
        (429, 20429, "pending", None),
    ],
)
def test_twilio_refusals_are_handled_by_error_code(services, fake_twilio, status, code, expect_status, flag):
    message_id, contact_id, _ = queue(services, phone="+447700900999")
    fake_twilio.state.refuse["+447700900999"] = (status, code, "refused by the fake")
    relay(services).drain()
    row = get(services, message_id)
    assert row.status == expect_status and row.error_code == str(code)
    assert row.needs_attention is (expect_status == "failed")
    with services.sessions() as session:
        contact = session.get(Contact, contact_id)
        if flag:
            assert getattr(contact, flag) is True


def test_a_message_twilio_accepted_before_the_process_died_is_found_not_sent_again(
    services, fake_twilio, clock
):
    message_id, _, _ = queue(services)
    sender = default_senders(services, NotifierOptions())["sms"]
    # The process claims, Twilio accepts the message, and the process is killed before recording it.
    with services.sessions() as session, session.begin():
        [claimed] = claim_due(
            session, now=clock.now(), worker="dead", limit=10, partnership=services.partnership
        ).claimed
    sender.send(claimed)
    assert len(fake_twilio.state.messages) == 1 and get(services, message_id).status == "sending"
    clock.advance(minutes=3)
    assert relay(services).reconcile() == {"sent": 1}
    row = get(services, message_id)
    assert row.status == "sent" and row.provider_id == fake_twilio.state.messages[0]["sid"]
    assert "confirmed with the provider" in row.error_message
    relay(services).drain()
    assert len(fake_twilio.state.messages) == 1


def test_a_message_claimed_but_never_handed_over_is_sent_after_the_lease(services, fake_twilio, clock):
    message_id, _, _ = queue(services)
    with services.sessions() as session, session.begin():
        claim_due(session, now=clock.now(), worker="dead", limit=10, partnership=services.partnership)
    r = relay(services)
    clock.advance(seconds=60)
    assert r.reconcile() == {}  # still within the lease: the claimer may be alive
    clock.advance(seconds=61)
    assert r.reconcile() == {"requeued": 1}
    r.drain()
    assert len(fake_twilio.state.messages) == 1 and get(services, message_id).status == "sent"


def test_two_identical_texts_to_one_number_are_not_confused_when_reconciling(services, fake_twilio, clock):
    now = clock.now()
    with services.sessions() as session, session.begin():
        contact = make_contact(session, now)
        report = make_report(session, now, contact=contact)
        first = notify_victim(session, report, purpose="status_update", now=now).id
    relay(services).drain()  # the first went normally
    with services.sessions() as session, session.begin():
        report = session.merge(report)
        second = notify_victim(session, report, purpose="status_update", now=now).id
        claim_due(session, now=now, worker="dead", limit=10, partnership=services.partnership)
    clock.advance(minutes=3)
    # Twilio has one message with the same text, but it is the first row's: the second is re-sent.
    assert relay(services).reconcile() == {"requeued": 1}
    relay(services).drain()
    assert len(fake_twilio.state.messages) == 2
    assert get(services, first).provider_id != get(services, second).provider_id


def test_unreachable_twilio_is_retried_later(services, clock):
    services.settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    message_id, _, _ = queue(services)
    relay(services).drain()
    row = get(services, message_id)
    assert row.status == "pending" and row.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert "not reachable" in row.error_message
