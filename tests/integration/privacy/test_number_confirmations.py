"""A number confirmed in web chat under the data protection rules: subject access, erasure, retention.

The number is the resident's like an SMS reporter's: their access request by that number finds the chat
that confirmed it (its reports and transcript), erasure removes it all, and retention keeps an unconfirmed
number a day and a confirmed one as long as the conversation.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from casework.conversation.phone_codes import attach_number, issue_code
from casework.core.bootstrap import Services
from casework.core.models import ChatTurn, Contact, OutboxMessage, PhoneConfirmation, Report
from casework.privacy.retention import RetentionResult, delete_old_conversations
from casework.privacy.subject_access import erase, subject_access
from tests.factories import make_contact, make_report, make_turns

PHONE = "+447700900214"


def web_chat(services: Services, sender: str, *, confirm: bool) -> str:
    """A web chat that filed a report wanting texts, gave PHONE and (if `confirm`) typed its code."""
    now = services.clock.now()
    with services.sessions() as s, s.begin():
        chat = make_contact(s, phone=None, sender_id=sender, channel="web")
        report = make_report(s, conversation_id=sender, contact_id=chat.id, channel="web")
        make_turns(s, sender, [("resident", "music all night"), ("assistant", "Thank you")], start=now)
        issue_code(s, services, chat, PHONE, now)
        if confirm:
            row = s.scalars(select(PhoneConfirmation).where(PhoneConfirmation.contact_id == chat.id)).one()
            attach_number(s, services, chat, row, now)
        return report.reference


def test_subject_access_by_the_number_includes_the_chat_that_confirmed_it(services: Services) -> None:
    mine = web_chat(services, "web-mine", confirm=True)
    web_chat(services, "web-stranger", confirm=False)  # someone else typed the number; no code came back
    with services.sessions() as s:
        data = subject_access(
            s, phone="07700 900214", sender_key=services.settings.SENDER_ID_KEY, now=services.clock.now()
        )
    assert [r["reference"] for r in data["reports"]] == [mine]
    assert {c["sender_id"] for c in data["contacts"]} >= {"web-mine"}
    assert "web-stranger" not in {c["sender_id"] for c in data["contacts"]}
    assert {t["sender_id"] for t in data["chat_turns"]} == {"web-mine"}
    # Both codes texted to the number are listed, never the code or its hash.
    assert [c["status"] for c in data["number_confirmations"]] == ["confirmed", "pending"]
    assert all("code_hash" not in c and "code_salt" not in c for c in data["number_confirmations"])
    assert {m["purpose"] for m in data["sms_sent"]} >= {"phone_code", "ack"}


def test_erasure_by_the_number_removes_the_confirming_chat_and_every_code(services: Services) -> None:
    reference = web_chat(services, "web-mine", confirm=True)
    web_chat(services, "web-stranger", confirm=False)
    with services.sessions() as s, s.begin():
        result = erase(
            s,
            phone=PHONE,
            sender_key=services.settings.SENDER_ID_KEY,
            now=services.clock.now(),
            include_open=True,
        )
    assert result.reports_anonymised == [reference] and result.number_confirmations_deleted == 2
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PhoneConfirmation)) == 0
        assert s.scalar(select(Contact).where(Contact.sender_id == "web-mine")) is None
        assert s.scalar(select(Contact).where(Contact.phone == PHONE)) is None
        assert {t.sender_id for t in s.scalars(select(ChatTurn))} == {"web-stranger"}
        assert s.scalars(select(Report).where(Report.reference == reference)).one().anonymised_at is not None


def test_retention_keeps_an_unconfirmed_number_a_day_and_a_confirmed_one_with_the_conversation(
    services: Services, clock
) -> None:
    web_chat(services, "web-mine", confirm=True)
    web_chat(services, "web-stranger", confirm=False)
    days = services.settings.RETENTION_CONVERSATION_DAYS

    def run() -> RetentionResult:
        result = RetentionResult()
        with services.sessions() as s, s.begin():
            delete_old_conversations(s, now=services.clock.now(), days=days, result=result)
        return result

    clock.advance(hours=25)
    assert run().number_confirmations_deleted == 1
    with services.sessions() as s:
        (left,) = s.scalars(select(PhoneConfirmation)).all()
        assert left.status == "confirmed"
    clock.advance(days=days)
    assert run().number_confirmations_deleted == 1
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PhoneConfirmation)) == 0


def test_a_contact_a_confirmation_points_at_is_not_deleted_before_it(services: Services, clock) -> None:
    web_chat(services, "web-mine", confirm=True)
    with services.sessions() as s, s.begin():
        # The report was anonymised (its contact link removed); the confirmation is still held.
        s.scalars(select(Report)).one().contact_id = None
        for turn in s.scalars(select(ChatTurn)):
            s.delete(turn)
        for text in s.scalars(select(OutboxMessage)):
            text.status = "sent"
    clock.advance(days=services.settings.RETENTION_CONVERSATION_DAYS - 1)
    with services.sessions() as s, s.begin():
        for c in s.scalars(select(Contact)):
            c.updated_at = services.clock.now() - timedelta(days=400)
        delete_old_conversations(
            s,
            now=services.clock.now(),
            days=services.settings.RETENTION_CONVERSATION_DAYS,
            result=RetentionResult(),
        )
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 2
