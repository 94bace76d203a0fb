"""The code that confirms a web chat reporter's number, as the notifier sends it: at once, even in quiet
hours (the resident asked for it just now), never once the number said STOP or the code is out of use."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from casework.conversation.phone_codes import issue_code
from casework.core.bootstrap import Services
from casework.core.models import Contact, OutboxMessage
from notifier.options import NotifierOptions
from notifier.relay import Relay
from notifier.sms import ConsoleSmsSender
from tests.factories import make_contact

PHONE = "+447700900214"


def ask_for_code(services: Services, sender: str = "web-chat") -> int:
    """A web chat gives PHONE at the number question; returns the code text's outbox id."""
    with services.sessions() as s, s.begin():
        chat = s.scalar(select(Contact).where(Contact.sender_id == sender)) or make_contact(
            s, phone=None, sender_id=sender, channel="web"
        )
        issue_code(s, services, chat, PHONE, services.clock.now())
        return s.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())).first()  # type: ignore[return-value]


def drain(services: Services) -> None:
    Relay(services, options=NotifierOptions(), senders={"sms": ConsoleSmsSender()}, worker="w1").drain()


def text(services: Services, message_id: int) -> OutboxMessage:
    with services.sessions() as s:
        row = s.get(OutboxMessage, message_id)
        assert row is not None
        return row


def test_a_code_goes_at_once_even_in_quiet_hours(services: Services, clock) -> None:
    clock.set(datetime(2026, 11, 18, 22, 30, tzinfo=UTC))  # 22:30 in London: quiet hours
    message_id = ask_for_code(services)
    drain(services)
    sent = text(services, message_id)
    assert sent.status == "sent" and sent.body.startswith("###### is your code for")


def test_a_stop_from_the_number_after_the_code_was_queued_wins(services: Services) -> None:
    message_id = ask_for_code(services)
    with services.sessions() as s, s.begin():
        make_contact(s, phone=PHONE, sms_opted_out=True)
    drain(services)
    cancelled = text(services, message_id)
    assert cancelled.status == "cancelled" and "STOP" in (cancelled.error_message or "")


def test_a_replaced_code_is_not_sent(services: Services) -> None:
    first = ask_for_code(services)
    second = ask_for_code(services)  # "send a new code"
    drain(services)
    assert text(services, first).status == "cancelled"
    assert text(services, second).status == "sent"
