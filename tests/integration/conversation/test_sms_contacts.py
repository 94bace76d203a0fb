"""Contacts: get-or-create by opaque sender id, safe-texting re-asked when the number changes, opt-out."""

from __future__ import annotations

from sqlalchemy import func, select

from casework.conversation.contacts import (
    get_or_create_sms_contact,
    get_or_create_web_contact,
    needs_text_safe_question,
    record_opt_in,
    record_opt_out,
    record_text_safe,
    set_phone,
)
from casework.conversation.deferred import retry_deferred
from casework.core.models import Contact, InboundSms, OutboxMessage
from casework.messaging.outbox import enqueue
from notifier import deferred_replies
from tests.rasa_standin import running_rasa

KEY = "test-sender-key-0123456789"


def test_the_same_number_in_any_format_is_one_contact(services):
    now = services.clock.now()
    with services.sessions() as s, s.begin():
        a = get_or_create_sms_contact(s, phone="07700 900123", key=KEY, now=now)
        b = get_or_create_sms_contact(s, phone="+447700900123", key=KEY, now=now)
        assert a.id == b.id and a.phone == "+447700900123" and a.sender_id.startswith("sms-")
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 1


def test_a_changed_number_means_asking_again_whether_texting_is_safe(services):
    now = services.clock.now()
    with services.sessions() as s, s.begin():
        contact = get_or_create_web_contact(s, sender_id="web-abcdefghijklmnopqrstuv", now=now)
        set_phone(s, contact, "07700 900123", now=now)
        assert needs_text_safe_question(contact)
        record_text_safe(contact, True, now=now)
        set_phone(s, contact, "+44 7700 900123", now=now)  # the same number, written differently
        assert contact.text_safe is True and not needs_text_safe_question(contact)
        set_phone(s, contact, "07700 900456", now=now)
        assert contact.text_safe is None and contact.text_safe_asked_at is None
        assert needs_text_safe_question(contact)


def test_opt_out_cancels_unsent_texts_and_leaves_sent_ones_alone(services):
    now = services.clock.now()
    with services.sessions() as s, s.begin():
        contact = get_or_create_sms_contact(s, phone="+447700900123", key=KEY, now=now)
        pending = enqueue(
            s,
            kind="sms",
            transport="sms",
            purpose="cadence",
            now=now,
            recipient=contact.phone,
            contact_id=contact.id,
            body="Ref: open.",
        )
        held = enqueue(
            s,
            kind="sms",
            transport="sms",
            purpose="closure",
            now=now,
            recipient=contact.phone,
            contact_id=None,
            body="Ref: closed.",
            status="held",
        )
        sent = enqueue(
            s,
            kind="sms",
            transport="sms",
            purpose="ack",
            now=now,
            recipient=contact.phone,
            contact_id=contact.id,
            body="Ref: thanks.",
            status="sent",
        )
        assert record_opt_out(s, contact, now=now) == 2
        ids = pending.id, held.id, sent.id
    with services.sessions() as s, s.begin():
        assert [s.get(OutboxMessage, i).status for i in ids] == ["cancelled", "cancelled", "sent"]
        contact = s.scalars(select(Contact)).one()
        assert contact.sms_opted_out and contact.opted_out_at is not None
        assert record_opt_in(contact, now=now) is True and not contact.sms_opted_out


def test_the_notifier_job_relays_kept_messages_once_rasa_is_back(services, settings_overrides):
    now = services.clock.now()
    with services.sessions() as s, s.begin():
        contact = get_or_create_sms_contact(s, phone="+447700900123", key=KEY, now=now)
        s.add(
            InboundSms(
                message_sid="SMkept",
                contact_id=contact.id,
                body="hello",
                num_media=0,
                status="deferred",
                reply=[],
                created_at=now,
            )
        )
    with running_rasa() as rasa:
        services.settings.RASA_URL = rasa.url
        assert deferred_replies.retry_deferred(services) == 1
        assert rasa.messages() == ["hello"]
    with services.sessions() as s:
        (reply,) = s.scalars(select(OutboxMessage)).all()
    assert (reply.purpose, reply.recipient, reply.body) == (
        "reply",
        "+447700900123",
        "Sorry for the wait. You said: hello",
    )


def test_a_message_abandoned_mid_relay_by_a_crash_is_picked_up_again(services, clock):
    now = clock.now()
    with services.sessions() as s, s.begin():
        contact = get_or_create_sms_contact(s, phone="+447700900123", key=KEY, now=now)
        s.add(
            InboundSms(
                message_sid="SMcrash",
                contact_id=contact.id,
                body="are you there",
                num_media=0,
                status="received",
                reply=[],
                created_at=now,
            )
        )
    with running_rasa() as rasa:
        from webhook.rasa_client import client_for

        services.settings.RASA_URL = rasa.url
        assert (
            retry_deferred(services, assistant=client_for(services.settings)) == 0
        )  # may still be in flight
        clock.advance(minutes=3)
        assert retry_deferred(services, assistant=client_for(services.settings)) == 1
        assert rasa.messages() == ["are you there"]
