"""From a resident's texts to the agency's system, for each shipped partnership: signed SMS in through
/sms/inbound, the conversation (the Rasa stand-in used by the other end-to-end tests, filing through the
real intake API), routing to the partnership's lead agency, then the notifier's relay delivering the
referral to the agency stand-ins (a local SMTP sink, a signed-webhook receiver)."""

from __future__ import annotations

import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email import message_from_bytes

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import select
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from casework.core.bootstrap import Services
from casework.core.db import make_engine, make_session_factory
from casework.core.models import OutboxMessage, Report
from casework.core.settings import load_settings
from notifier.options import NotifierOptions
from notifier.relay import Relay, default_senders
from tests.integration.messaging.test_notifier_referrals import Sink, free_port, point_agency
from tests.notifier_fakes import HttpReceiver
from tests.rasa_standin import ScriptedReport, running_rasa

PUBLIC = "https://asb.example.org"
TWILIO_TOKEN = "partnership-e2e-twilio-token"
INTERNAL = "partnership-e2e-internal-token-0123"

# (partnership, type the resident reports, where, lead agency expected, copied agencies expected)
CASES = [
    ("lichfield", "noise", "Bore Street, Lichfield", "ldc", []),
    ("durham", "vehicle_nuisance", "Front Street, Stanley", "durham-police", []),
    ("charnwood", "litter_flytipping", "Storer Road, Loughborough", "charnwood-bc", ["lboro-uni"]),
]


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def live_stack(name: str, url: str, clock, rasa_url: str):  # type: ignore[no-untyped-def]
    """The whole webhook for one partnership, served on a loopback port."""
    from webhook import create_app

    settings = load_settings(
        DATABASE_URL=url,
        PARTNERSHIP=name,
        PUBLIC_BASE_URL=PUBLIC,
        SECRET_KEY="partnership-e2e-secret-key-0123",
        INTERNAL_API_TOKEN=INTERNAL,
        SENDER_ID_KEY="partnership-e2e-sender-key-0123",
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        RASA_URL=rasa_url,
        RASA_TIMEOUT_SECONDS=8.0,
    )
    engine = make_engine(url)
    services = Services(settings=settings, engine=engine, sessions=make_session_factory(engine), clock=clock)
    server = make_server("127.0.0.1", 0, create_app({"TESTING": True}, services=services), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return services, server, f"http://127.0.0.1:{server.server_port}"


def text(base: str, body: str, number: str = "+447700900321") -> list[str]:
    """One SMS from the resident's handset, signed as Twilio signs it; the reply texts."""
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": "+447700900999",
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC + "/sms/inbound", form)
    resp = requests.post(
        f"{base}/sms/inbound", data=form, headers={"X-Twilio-Signature": signature}, timeout=20
    )
    assert resp.status_code == 200, resp.text
    return [m.text or "" for m in ET.fromstring(resp.content).findall("Message")]


@pytest.mark.parametrize(("name", "asb_type", "where", "lead", "copied"), CASES)
def test_a_texted_report_reaches_the_partnerships_lead_agency(  # type: ignore[no-untyped-def]
    name, asb_type, where, lead, copied, db_url, clock, smtp_sink
):
    sink, smtp_port = smtp_sink
    # The stand-in files through the webhook's intake API, whose address is known once it is serving.
    script = ScriptedReport("http://127.0.0.1:1", INTERNAL, asb_type=asb_type)
    with running_rasa(reply=script) as rasa, HttpReceiver() as agency_hook:
        services, server, base = live_stack(name, db_url, clock, rasa.url)
        script.webhook_url = base
        services.settings.SMTP_PORT = smtp_port
        for agency_id, agency in services.partnership.agencies.items():
            if agency.referral.method == "webhook":
                point_agency(services, agency_id, url=f"{agency_hook.url}/referrals/{agency_id}")
        try:
            text(base, "They keep doing it, it happens every week and it is getting worse")
            text(base, where)
            text(base, "last night and it is still going on")
            text(base, "1")  # It's happening to me
            [reply] = text(base, "1")  # Yes, send it
            assert "Your reference is ASB-" in reply
            reference = reply.split("Your reference is ", 1)[1].split(".", 1)[0]
            assert services.partnership.agencies[lead].name in reply

            with services.sessions() as db:
                report = db.scalar(select(Report).where(Report.reference == reference))
                assert report.lead_agency == lead and report.channel == "sms"
                assert sorted(report.copied_agencies) == sorted(copied)
                queued = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "referral")).all()
                assert {m.agency_id for m in queued} >= {lead, *copied}

            options = NotifierOptions()
            Relay(services, options=options, senders=default_senders(services, options), worker="e2e").drain()
        finally:
            server.shutdown()
            services.engine.dispose()

    arrived: dict[str, str] = {}
    for envelope in sink.envelopes:
        mail = message_from_bytes(envelope.content)
        for rcpt in envelope.rcpt_tos:
            arrived[rcpt] = mail["Subject"]
    for got in agency_hook.received:
        arrived[got.path] = got.json()["reference"]
    for agency_id in (lead, *copied):
        referral = services.partnership.agencies[agency_id].referral
        if referral.method == "email":
            assert reference in arrived[referral.address], arrived
        elif referral.method == "webhook":
            assert arrived[f"/referrals/{agency_id}"] == reference
