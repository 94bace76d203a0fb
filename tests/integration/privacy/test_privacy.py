"""Subject access and erasure by phone number: complete, limited to that number, audited."""

from __future__ import annotations

import getpass
import json
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework.cli.privacy import run_erase, run_sar
from casework.conversation.contacts import sms_sender_id
from casework.core.bootstrap import Services
from casework.core.models import (
    AuditEvent,
    ChatTurn,
    Contact,
    InboundSms,
    OutboxMessage,
    Report,
    SurveyResponse,
)
from casework.messaging.outbox import enqueue
from casework.privacy.subject_access import OpenReportsNeedConfirmation
from tests.integration.privacy.test_retention import add_conversation, close, file_sms_report

ROOT = Path(__file__).resolve().parents[3]
PHONE = "+447700900123"
OTHER = "+447700900999"


def resident_with_history(services: Services) -> Report:
    """A resident who texted, filed a report, had it closed and answered the survey; plus a neighbour."""
    add_conversation(services, phone=PHONE, days_ago=3)
    report = file_sms_report(services, phone=PHONE)
    close(services, report.reference, days_ago=40)
    with services.sessions() as session, session.begin():
        session.add(
            SurveyResponse(report_id=report.id, survey="1m", score=4, created_at=services.clock.now())
        )
    file_sms_report(services, phone=OTHER, submission="n", description="Dogs barking all day on Bore Street")
    return report


def test_a_subject_access_file_holds_everything_about_the_number_and_nothing_else(
    services: Services, tmp_path: Path
) -> None:
    report = resident_with_history(services)
    out = tmp_path / "sar.json"

    counts = run_sar(services, phone="07700 900123", out=out)

    data = json.loads(out.read_text())
    assert data["subject"]["phone"] == PHONE
    assert [c["phone"] for c in data["contacts"]] == [PHONE]
    assert [r["reference"] for r in data["reports"]] == [report.reference]
    assert "Mrs Smith" in data["reports"][0]["description"]
    assert any(e["kind"] == "status_changed" for e in data["report_events"])
    assert [s["score"] for s in data["survey_answers"]] == [4]
    assert [m["body"] for m in data["sms_received"]] == ["hello"]
    assert any(m["purpose"] == "reply" for m in data["sms_sent"]) and all(
        m["recipient"] in (PHONE, "") for m in data["sms_sent"]
    )
    assert {t["text"] for t in data["chat_turns"]} == {"my neighbour", "Where?"}
    assert "Bore Street" not in out.read_text() and OTHER not in out.read_text()
    assert counts["reports"] == 1
    # The file is personal data: only its owner may read it.
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with services.sessions() as session:
        entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.subject_access")).one()
    assert entry.actor == f"cli:{getpass.getuser()}"
    assert entry.target_id == sms_sender_id(PHONE, services.settings.SENDER_ID_KEY)
    assert PHONE not in json.dumps(entry.detail)


def test_erasure_refuses_while_a_report_is_open_and_changes_nothing(services: Services) -> None:
    report = file_sms_report(services)
    with pytest.raises(OpenReportsNeedConfirmation) as refused:
        run_erase(services, phone=PHONE, include_open=False)
    assert report.reference in str(refused.value)
    with services.sessions() as session:
        assert session.scalar(select(Contact).where(Contact.phone == PHONE)) is not None
        assert "Mrs Smith" in session.scalars(select(Report)).one().description
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "privacy.erasure")
            )
            == 0
        )


def test_erasure_removes_everything_about_the_number_and_cancels_queued_sms(
    services: Services, tmp_path: Path
) -> None:
    report = resident_with_history(services)
    with services.sessions() as session, session.begin():
        contact = session.scalar(select(Contact).where(Contact.phone == PHONE))
        assert contact is not None
        queued = enqueue(
            session,
            kind="sms",
            transport="sms",
            purpose="survey_6m",
            now=services.clock.now(),
            recipient=PHONE,
            body="Ref: how satisfied…",
            report_id=report.id,
            contact_id=contact.id,
            not_before=services.clock.now() + timedelta(days=100),
        )

    erased = run_erase(services, phone=PHONE, include_open=False)

    assert erased["reports_anonymised"] == [report.reference]
    assert erased["contacts_deleted"] == 1 and erased["inbound_sms_deleted"] == 1
    assert erased["chat_turns_deleted"] == 2 and erased["outbox_cancelled"] >= 1
    with services.sessions() as session:
        assert session.get(OutboxMessage, queued.id).status == "cancelled"
        assert session.scalar(select(func.count()).where(OutboxMessage.recipient == PHONE)) == 0
        assert session.scalar(select(func.count()).select_from(InboundSms)) == 0
        assert session.scalar(select(func.count()).select_from(ChatTurn)) == 0
        kept = session.scalars(select(Report).where(Report.reference == report.reference)).one()
        assert "Smith" not in kept.description and kept.contact_id is None and kept.asb_type == "noise"
        # The neighbour's report is untouched.
        assert session.scalar(select(Report).where(Report.description.like("Dogs barking%"))) is not None
        entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erasure")).one()
        assert entry.actor.startswith("cli:") and PHONE not in json.dumps(entry.detail)
    # Afterwards a subject access request finds nothing left.
    run_sar(services, phone=PHONE, out=tmp_path / "after.json")
    after = json.loads((tmp_path / "after.json").read_text())
    assert after["contacts"] == [] and after["reports"] == [] and after["sms_received"] == []


def test_the_command_line_writes_the_file_and_rejects_a_bad_number(
    services: Services, tmp_path: Path
) -> None:
    resident_with_history(services)
    env = {
        **os.environ,
        "DATABASE_URL": services.settings.DATABASE_URL,
        "SENDER_ID_KEY": services.settings.SENDER_ID_KEY,
        "PYTHONPATH": str(ROOT),
    }
    out = tmp_path / "cli.json"
    ok = subprocess.run(
        [sys.executable, "-m", "casework.cli.privacy", "sar", "--phone", PHONE, "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert "1 reports" in ok.stdout and json.loads(out.read_text())["subject"]["phone"] == PHONE
    bad = subprocess.run(
        [sys.executable, "-m", "casework.cli.privacy", "erase", "--phone", "not-a-number"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert bad.returncode == 2 and "not a phone number" in bad.stderr


def test_erasure_deletes_the_numbers_rasa_conversation_and_no_other(
    services: Services, tmp_path: Path
) -> None:
    from tests.integration.privacy.test_retention import add_events, rasa_tracker_store

    resident_with_history(services)
    url = rasa_tracker_store(tmp_path / "tracker.db")
    services.settings.RASA_TRACKER_DB_URL = url
    mine = sms_sender_id(PHONE, services.settings.SENDER_ID_KEY)
    add_events(url, mine, 1.0, 2.0, 3.0)
    add_events(url, "sms-someone-else", 1.0)

    erased = run_erase(services, phone=PHONE, include_open=False)

    assert erased["tracker_events_deleted"] == 3
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        left = conn.execute(text("SELECT DISTINCT sender_id FROM events")).scalars().all()
    engine.dispose()
    assert left == ["sms-someone-else"]


def test_erasure_says_what_is_left_when_the_tracker_store_is_down(services: Services) -> None:
    resident_with_history(services)
    services.settings.RASA_TRACKER_DB_URL = "postgresql://postgres@127.0.0.1:9/rasa"  # nothing listens

    erased = run_erase(services, phone=PHONE, include_open=False)

    assert erased["contacts_deleted"] == 1 and erased["tracker_events_deleted"] is None
    assert sms_sender_id(PHONE, services.settings.SENDER_ID_KEY) in str(erased["tracker_error"])
