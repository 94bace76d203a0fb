"""Referrals reach agencies over real local servers: an SMTP sink, a signed webhook receiver, Open311."""

from __future__ import annotations

import hashlib
import hmac
import socket
from collections.abc import Iterator
from email import message_from_bytes
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller

from casework.core.models import OutboxMessage
from casework.messaging.referrals import queue_referral
from notifier.options import NotifierOptions
from notifier.relay import Relay, default_senders
from tests.notifier_fakes import HttpReceiver, make_contact, make_report


class Sink:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def point_agency(services, agency_id, **referral):  # type: ignore[no-untyped-def]
    """Point one agency's referral config at a local server (the partnership object is immutable)."""
    p = services.partnership
    agency = p.agencies[agency_id]
    changed = agency.model_copy(update={"referral": agency.referral.model_copy(update=referral)})
    services.__dict__["partnership"] = p.model_copy(update={"agencies": {**p.agencies, agency_id: changed}})


def refer(services, agency_id, reason="new", **report_kw):  # type: ignore[no-untyped-def]
    now = services.clock.now()
    with services.sessions() as session, session.begin():
        contact = make_contact(session, now)
        report = make_report(session, now, contact=contact, **report_kw)
        row = queue_referral(session, report, agency_id, now, reason, partnership=services.partnership)
        return row.id, report.reference


def relay(services):  # type: ignore[no-untyped-def]
    options = NotifierOptions()
    return Relay(services, options=options, senders=default_senders(services, options), worker="w1")


def get(services, message_id):  # type: ignore[no-untyped-def]
    with services.sessions() as session:
        return session.get(OutboxMessage, message_id)


def test_email_referral_reaches_the_agency_mailbox_with_the_detail(services, smtp_sink):
    sink, port = smtp_sink
    services.settings.SMTP_PORT = port
    message_id, reference = refer(services, "ldc", risk_level="medium")
    assert relay(services).drain().sent == 1
    [envelope] = sink.envelopes
    assert envelope.rcpt_tos == ["asb-referrals@lichfielddc.example.org"]
    email = message_from_bytes(envelope.content)
    assert email["Subject"] == f"ASB referral {reference}: Noise, medium risk"
    assert email["Message-ID"] == f"<asb-referral-{message_id}@localhost>"
    text = email.get_payload(decode=True).decode()
    assert "John Smith at number 12 plays drum and bass" in text and "12 Elm Street" in text
    assert "+447700900123 - safe to text: yes" in text
    row = get(services, message_id)
    assert row.status == "sent" and row.provider_id == email["Message-ID"]


def test_email_with_no_mail_server_listening_is_retried_not_lost(services):
    services.settings.SMTP_PORT = free_port()
    message_id, _ = refer(services, "ldc")
    relay(services).drain()
    row = get(services, message_id)
    assert row.status == "pending" and row.attempts == 1 and "no mail server" in row.error_message


def test_webhook_referral_is_signed_so_the_agency_can_verify_it(services):
    with HttpReceiver() as receiver:
        point_agency(services, "staffs-police", url=receiver.url + "/asb/referrals")
        message_id, reference = refer(services, "staffs-police", reason="reassigned", hate=True)
        assert relay(services).drain().sent == 1
    [got] = receiver.received
    assert got.path == "/asb/referrals"
    timestamp, signature = got.headers["X-ASB-Timestamp"], got.headers["X-ASB-Signature"]
    secret = b"dev-only-staffs-police-webhook-secret"
    expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    assert got.headers["X-ASB-Delivery"] == str(message_id)
    doc = got.json()
    assert doc["reference"] == reference and doc["reason"] == "reassigned" and doc["hate"] is True
    assert doc["asb_type"] == "noise" and doc["reporter"]["phone"] == "+447700900123"
    assert get(services, message_id).status == "delivered"


def test_webhook_secret_comes_from_the_environment_when_set(services, monkeypatch):
    monkeypatch.setenv("STAFFS_POLICE_WEBHOOK_SECRET", "production-secret-from-env")
    with HttpReceiver() as receiver:
        point_agency(services, "staffs-police", url=receiver.url + "/hook")
        refer(services, "staffs-police")
        relay(services).drain()
    got = receiver.received[0]
    mac = hmac.new(
        b"production-secret-from-env",
        got.headers["X-ASB-Timestamp"].encode() + b"." + got.body,
        hashlib.sha256,
    )
    assert got.headers["X-ASB-Signature"] == "sha256=" + mac.hexdigest()


def test_webhook_refusal_goes_to_staff_and_server_error_is_retried(services):
    with HttpReceiver(status=400, answer=b'{"error":"unknown reference format"}') as receiver:
        point_agency(services, "staffs-police", url=receiver.url + "/hook")
        refused, _ = refer(services, "staffs-police")
        relay(services).drain()
        receiver.status = 503
        retried, _ = refer(services, "staffs-police")
        relay(services).drain()
    row = get(services, refused)
    assert row.status == "failed" and row.needs_attention and "unknown reference format" in row.error_message
    assert row.error_code == "HTTP 400"
    assert get(services, retried).status == "pending"


def test_open311_referral_posts_a_service_request_with_the_agencys_service_code(services):
    answer = b'[{"service_request_id": "SCC-4411", "service_notice": "thanks"}]'
    with HttpReceiver(status=201, answer=answer) as receiver:
        point_agency(services, "staffs-cc", url=receiver.url + "/open311/v2")
        message_id, reference = refer(
            services, "staffs-cc", asb_type="litter_flytipping", latitude=52.68, longitude=-1.83
        )
        relay(services).drain()
    [got] = receiver.received
    assert got.path == "/open311/v2/requests.json"
    form = {k: v[0] for k, v in parse_qs(got.body.decode()).items()}
    assert form["service_code"] == "HWY-FLYTIP" and form["api_key"] == "dev-only-staffs-cc-open311-key"
    assert form["attribute[asb_reference]"] == reference and form["lat"] == "52.68"
    assert form["description"].startswith(f"[{reference}] ")
    row = get(services, message_id)
    assert row.status == "delivered" and row.provider_id == "SCC-4411"


def test_inbox_agency_needs_nothing_sent(services):
    message_id, _ = refer(services, "mediation")
    row = get(services, message_id)
    assert row.status == "delivered" and row.delivery_status == "inbox" and row.transport == "inbox"
    assert relay(services).drain().sent == 0


def test_reassignment_sends_the_referral_again(services, smtp_sink):
    sink, port = smtp_sink
    services.settings.SMTP_PORT = port
    now = services.clock.now()
    with services.sessions() as session, session.begin():
        report = make_report(session, now, contact=make_contact(session, now))
        queue_referral(session, report, "ldc", now, "new", partnership=services.partnership)
    relay(services).drain()
    services.clock.advance(minutes=5)
    with services.sessions() as session, session.begin():
        report = session.merge(report)
        queue_referral(
            session, report, "ldc", services.clock.now(), "reassigned", partnership=services.partnership
        )
    relay(services).drain()
    subjects = [message_from_bytes(e.content)["Subject"] for e in sink.envelopes]
    assert len(subjects) == 2 and subjects[1].endswith("(reassigned)")


def test_anonymous_reporter_details_never_reach_the_agency(services):
    with HttpReceiver() as receiver:
        point_agency(services, "staffs-police", url=receiver.url + "/hook")
        refer(services, "staffs-police", anonymous=True)
        relay(services).drain()
    doc = receiver.received[0].json()
    assert doc["reporter"] == {"role": "victim", "anonymous": True, "channel": "sms"}
