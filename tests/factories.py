"""Small ORM factories for tests: reports, contacts, staff and outbox rows written straight to the database.

Anyone's tests may use these; they fill only what a report needs, so tests state what matters to them.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from casework.core.models import ChatTurn, Contact, OutboxMessage, Report, StaffUser
from casework.staff import accounts as staff
from casework.staff.accounts import create_staff

_seq = itertools.count(1)
PASSWORD = "correct horse battery"
NOW = datetime.fromisoformat("2026-11-18T10:00:00+00:00")


def reference(n: int | None = None) -> str:
    """A unique, valid-looking reference (alphabet without 0/O/1/I/L)."""
    n = next(_seq) if n is None else n
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    body = ""
    for _ in range(6):
        n, digit = divmod(n, len(alphabet))
        body = alphabet[digit] + body
    return "ASB-" + body


def make_contact(session: Session, *, phone: str | None = "+447700900123", **fields: Any) -> Contact:
    """A contact (SMS by default), flushed so it has an id."""
    n = next(_seq)
    now = fields.pop("created_at", NOW)
    contact = Contact(
        sender_id=fields.pop("sender_id", f"sms:test{n}"),
        channel=fields.pop("channel", "sms" if phone else "web"),
        phone=phone,
        sms_opted_out=fields.pop("sms_opted_out", False),
        number_invalid=fields.pop("number_invalid", False),
        text_safe=fields.pop("text_safe", True),
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(contact)
    session.flush()
    return contact


def make_report(session: Session, **fields: Any) -> Report:
    """A routed report with sensible defaults (noise in Chasetown, lead ldc), flushed so it has an id."""
    created = fields.pop("created_at", NOW - timedelta(hours=2))
    values: dict[str, Any] = {
        "reference": reference(),
        "asb_type": "noise",
        "nsir_class": "nuisance",
        "description": "Loud music every night until 3am from the flat above.",
        "location_text": "High Street, Chasetown",
        "ward": "Chasetown",
        "place_key": "high street chasetown",
        "reporter_role": "victim",
        "risk_level": "standard",
        "status": "open",
        "lead_agency": "ldc",
        "copied_agencies": [],
        "routing_reasons": ["noise from a private home → Lichfield District Council: type rule"],
        "channel": "web",
        "wants_updates": True,
        "text_safe": True,
        "due_at": created + timedelta(days=7),
        "created_at": created,
        "updated_at": created,
    }
    values.update(fields)
    report = Report(**values)
    session.add(report)
    session.flush()
    return report


def make_staff(
    session: Session,
    role: str = "triage",
    *,
    email: str | None = None,
    agency_id: str | None = None,
    wards: list[str] | None = None,
    password: str = PASSWORD,
) -> StaffUser:
    """A staff account with the shared test password."""
    n = next(_seq)
    if role == "agency" and agency_id is None:
        agency_id = "ldc"
    return create_staff(
        session,
        email=email or f"{role}{n}@example.org",
        name=f"Test {role} {n}",
        password=password,
        role=role,
        now=NOW,
        agency_id=agency_id,
        wards=wards,
    )


def make_outbox(session: Session, report: Report, **fields: Any) -> OutboxMessage:
    """An outbox row for a report (an SMS by default)."""
    now = fields.pop("created_at", NOW)
    row = OutboxMessage(
        kind=fields.pop("kind", "sms"),
        transport=fields.pop("transport", "sms"),
        purpose=fields.pop("purpose", "ack"),
        report_id=report.id,
        recipient=fields.pop("recipient", "+447700900123"),
        body=fields.pop("body", f"Ref {report.reference}: thank you, we have your report."),
        status=fields.pop("status", "sent"),
        attempts=fields.pop("attempts", 1),
        next_attempt_at=now,
        needs_attention=fields.pop("needs_attention", False),
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def make_turns(session: Session, sender_id: str, turns: list[tuple[str, str]], *, start: datetime) -> None:
    """Conversation turns (speaker, text) a minute apart."""
    for i, (speaker, text) in enumerate(turns):
        session.add(
            ChatTurn(sender_id=sender_id, speaker=speaker, text=text, created_at=start + timedelta(minutes=i))
        )
    session.flush()


def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id with the smallest cost, so tests that sign in many times stay quick on a busy machine."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(staff, "_hasher", hasher)
    monkeypatch.setattr(staff, "_DUMMY_HASH", hasher.hash("not-a-real-password-0000"))
