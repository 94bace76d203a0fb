"""A simulated resident who reports noise to the assistant, over SMS, web chat or Rasa's REST channel.

The resident answers each question the assistant asks (recognised by its wording, as a person reads it),
taps the first quick reply when it does not recognise the question, and stops when the assistant gives a
report reference. Every turn's latency is recorded. Used by bench/load/run.py and by the slow tests.
"""

from __future__ import annotations

import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from twilio.request_validator import RequestValidator

OPENING = "loud music from next door every night till 3am"
# The answer to give when the assistant's message contains these words (first match wins).
ANSWERS: list[tuple[str, str]] = [
    ("here is your report", "Yes, send it"),
    ("try sending it again", "Try again"),
    ("where is it happening", "Bore Street, Lichfield"),
    ("when did it happen", "every night, still going on"),
    ("happening to you", "It's happening to me"),
    ("own your home or rent", "Own"),
    ("who is your landlord", "Bromford"),
    ("aimed at you", "No"),
    ("how often", "Many times"),
    ("reported it before", "No"),
    ("because of who you are", "No"),
    ("how much is it affecting", "Badly, I'm thinking of moving"),
    ("disability, illness", "No"),
    ("confidential", "Confidential"),
    ("safe for us to text", "Yes it's safe"),
    ("text updates", "Yes"),
    ("phone number", "07700 900123"),
    ("mobile number", "07700 900123"),
]
REFERENCE = re.compile(r"\bASB-[2-9A-HJKMNP-Z]{6}\b")
MAX_TURNS = 30
# What the edges answer when the assistant could not answer in time (counted as errors).
HOLDING_MARKERS = ("assistant is busy", "assistant is not available", "will text you its reply")


@dataclass
class Turn:
    """One message sent and the assistant's answer."""

    sent: str
    answer: list[str]
    seconds: float
    ok: bool
    error: str = ""


@dataclass
class Conversation:
    """A resident's whole conversation and whether it ended with a report reference."""

    sender: str
    turns: list[Turn] = field(default_factory=list)
    reference: str | None = None
    error: str = ""

    @property
    def completed(self) -> bool:
        """True when the assistant filed the report and said its reference."""
        return self.reference is not None and not self.error


def next_message(answer: list[str], buttons: list[dict[str, str]]) -> str:
    """What the resident says next, given the assistant's last messages."""
    text = " ".join(answer).lower()
    for words, reply in ANSWERS:
        if words in text:
            return reply
    if buttons:
        return buttons[0].get("payload") or buttons[0].get("title") or "yes"
    return "yes"


Send = Callable[[str], tuple[list[str], list[dict[str, str]]]]


def converse(sender: str, send: Send, *, think: float = 0.0, opening: str = OPENING) -> Conversation:
    """Talk to the assistant through `send` until it gives a reference (or MAX_TURNS pass)."""
    convo = Conversation(sender=sender)
    message = opening
    for _ in range(MAX_TURNS):
        started = time.perf_counter()
        try:
            answer, buttons = send(message)
            error = ""
        except Exception as exc:  # noqa: BLE001 - any failure of a turn is recorded as that turn's error
            answer, buttons, error = [], [], f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        if not error and not answer:
            error = "no answer"
        if not error and any(m in " ".join(answer).lower() for m in HOLDING_MARKERS):
            error = "holding reply (assistant not answering in time)"
        convo.turns.append(Turn(message, answer, seconds, ok=not error, error=error))
        if error:
            convo.error = error
            return convo
        found = REFERENCE.search(" ".join(answer))
        if found:
            convo.reference = found.group(0)
            return convo
        message = next_message(answer, buttons)
        if think:
            time.sleep(think)
    convo.error = f"no reference after {MAX_TURNS} turns"
    return convo


def rasa_sender(base_url: str, sender: str, *, channel: str, timeout: float = 30.0) -> Send:
    """Send turns straight to Rasa's REST channel (what the edges relay to)."""
    session = requests.Session()
    url = base_url.rstrip("/") + "/webhooks/rest/webhook"

    def send(message: str) -> tuple[list[str], list[dict[str, str]]]:
        resp = session.post(
            url,
            json={"sender": sender, "message": message, "metadata": {"channel": channel}},
            timeout=timeout,
        )
        resp.raise_for_status()
        body = resp.json()
        buttons = [b for m in body for b in m.get("buttons") or []]
        return [m.get("text") or "" for m in body if m.get("text")], buttons

    return send


def chat_sender(webhook_url: str, *, timeout: float = 30.0) -> Send:
    """Send turns to the web chat (`POST /chat/messages`), keeping the browser's cookie."""
    session = requests.Session()
    url = webhook_url.rstrip("/") + "/chat/messages"

    def send(message: str) -> tuple[list[str], list[dict[str, str]]]:
        resp = session.post(url, json={"sender": "ignored", "message": message}, timeout=timeout)
        if resp.status_code != 200:
            raise RuntimeError(f"HTTP {resp.status_code}: {resp.text[:200]}")
        body = resp.json()
        buttons = [b for m in body for b in m.get("buttons") or []]
        return [m.get("text") or "" for m in body if m.get("text")], buttons

    return send


def sms_sender(
    webhook_url: str, public_url: str, auth_token: str, number: str, *, timeout: float = 30.0
) -> Send:
    """Send turns as Twilio delivers SMS (`POST /sms/inbound`, signed), reading the TwiML reply."""
    session = requests.Session()
    url = webhook_url.rstrip("/") + "/sms/inbound"
    signed_url = public_url.rstrip("/") + "/sms/inbound"
    validator = RequestValidator(auth_token)

    def send(message: str) -> tuple[list[str], list[dict[str, str]]]:
        form = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": "AC" + "0" * 32,
            "From": number,
            "To": "+447700900000",
            "Body": message,
            "NumMedia": "0",
        }
        headers = {"X-Twilio-Signature": validator.compute_signature(signed_url, form)}
        resp = session.post(url, data=form, headers=headers, timeout=timeout)
        if resp.status_code != 200:
            raise RuntimeError(f"HTTP {resp.status_code}: {resp.text[:200]}")
        texts = [m.text or "" for m in ET.fromstring(resp.text).iter("Message")]
        return texts, []

    return send


def summary(latencies: list[float]) -> dict[str, Any]:
    """p50/p95/p99 and mean of turn latencies, in seconds."""
    if not latencies:
        return {"n": 0}
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return {
        "n": len(ordered),
        "mean": sum(ordered) / len(ordered),
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
    }
