"""Contract: what the assistant's actions send is what the webhook's internal API accepts.

Runs in the app environment (no Rasa). The bot's own payload builder and HTTP client talk to the
real webhook (create_app on a fresh test database) over a real loopback HTTP server.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from bot.actions.asb_types import ASB_TYPES as BOT_ASB_TYPES
from bot.actions.payload import build_intake_payload
from bot.actions.texting import (
    CODE_OUTCOMES,
    NUMBER_OUTCOMES,
    RESEND_CODE,
    SKIP_CODE,
    SKIP_NUMBER,
    after_filing_line,
)
from bot.actions.webhook_client import (
    IntakeRejected,
    ReportNotFound,
    WebhookClient,
    WebhookSettings,
    WebhookUnavailable,
)
from casework.conversation.text_updates import CODE_MARK, NUMBER_MARK, RESEND, SKIPS, outcome
from casework.core.asb_types import ASB_TYPE_CODES

TOKEN = "test-internal-token-0123456789"
SENDER = "sms-3f9a0c1b2d4e5f60718293a4b5c6d7e8"


class Awaited:
    """The bot's async client with each call awaited to the end (the contract is the same either way)."""

    def __init__(self, client: WebhookClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        return lambda *args, **kwargs: asyncio.run(method(*args, **kwargs))


@pytest.fixture
def webhook_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The real webhook app served on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def bot_client(webhook_url: str) -> Awaited:
    """The assistant's HTTP client pointed at the test webhook."""
    return Awaited(WebhookClient(WebhookSettings(base_url=webhook_url, token=TOKEN)))


def slots_for(**changes: Any) -> dict[str, Any]:
    """The report form's slots as they stand when a resident confirms the read-back."""
    slots: dict[str, Any] = {
        "description": "loud music from next door every night til 3am, cant sleep",
        "asb_type": "noise",
        "location": "Bore Street, Lichfield",
        "postcode": None,
        "ward": "Stowe",
        "occurred": "every night this week, still going on",
        "ongoing": True,
        "reporter_role": "victim",
        "tenure": "social_rent",
        "landlord": "Bromford",
        "risk_targeted": False,
        "risk_often": "many",
        "risk_reported_before": "unknown",
        "risk_prejudice": False,
        "hate_motivation": None,
        "risk_impact": "severe",
        "risk_vulnerable": True,
        "contact_anonymous": False,
        "text_safe": True,
        "contact_updates": True,
        "summary_ok": True,
        "hate": False,
        "domestic_abuse": False,
        "needs": ["feeling_unsafe", "mental_health"],
        "submission_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    }
    slots.update(changes)
    return slots


def payload_for(**changes: Any) -> dict[str, Any]:
    slots = slots_for(**changes)
    return build_intake_payload(
        slots=slots, conversation_id=SENDER, channel="sms", submission_id=slots["submission_id"]
    )


def test_the_bot_knows_exactly_the_casework_asb_type_codes():
    assert set(BOT_ASB_TYPES) == set(ASB_TYPE_CODES)


def test_a_completed_report_is_filed_and_answered_with_what_to_tell_the_resident(bot_client):
    result = bot_client.file_report(payload_for())
    assert result["reference"].startswith("ASB-") and len(result["reference"]) == 10
    assert result["lead_agency"]["name"]
    assert result["respond_by_text"].startswith("by ")
    assert result["risk_level"] in ("standard", "medium", "high")
    assert result["case_review"]["status"] in ("none", "explain", "eligible")
    assert isinstance(result["signposts"], list) and isinstance(result["self_help"], str)


def test_retrying_the_same_submission_files_nothing_new(bot_client):
    first = bot_client.file_report(payload_for())
    again = bot_client.file_report(payload_for())
    assert again["reference"] == first["reference"]


@pytest.mark.parametrize(
    "changes",
    [
        {"contact_anonymous": True, "text_safe": None, "contact_updates": None},
        {"asb_type": "other", "domestic_abuse": True, "tenure": None, "landlord": None, "text_safe": False},
        {
            "asb_type": "intimidation_harassment",
            "hate": True,
            "risk_prejudice": True,
            "hate_motivation": "race",
            "tenure": None,
            "landlord": None,
        },
        {
            "reporter_role": "witness",
            "risk_often": "unknown",
            "risk_impact": "unknown",
            "risk_targeted": "unknown",
            "postcode": "WS13 6JR",
            "tenure": None,
            "landlord": None,
            "asb_type": "graffiti",
        },
        {
            "asb_type": None,
            "description": "x" * 6000,
            "occurred": "y" * 400,
            "location": "z" * 700,
            "hate_motivation": "because of my accent and where I come from, I think",
            "risk_prejudice": True,
        },
    ],
    ids=["anonymous", "domestic-abuse", "hate", "witness-unknowns", "oversized-and-untyped"],
)
def test_every_shape_of_report_the_form_can_produce_is_accepted(bot_client, changes):
    result = bot_client.file_report(payload_for(**changes, submission_id=f"s-{len(str(changes))}"))
    assert result["reference"].startswith("ASB-")


@pytest.mark.parametrize("asb_type", sorted(ASB_TYPE_CODES))
def test_every_asb_type_code_is_accepted(bot_client, asb_type):
    tenure = {"tenure": None, "landlord": None} if asb_type not in ("noise", "neighbour_nuisance") else {}
    result = bot_client.file_report(
        payload_for(asb_type=asb_type, submission_id=f"type-{asb_type}", **tenure)
    )
    assert result["reference"].startswith("ASB-")


def test_a_bad_payload_is_reported_with_the_field_not_retried_as_an_outage(bot_client):
    bad = payload_for()
    bad["reporter_role"] = "bystander"
    with pytest.raises(IntakeRejected) as excinfo:
        bot_client.file_report(bad)
    assert excinfo.value.field == "reporter_role"


def test_a_wrong_token_counts_as_the_webhook_being_unavailable(webhook_url):
    client = Awaited(WebhookClient(WebhookSettings(base_url=webhook_url, token="wrong-token")))
    with pytest.raises(WebhookUnavailable):
        client.file_report(payload_for())


def test_a_webhook_that_is_down_is_unavailable_not_a_crash():
    client = Awaited(
        WebhookClient(WebhookSettings(base_url="http://127.0.0.1:9", token=TOKEN, timeout_seconds=0.5))
    )
    with pytest.raises(WebhookUnavailable):
        client.file_report(payload_for())


def test_status_is_given_only_to_the_conversation_that_made_the_report(bot_client):
    reference = bot_client.file_report(payload_for())["reference"]
    status = bot_client.report_status(reference=reference, conversation_id=SENDER)
    assert status["reference"] == reference and status["status_text"]
    with pytest.raises(ReportNotFound):
        bot_client.report_status(reference=reference, conversation_id="web-someone-else-entirely")


def test_places_resolve_to_a_ward_and_unknown_places_do_not(bot_client):
    assert bot_client.resolve_place("Bore Street")["resolved"] is True
    unknown = bot_client.resolve_place("Narnia")
    assert unknown["resolved"] is False and unknown["ward"] is None


def test_partnership_details_give_the_council_number_and_case_review_wording(bot_client):
    partnership = bot_client.partnership()
    assert partnership["council"]["phone"]
    assert partnership["case_review"]["how_to_apply"] and partnership["case_review"]["threshold_text"]


def test_a_web_report_that_wants_texts_is_answered_with_ask_and_the_bot_asks_for_a_number(bot_client):
    slots = slots_for(contact_choice="updates", submission_id="web-texts")
    web = "web-0123456789abcdef0123456789abcdef"
    payload = build_intake_payload(slots=slots, conversation_id=web, channel="web", submission_id="web-texts")
    result = bot_client.file_report(payload)
    assert result["text_updates"] == {"status": "ask"}
    assert after_filing_line(result["text_updates"]) is None  # the number question follows instead


def test_the_web_chat_edge_and_the_bot_agree_on_the_questions_and_their_outcomes():
    # The edge knows a question is open from the payloads of the buttons the bot offers with it.
    assert NUMBER_MARK in SKIP_NUMBER and CODE_MARK in SKIP_CODE and CODE_MARK in RESEND_CODE
    assert set(SKIPS) == {SKIP_NUMBER, SKIP_CODE} and RESEND == RESEND_CODE
    # Every outcome the edge can relay is one the form knows what to say about.
    edge_number = {"code_sent", "not_mobile", "not_safe", "refused", "limited"}
    edge_code = {"confirmed", "wrong", "expired", "locked", "none", "resent", "refused", "limited", "not_safe"}
    assert edge_number <= set(NUMBER_OUTCOMES) and edge_code <= set(CODE_OUTCOMES)
    assert outcome("phone_status", "code_sent", phone_ending="214").startswith('/inform{"phone_status"')
