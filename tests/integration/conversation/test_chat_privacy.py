"""Web chat privacy: a report shows only its own conversation, links never leak, the cookie is never
stored, and /chat/messages is rate limited with a plain answer."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from casework.core.models import ChatTurn, Contact, Report, ReportEvent
from tests.factories import cheap_password_hashing, make_report, make_staff
from tests.integration.conversation.test_chat_messages import SITE, say
from tests.integration.staff.test_inbox_pages import sign_in
from tests.rasa_standin import RasaStandIn, running_rasa

INTERNAL = {"Authorization": "Bearer test-internal-token-0123456789"}


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    """Rasa's REST channel, stood in by a local HTTP server."""
    with running_rasa() as server:
        yield server


@pytest.fixture
def limits() -> dict[str, object]:
    """Web chat limits for this test (generous unless a test says otherwise)."""
    return {}


@pytest.fixture
def settings_overrides(rasa: RasaStandIn, limits: dict[str, object]) -> dict[str, object]:
    """Point the webhook at the stand-in Rasa."""
    return {"RASA_URL": rasa.url, "RASA_TIMEOUT_SECONDS": 5.0, **limits}


def file_from_chat(client, sender: str, n: int, **fields: Any) -> str:  # type: ignore[no-untyped-def]
    """File a report as the bot's action does (the conversation id is the sender id Rasa was given)."""
    payload = {
        "conversation_id": sender,
        "submission_id": f"sub-{n}",
        "channel": "web",
        "location": "High Street, Chasetown",
        **fields,
    }
    resp = client.post("/api/v1/intake", json=payload, headers=INTERNAL)
    assert resp.status_code == 201, resp.get_json()
    return str(resp.get_json()["reference"])


def page_for(app, services, role: str, reference: str, agency_id: str | None = None) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with services.sessions() as db:
        user = make_staff(db, role, agency_id=agency_id)
        db.commit()
        email = user.email
    staff = app.test_client()
    assert sign_in(staff, email).status_code == 302
    resp = staff.get(f"/staff/reports/{reference}")
    return resp.status_code, resp.get_data(as_text=True)


def test_a_report_page_shows_only_its_own_conversation(app, client, rasa, services, clock):
    # A resident reports domestic abuse (police lead), then noise (council lead), from the same chat.
    rasa.reply = lambda s, m, md: [{"text": f"Noted: {m}"}]
    say(client, "my ex is threatening me")
    say(client, "he said he would hurt me")
    (sender,) = {c["sender"] for c in rasa.calls}
    clock.advance(minutes=2)
    rasa.reply = lambda s, m, md: (
        file_from_chat(
            app.test_client(),
            s,
            1,
            asb_type="intimidation_harassment",
            description="My ex is threatening me",
            domestic_abuse=True,
        )
        and [{"text": "Thank you, the police will contact you."}]
    )
    say(client, "yes send it")
    clock.advance(minutes=5)
    rasa.reply = lambda s, m, md: [{"text": f"Noted: {m}"}]
    say(client, "also the dog next door barks all night")
    clock.advance(minutes=1)
    rasa.reply = lambda s, m, md: (
        file_from_chat(app.test_client(), s, 2, asb_type="noise", description="Dog barking all night")
        and [{"text": "Thank you, the council will look into it."}]
    )
    say(client, "yes send that")
    with services.sessions() as db:
        da, noise = db.scalars(select(Report).order_by(Report.id)).all()
        assert da.lead_agency == "staffs-police" and noise.lead_agency == "ldc"
        da_ref, noise_ref = da.reference, noise.reference

    status, council_page = page_for(app, services, "agency", noise_ref, agency_id="ldc")
    assert status == 200
    assert "dog next door barks" in council_page
    assert "the council will look into it" in council_page  # the reply to the filing message
    for words in ("threatening me", "would hurt me", "police will contact you", "yes send it<"):
        assert words not in council_page
    assert page_for(app, services, "agency", da_ref, agency_id="ldc")[0] == 404

    status, police_page = page_for(app, services, "agency", da_ref, agency_id="staffs-police")
    assert status == 200
    assert "threatening me" in police_page and "police will contact you" in police_page
    assert "dog next door" not in police_page


def test_an_abandoned_earlier_conversation_is_not_part_of_a_later_report(app, client, rasa, services, clock):
    say(client, "he hits me")  # never filed: the resident stopped answering
    (sender,) = {c["sender"] for c in rasa.calls}
    clock.advance(hours=3)  # past the assistant's session expiry: a new conversation
    rasa.reply = lambda s, m, md: (
        file_from_chat(app.test_client(), s, 1, asb_type="noise", description="Loud music")
        and [{"text": "Filed."}]
    )
    say(client, "loud music at number 4")
    with services.sessions() as db:
        ref = db.scalars(select(Report.reference)).one()
    status, html = page_for(app, services, "triage", ref)
    assert status == 200 and "loud music at number 4" in html and "he hits me" not in html


def test_linked_reports_of_another_agency_are_not_named_on_the_page_api_or_export(app, services):
    with services.sessions() as db:
        police_report = make_report(db, lead_agency="staffs-police", description="Police matter")
        visible = make_report(
            db,
            lead_agency="ldc",
            linked_to_id=police_report.id,
            status="linked",
            routing_reasons=[f"duplicate of {police_report.reference} → the police, already dealing with it"],
        )
        db.add(
            ReportEvent(
                report_id=visible.id,
                kind="linked",
                body=f"Linked to {police_report.reference}, which is already being dealt with.",
                actor="system",
                created_at=visible.created_at,
            )
        )
        hidden_dup = make_report(db, lead_agency="staffs-police", linked_to_id=visible.id)
        seen_dup = make_report(db, lead_agency="ldc", linked_to_id=visible.id)
        officer = make_staff(db, "agency", agency_id="ldc")
        db.commit()
        refs = {
            "police": police_report.reference,
            "visible": visible.reference,
            "hidden_dup": hidden_dup.reference,
            "seen_dup": seen_dup.reference,
        }
        email = officer.email
    staff = app.test_client()
    assert sign_in(staff, email).status_code == 302
    html = staff.get(f"/staff/reports/{refs['visible']}").get_data(as_text=True)
    assert refs["seen_dup"] in html
    assert refs["police"] not in html and refs["hidden_dup"] not in html
    assert "Linked to [a report you cannot open]" in html

    inbox = staff.get("/staff/inbox").get_data(as_text=True)
    assert refs["visible"] in inbox and refs["police"] not in inbox

    body = staff.get(f"/api/v1/reports/{refs['visible']}").get_json()
    assert body["linked_to"] is None and body["linked_reports"] == [refs["seen_dup"]]
    assert refs["police"] not in str(body)
    listed = staff.get("/api/v1/reports").get_json()
    assert refs["police"] not in str(listed)

    exported = staff.get("/staff/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {r["reference"] for r in rows} == {refs["visible"], refs["seen_dup"]}
    assert refs["police"] not in exported


def test_the_chat_cookie_is_never_stored_or_sent_to_the_assistant(app, client, rasa, services):
    rasa.reply = lambda s, m, md: (
        file_from_chat(app.test_client(), s, 1, asb_type="noise", description="Loud music")
        and [{"text": "Filed."}]
    )
    say(client, "loud music")
    cookie = client.get_cookie("asb_chat", domain="asb.example.org", path="/chat").value
    assert cookie and cookie not in rasa.calls[0]["sender"]
    with services.sessions() as db:
        stored = [
            *db.scalars(select(Contact.sender_id)),
            *db.scalars(select(ChatTurn.sender_id)),
            *db.scalars(select(Report.conversation_id)),
            *db.scalars(select(Report.intake_key)),
        ]
        assert stored and all(cookie not in (value or "") for value in stored)
    # The same browser still gets its own conversation back.
    history = client.get("/chat/history", base_url=SITE).get_json()
    assert [t["text"] for t in history] == ["loud music", "Filed."]


@pytest.mark.parametrize("limits", [{"WEB_CHAT_RATE_PER_CHAT_PER_MINUTE": 5}])
def test_one_chat_flooding_is_answered_plainly_and_not_relayed(client, rasa, clock, limits):
    answers = [say(client, f"message {i}") for i in range(12)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    limited = answers[5:]
    assert {a.status_code for a in limited} == {429}
    for a in limited:
        assert "999" in a.get_json()["error"] and "minute" in a.get_json()["error"]
    assert len(rasa.calls) == 5
    clock.advance(minutes=1, seconds=1)
    assert say(client, "back again").status_code == 200


@pytest.mark.parametrize("limits", [{"WEB_CHAT_RATE_PER_CHAT_PER_MINUTE": 2}])
def test_past_the_chat_limit_danger_still_gets_the_999_guidance_first(client, rasa, limits):
    for i in range(2):
        say(client, f"message {i}")
    limited = say(client, "someone is breaking in downstairs and hes got a knife")
    assert limited.status_code == 429
    assert limited.get_json()["error"].startswith("If anyone is in danger now, call 999")
    assert "press 55" in limited.get_json()["error"]


@pytest.mark.parametrize("limits", [{"WEB_CHAT_RATE_PER_ADDRESS_PER_MINUTE": 4}])
def test_one_address_cannot_open_endless_conversations(app, rasa, services, limits):
    answers = [say(app.test_client(), "hi") for _ in range(10)]
    assert [a.status_code for a in answers].count(200) == 4
    assert all("999" in a.get_json()["error"] for a in answers if a.status_code == 429)
    with services.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Contact)) == 4
    assert len(rasa.calls) == 4


@pytest.mark.parametrize("limits", [{"WEB_CHAT_NEW_CONVERSATIONS_PER_MINUTE": 3}])
def test_new_conversations_beyond_a_global_rate_are_refused_but_ongoing_ones_continue(
    app, rasa, services, limits
):
    ongoing = app.test_client()
    assert say(ongoing, "first").status_code == 200
    others = [
        say(app.test_client(), "hi", headers={}) for _ in range(4)
    ]  # all from the test client's one address, but that limit is generous here
    assert [a.status_code for a in others] == [200, 200, 429, 429]
    assert "999" in others[-1].get_json()["error"]
    assert say(ongoing, "second").status_code == 200
    with services.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Contact)) == 3


def test_the_migration_hashes_stored_web_chat_ids(db_url, monkeypatch):
    from sqlalchemy import create_engine

    from casework.cli.migrate import downgrade, upgrade
    from casework.conversation.contacts import web_sender_id

    monkeypatch.setenv("SENDER_ID_KEY", "migration-key-0123456789")
    cookie = "A" * 32
    downgrade(db_url, "8e1f0c3a9b27")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contacts (sender_id, channel, sms_opted_out, number_invalid, created_at, "
                "updated_at) VALUES (:s, 'web', false, false, '2026-01-01', '2026-01-01')"
            ),
            {"s": f"web-{cookie}"},
        )
        conn.execute(
            text(
                "INSERT INTO chat_turns (sender_id, speaker, text, created_at) "
                "VALUES (:s, 'resident', 'hello', '2026-01-01')"
            ),
            {"s": f"web-{cookie}"},
        )
    upgrade(db_url)
    expected = web_sender_id(cookie, "migration-key-0123456789")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT sender_id FROM contacts")) == expected
        assert conn.scalar(text("SELECT sender_id FROM chat_turns")) == expected
    engine.dispose()


def test_sms_reports_each_show_only_their_own_conversation(app, rasa, services, clock):
    from tests.integration.conversation.test_sms_inbound import text as sms

    sms_client = app.test_client()
    rasa.reply = lambda s, m, md: [{"text": f"Noted: {m}"}]
    sms(sms_client, "my partner threatened me")
    rasa.reply = lambda s, m, md: (
        file_from_chat(
            app.test_client(),
            s,
            1,
            channel="sms",
            asb_type="intimidation_harassment",
            description="Threats",
            domestic_abuse=True,
        )
        and [{"text": "Sent to the police."}]
    )
    sms(sms_client, "YES")
    clock.advance(minutes=10)
    rasa.reply = lambda s, m, md: [{"text": f"Noted: {m}"}]
    sms(sms_client, "rubbish dumped in the alley")
    rasa.reply = lambda s, m, md: (
        file_from_chat(app.test_client(), s, 2, channel="sms", asb_type="noise", description="Rubbish dumped")
        and [{"text": "Sent to the council."}]
    )
    sms(sms_client, "YES")
    with services.sessions() as db:
        da, tipping = db.scalars(select(Report).order_by(Report.id)).all()
        refs = (da.reference, tipping.reference, tipping.lead_agency)
    status, html = page_for(app, services, "agency", refs[1], agency_id=refs[2])
    assert status == 200 and "rubbish dumped in the alley" in html and "Sent to the council." in html
    assert "threatened me" not in html and "Sent to the police" not in html


def test_web_chat_request_counts_are_kept_a_day(services, clock):
    from casework.core.models import WebChatRequest
    from casework.privacy.retention import RetentionResult, delete_old_conversations

    with services.sessions() as db:
        for age in (timedelta(days=2), timedelta(hours=1)):
            db.add(WebChatRequest(sender_id="web-x", client="c", created_at=clock.now() - age))
        db.commit()
        delete_old_conversations(db, now=clock.now(), days=90, result=RetentionResult())
        db.commit()
        assert db.scalar(select(func.count()).select_from(WebChatRequest)) == 1


def test_a_conversation_ends_when_the_assistant_session_does():
    import yaml

    from casework.conversation.transcript import CONVERSATION_IDLE

    config = yaml.safe_load(open("bot/domain/responses.yml"))["session_config"]
    assert CONVERSATION_IDLE == timedelta(minutes=config["session_expiration_time"])
