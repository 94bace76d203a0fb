"""Helpers for the action unit tests (bot environment: rasa_sdk, no Rasa server, no network)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions import webhook_client  # noqa: E402
from rasa_sdk import Tracker  # noqa: E402


class FakeWebhook:
    """Stands in for WebhookClient (same methods); records what it was asked."""

    def __init__(self) -> None:
        self.filed: list[dict[str, Any]] = []
        self.fail_times = 0
        self.places: dict[str, dict[str, Any]] = {
            "bore street": {"resolved": True, "ward": "Stowe", "place": "bore-street", "postcode": None}
        }
        self.reports: dict[str, dict[str, Any]] = {}
        self.diary: list[dict[str, Any]] = []
        self.down = False
        self.applications: list[tuple[str, str | None]] = []
        # What casework says about updates by text for the next report filed (web chat).
        self.text_updates: dict[str, Any] | None = None

    async def file_report(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.filed.append(payload)
        if self.down or self.fail_times > 0:
            self.fail_times -= 1
            raise webhook_client.WebhookUnavailable("down")
        if payload.get("domestic_abuse"):
            # As casework answers (tests/bot checks the real contract): no mediation, the helpline signposted.
            return {
                **self._answer(),
                "mediation": None,
                "signposts": [
                    {"name": "Domestic abuse support", "phone": "0808 2000 247", "web": None, "why": "24 hours"}
                ],
            }
        return {**self._answer(), "text_updates": self.text_updates}

    @staticmethod
    def _answer() -> dict[str, Any]:
        return {
            "reference": "ASB-7K3QXR",
            "lead_agency": {"id": "ldc", "name": "Lichfield District Council", "phone": "01543 308000"},
            "respond_by": "2026-11-25",
            "respond_by_text": "by Wednesday 25 November",
            "risk_level": "standard",
            "linked_reference": None,
            "case_review": {"status": "none", "message": None},
            "signposts": [
                {"name": "Victim Support", "phone": "08 08 16 89 111", "web": None, "why": "support"}
            ],
            "self_help": "Keep a diary of what happens and when.",
            "mediation": {
                "name": "Lichfield community mediation service",
                "phone": "01543 000000",
                "web": None,
            },
        }

    async def report_status(self, *, reference: str, conversation_id: str) -> dict[str, Any]:
        if self.down:
            raise webhook_client.WebhookUnavailable("down")
        found = self.reports.get(reference)
        if not found or found["conversation_id"] != conversation_id:
            raise webhook_client.ReportNotFound(reference)
        return found["status"]

    async def add_diary_entry(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.down:
            raise webhook_client.WebhookUnavailable("down")
        found = self.reports.get(str(payload.get("reference")))
        if not found or found["conversation_id"] != payload["conversation_id"]:
            raise webhook_client.ReportNotFound(str(payload.get("reference")))
        self.diary.append(payload)
        eligible = len(self.diary) >= 2
        return {
            "reference": payload["reference"],
            "entry": {"id": len(self.diary), "text": payload["text"]},
            "lead_agency_name": "Lichfield District Council",
            "message": f"Thank you. I've added this to report {payload['reference']} and passed it to "
            "Lichfield District Council.",
            "case_review": {
                "status": "eligible" if eligible else "none",
                "message": "You can now ask for an ASB Case Review." if eligible else None,
            },
        }

    async def my_reports(self, *, conversation_id: str) -> list[dict[str, Any]]:
        if self.down:
            raise webhook_client.WebhookUnavailable("down")
        return [r["status"] for r in self.reports.values() if r["conversation_id"] == conversation_id]

    async def apply_case_review(self, *, conversation_id: str, reference: str | None = None) -> dict[str, Any]:
        if self.down:
            raise webhook_client.WebhookUnavailable("down")
        self.applications.append((conversation_id, reference))
        if not any(r["conversation_id"] == conversation_id for r in self.reports.values()):
            return {"status": "no_reports", "reference": None, "message": "I can't find a report from you."}
        return {
            "status": "applied",
            "reference": "CR-7K3QXR",
            "decision_by": "Wednesday 2 December",
            "threshold_indicated": True,
            "message": "Thank you. Your Case Review application is reference CR-7K3QXR.",
        }

    async def resolve_place(self, text: str) -> dict[str, Any]:
        if self.down:
            raise webhook_client.WebhookUnavailable("down")
        return self.places.get(
            text.strip().lower(), {"resolved": False, "ward": None, "place": None, "postcode": None}
        )

    async def partnership(self) -> dict[str, Any]:
        if self.down:
            raise webhook_client.WebhookUnavailable("down")
        return {
            "name": "Lichfield District CSP",
            "council": {"name": "Lichfield District Council", "phone": "01543 308000", "web": None},
            "police_non_emergency": "101",
            "case_review": {"threshold_text": "Three reports in six months.", "how_to_apply": "Call us."},
        }


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> FakeWebhook:
    fake = FakeWebhook()
    webhook_client.set_client(fake)  # type: ignore[arg-type]
    monkeypatch.setattr("actions.submit.RETRY_PAUSE_SECONDS", 0)
    yield fake
    webhook_client.set_client(None)


def user_event(
    text: str,
    intent: str,
    confidence: float = 0.9,
    channel: str = "sms",
    ranking: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
        "entities": [],
    }
    return {"event": "user", "text": text, "parse_data": parse, "metadata": {"channel": channel}}


def make_tracker(
    *,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender_id: str = "sms-abc123",
    requested_slot: str | None = None,
) -> Tracker:
    events = list(events or [])
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    all_slots = {"requested_slot": requested_slot, **(slots or {})}
    return Tracker(
        sender_id,
        all_slots,
        latest,
        events,
        False,
        None,
        {"name": "report_form"} if requested_slot else {},
        "action_listen",
    )


def texts(dispatcher: Any) -> list[str]:
    return [m.get("text") or m.get("response") or "" for m in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
