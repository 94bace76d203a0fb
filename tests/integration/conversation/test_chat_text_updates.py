"""Updates by text for web chat reporters, over HTTP: POST /chat/messages with a local stand-in for Rasa,
the real intake API, the real notifier relay (console transport), on SQLite and PostgreSQL.

The stand-in asks what the assistant asks after filing a web report that wants updates: the number question
(its Skip button names `phone_status`), then the code question (`code_status`). The resident's number and
code must never reach it; only the outcome does.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from casework.conversation import my_reports
from casework.core.models import (
    AuditEvent,
    ChatTurn,
    Contact,
    OutboxMessage,
    PhoneConfirmation,
    Report,
    ReportEvent,
)
from casework.staff import Actor
from casework.staff.triage import accept
from notifier.options import NotifierOptions
from notifier.relay import Relay
from notifier.sms import ConsoleSmsSender
from tests.factories import PASSWORD, cheap_password_hashing, make_staff
from tests.rasa_standin import RasaStandIn, running_rasa

SITE = "https://asb.example.org"
AUTH = {"Authorization": "Bearer test-internal-token-0123456789"}
NUMBER_QUESTION = {
    "text": "What's your mobile number? We'll text you a code to check it's yours.",
    "buttons": [{"title": "No thanks, skip", "payload": '/inform{"phone_status":"skipped"}'}],
}
CODE_QUESTION = {
    "text": "Type the 6-digit code we texted you.",
    "buttons": [
        {"title": "Send a new code", "payload": '/inform{"code_status":"resend"}'},
        {"title": "Skip", "payload": '/inform{"code_status":"skipped"}'},
    ],
}


def assistant(sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The assistant's two questions: the code question once a code was sent, else the number question."""
    if message.startswith("/inform{") and '"code_status"' in message:
        status = json.loads(message.removeprefix("/inform"))["code_status"]
        return [{"text": f"code: {status}"}] + ([] if status == "confirmed" else [CODE_QUESTION])
    if message.startswith('/inform{"phone_status":"code_sent"'):
        return [CODE_QUESTION]
    return [{"text": f"You said: {message}"}, NUMBER_QUESTION]


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    with running_rasa() as server:
        server.reply = assistant
        yield server


@pytest.fixture
def settings_overrides(rasa: RasaStandIn) -> dict[str, object]:
    return {"RASA_URL": rasa.url, "RASA_TIMEOUT_SECONDS": 5.0}


def say(client, message: str):  # type: ignore[no-untyped-def]
    resp = client.post(
        "/chat/messages",
        json={"sender": "x", "message": message},
        headers={"Origin": SITE, "Sec-Fetch-Site": "same-origin"},
        base_url=SITE,
    )
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def file_web_report(client, sender: str, **contact: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """File a report from this chat through the real intake API, as the assistant does."""
    body = {
        "conversation_id": sender,
        "submission_id": uuid.uuid4().hex,
        "channel": "web",
        "asb_type": "noise",
        "description": "Loud music every night until 3am from next door.",
        "location": "Bore Street, Lichfield",
        "occurred": "last night",
        "contact": {"wants_updates": True, "anonymous": False, "text_safe": True, **contact},
    }
    resp = client.post("/api/v1/intake", json=body, headers=AUTH)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def start(client, rasa: RasaStandIn) -> str:  # type: ignore[no-untyped-def]
    """Open a chat (the assistant asks for a number) and return its opaque sender id."""
    say(client, "hello")
    return rasa.calls[-1]["sender"]


def code_texts(services) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with services.sessions() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "phone_code")))


def the_code(services) -> str:  # type: ignore[no-untyped-def]
    """What the resident reads on their phone (the latest code text's body)."""
    body = code_texts(services)[-1].body
    found = re.match(r"^(\d{6}) ", body)
    assert found, body
    return found.group(1)


def drain(services) -> None:  # type: ignore[no-untyped-def]
    Relay(services, options=NotifierOptions(), senders={"sms": ConsoleSmsSender()}, worker="w1").drain()


def test_a_number_is_confirmed_by_its_code_and_only_then_gets_the_reports_texts(client, rasa, services):
    sender = start(client, rasa)
    filed = file_web_report(client, sender)
    assert filed["text_updates"] == {"status": "ask"}

    answer = say(client, "it's 07700 900214")
    assert answer == [CODE_QUESTION]
    # The assistant hears the outcome, never the number; the transcript keeps only its last digits.
    assert rasa.messages()[-1] == '/inform{"phone_status":"code_sent","phone_ending":"214"}'
    assert all("900214" not in m for m in rasa.messages())
    with services.sessions() as s:
        shown = [t.text for t in s.scalars(select(ChatTurn).where(ChatTurn.speaker == "resident"))]
        assert shown[-1] == "[mobile number ending 214]" and not any("900214" in t for t in shown)
        # Until the code comes back the number is on no contact, and nothing but the code is texted.
        assert s.scalar(select(Contact).where(Contact.phone == "+447700900214")) is None
        report = s.scalars(select(Report)).one()
        assert report.contact.phone is None
    (text,) = code_texts(services)
    assert text.status == "pending" and text.recipient == "+447700900214" and text.report_id is None
    assert re.fullmatch(
        r"\d{6} is your code for Lichfield District CSP\. If you did not ask for it, ignore this text\.",
        text.body,
    )
    assert text.segments == 1 and text.encoding == "GSM-7"

    assert say(client, the_code(services))[0] == {"text": "code: confirmed"}
    assert rasa.messages()[-1] == '/inform{"code_status":"confirmed"}'
    with services.sessions() as s:
        report = s.scalars(select(Report)).one()
        number = report.contact
        assert number.phone == "+447700900214" and number.channel == "sms"
        assert number.phone_confirmed_at == services.clock.now()
        ack = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "ack")).one()
        assert ack.status == "pending" and ack.recipient == "+447700900214"
        assert ack.body.startswith(f"Ref {report.reference}: thank you, we have your report.")
        event = s.scalars(select(ReportEvent).where(ReportEvent.kind == "text_updates_confirmed")).one()
        assert "ending 214" in event.body and not event.public
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "contact.number_confirmed")).one()
    # Once confirmed, the code is no longer kept in the outbox.
    assert "######" in code_texts(services)[0].body


def test_texts_go_through_the_notifier_and_the_code_is_not_kept_once_sent(client, rasa, services):
    sender = start(client, rasa)
    file_web_report(client, sender)
    say(client, "07700900214")
    code = the_code(services)
    drain(services)
    (text,) = code_texts(services)
    assert text.status == "sent" and code not in text.body and text.body.startswith("###### is your code")
    with services.sessions() as s:
        row = s.scalars(select(PhoneConfirmation)).one()
        assert row.code_hash != code and code not in row.code_hash + row.code_salt


def test_a_later_report_from_the_same_chat_is_texted_without_asking_again(client, rasa, services):
    sender = start(client, rasa)
    file_web_report(client, sender)
    say(client, "07700 900214")
    say(client, the_code(services))
    second = client.post(
        "/api/v1/intake",
        json={
            "conversation_id": sender,
            "submission_id": "second",
            "channel": "web",
            "asb_type": "graffiti",
            "description": "Graffiti on the bus shelter.",
            "location": "Bore Street, Lichfield",
            "contact": {"wants_updates": True, "anonymous": False, "text_safe": True},
        },
        headers=AUTH,
    ).get_json()
    assert second["text_updates"] == {"status": "confirmed", "phone_ending": "214"}
    with services.sessions() as s:
        report = s.scalar(select(Report).where(Report.reference == second["reference"]))
        assert report.contact.phone == "+447700900214"
        acks = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "ack")).all()
        assert {a.recipient for a in acks} == {"+447700900214"} and len(acks) == 2


def test_a_wrong_code_says_so_and_attaches_nothing(client, rasa, services):
    sender = start(client, rasa)
    file_web_report(client, sender)
    say(client, "07700 900214")
    wrong = "000000" if the_code(services) != "000000" else "111111"
    assert say(client, wrong)[0] == {"text": "code: wrong"}
    with services.sessions() as s:
        assert s.scalars(select(Report)).one().contact.phone is None
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "ack")).all() == []


def test_five_wrong_codes_lock_it_and_a_new_code_can_be_sent(client, rasa, services):
    sender = start(client, rasa)
    file_web_report(client, sender)
    say(client, "07700 900214")
    code = the_code(services)
    wrong = "000000" if code != "000000" else "111111"
    answers = [say(client, wrong)[0]["text"] for _ in range(5)]
    assert answers == ["code: wrong"] * 4 + ["code: locked"]
    assert say(client, code)[0] == {"text": "code: locked"}  # even the right code, once locked
    assert say(client, '/inform{"code_status":"resend"}')[0] == {"text": "code: resent"}
    assert len(code_texts(services)) == 2
    assert say(client, the_code(services))[0] == {"text": "code: confirmed"}


def test_an_expired_code_says_so(client, rasa, services, clock):
    sender = start(client, rasa)
    file_web_report(client, sender)
    say(client, "07700 900214")
    code = the_code(services)
    clock.advance(minutes=16)
    assert say(client, code)[0] == {"text": "code: expired"}
    drain(services)
    # A code text that could not go before its code expired is not sent late.
    assert code_texts(services)[0].status == "cancelled"


def test_a_number_that_is_not_a_uk_mobile_is_refused_plainly(client, rasa, services):
    start(client, rasa)
    say(client, "01543 308000")
    assert rasa.messages()[-1] == '/inform{"phone_status":"not_mobile"}'
    say(client, "+33 6 12 34 56 78")
    assert rasa.messages()[-1] == '/inform{"phone_status":"not_mobile"}'
    assert code_texts(services) == []
    with services.sessions() as s:
        shown = [t.text for t in s.scalars(select(ChatTurn).where(ChatTurn.speaker == "resident"))]
    assert shown[-2:] == ["[a number that is not a UK mobile]"] * 2


def test_codes_are_limited_per_chat_and_per_number(app, rasa, services, clock):
    first, second = app.test_client(), app.test_client()
    start(first, rasa)
    for number in ("07700 900201", "07700 900202", "07700 900203"):
        say(first, number)
    say(first, "07700 900204")
    assert rasa.messages()[-1] == '/inform{"phone_status":"limited","phone_ending":"204"}'
    start(second, rasa)
    outcomes = []
    for _ in range(3):
        clock.advance(minutes=2)
        say(second, "07700 900203")
        outcomes.append(rasa.messages()[-1])
    # 07700 900203 had one code from the first chat and two from the second: a fourth would pester it.
    assert outcomes[-1] == '/inform{"phone_status":"limited","phone_ending":"203"}'
    assert len(code_texts(services)) == 5


def test_the_same_number_sent_twice_at_once_gets_one_code(client, rasa, services):
    start(client, rasa)
    say(client, "07700 900214")
    say(client, '/inform{"code_status":"skipped"}')
    say(client, "07700 900214")
    assert len(code_texts(services)) == 1


def test_no_code_goes_to_a_number_that_said_stop_or_from_a_chat_that_said_texting_is_unsafe(
    app, rasa, services
):
    with services.sessions() as s, s.begin():
        s.add(
            Contact(
                sender_id="sms-stopped",
                channel="sms",
                phone="+447700900555",
                sms_opted_out=True,
                number_invalid=False,
                created_at=services.clock.now(),
                updated_at=services.clock.now(),
            )
        )
    stopped = app.test_client()
    start(stopped, rasa)
    say(stopped, "07700 900555")
    assert rasa.messages()[-1] == '/inform{"phone_status":"refused","phone_ending":"555"}'

    unsafe = app.test_client()
    sender = start(unsafe, rasa)
    first = file_web_report(unsafe, sender, text_safe=False, wants_updates=False)
    assert first["text_updates"] is None
    # A later "text me" in the same chat does not undo the earlier "not safe": the safest answer wins.
    later = file_web_report(unsafe, sender)
    assert later["text_updates"] == {"status": "not_safe"}
    say(unsafe, "07700 900666")
    assert rasa.messages()[-1] == '/inform{"phone_status":"not_safe","phone_ending":"666"}'
    assert code_texts(services) == []
    with services.sessions() as s:
        assert all(r.text_safe is False and not r.wants_updates for r in s.scalars(select(Report)))


def test_only_the_number_question_takes_a_number(client, rasa, services):
    rasa.reply = lambda s, m, md: [{"text": "What happened?"}]
    say(client, "my neighbour keeps calling 07700 900214 at night")
    assert rasa.messages()[-1] == "my neighbour keeps calling 07700 900214 at night"
    assert code_texts(services) == []


def test_danger_at_the_number_question_goes_to_the_assistant_for_999(client, rasa, services):
    start(client, rasa)
    say(client, "he's got a knife, ring me on 07700 900214")
    assert rasa.messages()[-1] == "he's got a knife, ring me on 07700 900214"
    assert code_texts(services) == []


def test_an_outcome_typed_by_hand_is_not_trusted(client, rasa, services):
    sender = start(client, rasa)
    file_web_report(client, sender)
    say(client, "07700 900214")
    say(client, '/inform{"code_status":"confirmed"}')
    assert rasa.messages()[-1] == '/inform{"code":"confirmed"}'
    with services.sessions() as s:
        assert s.scalars(select(Report)).one().contact.phone is None


def test_staff_see_whether_updates_go_to_a_confirmed_number_masked(app, client, rasa, services, monkeypatch):
    cheap_password_hashing(monkeypatch)
    with services.sessions() as s, s.begin():
        make_staff(s, "triage", email="triage@example.org")
    staff = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', staff.get("/staff/login").get_data(as_text=True))
    assert token
    staff.post(
        "/staff/login",
        data={"email": "triage@example.org", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    sender = start(client, rasa)
    reference = file_web_report(client, sender)["reference"]
    before = staff.get(f"/staff/reports/{reference}").get_data(as_text=True)
    assert "asked in web chat for texts; no number confirmed" in before
    say(client, "07700 900214")
    say(client, the_code(services))
    after = staff.get(f"/staff/reports/{reference}").get_data(as_text=True)
    assert "number ending 214 · confirmed in web chat with a texted code" in after
    assert "900214" not in after and "07700" not in after


@pytest.mark.parametrize(
    "contact",
    [
        {"anonymous": True, "wants_updates": False, "text_safe": None},
        {"wants_updates": False, "text_safe": None},
    ],
)
def test_a_report_that_did_not_ask_for_texts_is_not_offered_them(client, rasa, contact):
    sender = start(client, rasa)
    assert file_web_report(client, sender, **contact)["text_updates"] is None


def test_once_confirmed_public_updates_are_texted_as_for_an_sms_reporter(client, rasa, services, clock):
    sender = start(client, rasa)
    reference = file_web_report(client, sender)["reference"]
    say(client, "07700 900214")
    say(client, the_code(services))
    drain(services)
    with services.sessions() as s, s.begin():
        officer = make_staff(s, "triage")
        accept(
            s,
            actor=Actor(user_id=officer.id, role="triage"),
            reference=reference,
            now=services.clock.now(),
            partnership=services.partnership,
        )
    clock.set(datetime(2026, 11, 18, 21, 0, tzinfo=UTC))  # quiet hours: the update waits for the morning
    drain(services)
    with services.sessions() as s:
        update = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "status_update")).one()
        assert update.recipient == "+447700900214" and update.status == "held"
        number = s.scalars(select(Report)).one().contact
        # "Reply UPDATE to read it": the phone that confirmed the number is told how the report is going.
        (mine,) = my_reports(s, number.sender_id, partnership=services.partnership)
        assert mine.reference == reference and mine.status == "accepted"
    with services.sessions() as s, s.begin():
        s.scalars(select(Report)).one().contact.sms_opted_out = True  # STOP from the phone
    clock.set(datetime(2026, 11, 19, 8, 1, tzinfo=UTC))
    drain(services)
    with services.sessions() as s:
        update = s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "status_update")).one()
        assert update.status == "cancelled" and "STOP" in (update.error_message or "")
