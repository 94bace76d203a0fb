"""Faults: the database restarted, Twilio failing, Rasa restarted. Nothing a resident sends is lost.

The PostgreSQL test starts a private server of its own (tests/pg_instance.py) and restarts that one,
never the machine's shared cluster. Twilio is a real local HTTP server speaking Twilio's Messages API.
The Rasa test runs the real trained assistant (it needs .venv-bot and a model in models/).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from casework.cli.migrate import upgrade
from casework.conversation.deferred import retry_deferred
from casework.core.bootstrap import Services
from casework.core.clock import SystemClock
from casework.core.db import make_engine, make_session_factory
from casework.core.models import InboundSms, OutboxMessage, Report
from casework.core.settings import load_settings
from casework.messaging.notifications import notify_victim
from notifier.options import NotifierOptions
from notifier.relay import Relay, default_senders
from rasa_rest.client import client_for
from tests.e2e.bot_processes import actions_server, bot_env, bot_missing, free_port, rasa_server, running
from tests.fakes.twilio import FakeTwilio, FakeTwilioServer, _error
from tests.notifier_fakes import make_contact, make_report
from tests.pg_instance import PgInstance, pg_available, private_postgres
from tests.rasa_standin import running_rasa

PUBLIC = "https://asb.example.org"
TWILIO_TOKEN = "fault-test-twilio-token-0123"
INTERNAL = "fault-test-internal-token-0123"


def fault_settings(database_url: str, **extra: Any) -> Any:
    """Settings for an app under fault (its own database, signed SMS, internal token)."""
    return load_settings(
        DATABASE_URL=database_url,
        PARTNERSHIP="lichfield",
        PUBLIC_BASE_URL=PUBLIC,
        SECRET_KEY="fault-test-secret-key-0123",
        INTERNAL_API_TOKEN=INTERNAL,
        SENDER_ID_KEY="fault-test-sender-key-0123",
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        **{"RASA_TIMEOUT_SECONDS": 5, **extra},
    )


def sms_form(body: str, sid: str, number: str = "+447700900321") -> dict[str, str]:
    """Twilio's inbound SMS form fields."""
    return {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": "+447700900999",
        "Body": body,
        "NumMedia": "0",
    }


def post_sms(client: Any, form: dict[str, str]) -> Any:
    """POST the form to /sms/inbound signed as Twilio signs it."""
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC + "/sms/inbound", form)
    return client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": signature})


def intake(conversation: str, submission: str) -> dict[str, Any]:
    """A report as the assistant's action submits it."""
    return {
        "conversation_id": conversation,
        "submission_id": submission,
        "channel": "sms",
        "asb_type": "noise",
        "description": "Music through the wall every night",
        "location": "Dam Street, Lichfield",
    }


def post_intake(client: Any, body: dict[str, Any]) -> Any:
    """POST a report to the internal intake API with the shared token."""
    return client.post("/api/v1/intake", json=body, headers={"Authorization": f"Bearer {INTERNAL}"})


@pytest.fixture
def private_pg() -> Iterator[PgInstance]:
    """A PostgreSQL server of this test's own, which it may stop and start."""
    reason = pg_available()
    if reason:
        pytest.skip(reason)
    with private_postgres() as pg:
        yield pg


def test_postgresql_restart_gives_503_with_retry_after_then_recovers_and_loses_nothing(
    private_pg: PgInstance,
) -> None:
    from webhook import create_app

    url = private_pg.create_database("asb")
    upgrade(url)
    with running_rasa() as rasa:
        engine = make_engine(url)
        services = Services(
            fault_settings(url, RASA_URL=rasa.url), engine, make_session_factory(engine), SystemClock()
        )
        client = create_app({"TESTING": False}, services=services).test_client()
        conversation = "sms-" + uuid.uuid4().hex[:32]

        before = post_sms(client, sms_form("my neighbour is playing loud music", "SM" + "1" * 32))
        assert before.status_code == 200 and "You said" in before.get_data(as_text=True)
        assert post_intake(client, intake(conversation, "before")).status_code == 201

        private_pg.stop()
        during_sms = sms_form("it is still going on", "SM" + "2" * 32)
        down = post_sms(client, during_sms)
        assert down.status_code == 503, down.get_data(as_text=True)
        assert int(down.headers["Retry-After"]) > 0
        down_intake = post_intake(client, intake(conversation, "during"))
        assert down_intake.status_code == 503 and int(down_intake.headers["Retry-After"]) > 0
        assert "try again" in down_intake.get_json()["error"].lower()
        assert client.get("/healthz").status_code == 503

        private_pg.start()
        # Same app, same connection pool (now holding dead connections): it recovers by itself. Twilio and
        # the assistant's action retry what was refused, and each lands exactly once.
        again = post_sms(client, during_sms)
        assert again.status_code == 200, again.get_data(as_text=True)
        assert post_intake(client, intake(conversation, "during")).status_code == 201
        assert post_sms(client, during_sms).status_code == 200  # a second Twilio retry is de-duplicated

        with services.sessions() as session:
            sids = session.scalars(select(InboundSms.message_sid).order_by(InboundSms.id)).all()
            reports = session.scalar(select(func.count()).select_from(Report))
        assert sids == ["SM" + "1" * 32, "SM" + "2" * 32]
        assert reports == 2
        assert rasa.messages() == ["my neighbour is playing loud music", "it is still going on"]
        engine.dispose()


SEND_TIMEOUT = 1.0


class FlakyTwilio(FakeTwilio):
    """Twilio's Messages API having a bad day: each create request takes the next fault from a script.

    "500": an internal error, nothing sent. "hang": no answer within the client's timeout, nothing sent.
    "slow": the message IS sent, but the answer comes after the client gave up (the ambiguous case).
    """

    def __init__(self, faults: list[str]) -> None:
        super().__init__()
        self.faults = list(faults)
        self.fault_lock = threading.Lock()

    def create(self, account: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.fault_lock:
            fault = self.faults.pop(0) if self.faults else None
        if fault == "500":
            return 500, _error(20500, "Internal Server Error", 500)
        if fault == "hang":
            time.sleep(SEND_TIMEOUT * 2)
            return 503, _error(20503, "Service Unavailable", 503)
        result = super().create(account, form)
        if fault == "slow":
            time.sleep(SEND_TIMEOUT * 2)
        return result


class FlakyTwilioServer(FakeTwilioServer):
    """The flaky fake on a local port."""

    def __init__(self, faults: list[str]) -> None:
        from http.server import ThreadingHTTPServer

        from tests.fakes.twilio import _handler

        self.state = FlakyTwilio(faults)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state, False))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def flaky_twilio() -> Iterator[FlakyTwilioServer]:
    """Twilio answering 500s, hanging and answering late, in that order, then working again."""
    with FlakyTwilioServer(["500", "hang", "slow", "500", "hang", "slow", "500"]) as server:
        yield server


@pytest.fixture
def settings_overrides(flaky_twilio: FlakyTwilioServer) -> dict[str, object]:
    """Real Twilio settings pointed at the flaky fake."""
    return {
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_FROM_NUMBER": "+447700900001",
        "TWILIO_API_BASE_URL": flaky_twilio.url,
    }


def test_twilio_failing_or_timing_out_delays_messages_but_loses_and_repeats_none(
    services: Services, flaky_twilio: FlakyTwilioServer, clock: Any
) -> None:
    numbers = [f"+4477009004{n:02d}" for n in range(8)]
    with services.sessions() as session, session.begin():
        ids = []
        for number in numbers:
            report = make_report(
                session, clock.now(), contact=make_contact(session, clock.now(), phone=number)
            )
            row = notify_victim(
                session, report, purpose="status_update", now=clock.now(), partnership=services.partnership
            )
            ids.append(row.id)
    options = NotifierOptions(NOTIFIER_SEND_TIMEOUT_SECONDS=SEND_TIMEOUT, NOTIFIER_LEASE_SECONDS=60)
    relay = Relay(services, options=options, senders=default_senders(services, options), worker="w1")

    for _ in range(30):  # the notifier's clock: relay, settle stale claims, time passes
        relay.drain(max_seconds=5)
        relay.reconcile()
        with services.sessions() as session:
            states = session.scalars(select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))).all()
        if all(s in ("sent", "delivered") for s in states):
            break
        clock.advance(minutes=3)

    with services.sessions() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
    assert {r.status for r in rows} == {"sent"}, [(r.recipient, r.status, r.error_message) for r in rows]
    sent_to = sorted(m["to"] for m in flaky_twilio.state.messages)
    assert sent_to == sorted(numbers), "every message went exactly once"
    assert flaky_twilio.state.faults == []  # every fault was met
    assert max(r.attempts for r in rows) >= 2


def twiml_text(resp: Any) -> str:
    """The text of a TwiML reply, lower-cased."""
    return resp.get_data(as_text=True).lower()


def chat_text(resp: Any) -> str:
    """The web chat answer's text, lower-cased."""
    return " ".join(m["text"] for m in resp.get_json()).lower()


@pytest.mark.slow
def test_rasa_restarted_mid_conversation_carries_on_and_answers_what_came_while_it_was_down(
    private_pg: PgInstance, tmp_path: Any
) -> None:
    from webhook import create_app

    reason = bot_missing()
    if reason:
        pytest.skip(reason)
    app_url = private_pg.create_database("asb")
    upgrade(app_url)
    tracker_url = private_pg.create_database("rasa")
    actions_port, rasa_port = free_port(), free_port()
    env = bot_env(tracker_db_url=tracker_url, redis_db=10, actions_url=f"http://127.0.0.1:{actions_port}")
    rasa = rasa_server(rasa_port, env, tmp_path)
    with running(actions_server(actions_port, env, tmp_path), rasa):
        engine = make_engine(app_url)
        services = Services(
            fault_settings(app_url, RASA_URL=rasa.url, RASA_TIMEOUT_SECONDS=10),
            engine,
            make_session_factory(engine),
            SystemClock(),
        )
        app = create_app({"TESTING": False}, services=services)
        sms, chat = app.test_client(), app.test_client()
        number = "+447700900555"
        sid = iter(f"SM{n:032d}" for n in range(1, 100))

        first = post_sms(sms, sms_form("loud music from next door every night till 3am", next(sid), number))
        assert "where is it happening" in twiml_text(first)
        opened = chat.post(
            "/chat/messages", json={"message": "loud music from next door every night till 3am"}
        )
        assert "where is it happening" in chat_text(opened)

        rasa.stop()
        held = post_sms(sms, sms_form("Bore Street, Lichfield", next(sid), number))
        assert held.status_code == 200 and "text you its reply" in twiml_text(held)
        refused = chat.post("/chat/messages", json={"message": "Bore Street, Lichfield"})
        assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0

        rasa.start()
        rasa.wait_ready()
        # The notifier's deferred-reply job: the SMS sent while Rasa was down is answered, in context.
        assert retry_deferred(services, assistant=client_for(services.settings)) == 1
        with services.sessions() as session:
            late = session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.purpose == "reply", OutboxMessage.recipient == number
                )
            ).all()
        # The first message said when (every night till 3am): the next question is about tenure.
        assert late and "own your home or rent" in " ".join(m.body for m in late).lower()
        # The conversation carries on from the tracker store, over SMS and in the web chat (whose page
        # offers Try again after a 503: the same message again).
        carried = post_sms(sms, sms_form("we own it", next(sid), number))
        assert "text you updates" in twiml_text(carried)
        retried = chat.post("/chat/messages", json={"message": "Bore Street, Lichfield"})
        assert retried.status_code == 200 and "own your home or rent" in chat_text(retried)
        with services.sessions() as session:
            states = session.scalars(select(InboundSms.status).order_by(InboundSms.id)).all()
        assert states == ["answered", "answered", "answered"]
        engine.dispose()
