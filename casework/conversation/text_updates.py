"""Updates by text for web chat reporters: the number and code questions, answered at the web chat edge.

After filing a web chat report that asked for updates, the assistant asks for a mobile number and then for
the code texted to it (`casework.conversation.phone_codes` issues and checks codes). Phone numbers never
reach the assistant, and neither number nor code is kept in the transcript: while the assistant's latest
message is the number question (a quick reply whose payload names `phone_status`), a message holding a
number is handled here and only the outcome is relayed, as `/inform{"phone_status":"code_sent",
"phone_ending":"214"}`; the transcript shows "[mobile number ending 214]". At the code question
(`code_status`) a 6-digit message, or "send a new code", is handled the same way. Anything else (skip, a
question, words that may mean danger) goes to the assistant as usual.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from casework.conversation.danger_words import sounds_like_danger
from casework.conversation.phone_codes import check_code, offer_number, resend_code
from casework.core.bootstrap import Services
from casework.core.models import Contact

NUMBER_MARK = '"phone_status"'
CODE_MARK = '"code_status"'
RESEND = '/inform{"code_status":"resend"}'
# The quick replies the assistant offers at the two questions; they pass through unchanged.
SKIPS = ('/inform{"phone_status":"skipped"}', '/inform{"code_status":"skipped"}')
RESEND_WORDS = (
    "resend",
    "send a new code",
    "send new code",
    "new code",
    "send it again",
    "send again",
    "didn't get it",
    "didnt get it",
    "i didn't get it",
    "no code",
    "not received",
)
_NUMBERISH = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_CODE = re.compile(r"^\D{0,12}((?:\d[\s-]?){5}\d)\D{0,3}$")


@dataclass(frozen=True)
class Relay:
    """What the assistant is sent instead of the resident's words, and what the transcript keeps."""

    to_assistant: str
    shown: str


def outcome(entity: str, status: str, **extra: str) -> str:
    """The payload that tells the assistant what happened: /inform{"phone_status":"code_sent",...}."""
    return "/inform" + json.dumps({entity: status, **extra}, separators=(",", ":"))


def _marks(offered: list[dict[str, Any]]) -> str:
    return " ".join(str(b.get("payload") or "") for b in offered)


def answer_text_question(
    session: Session,
    services: Services,
    *,
    contact: Contact,
    message: str,
    offered: list[dict[str, Any]],
    now: datetime,
) -> Relay | None:
    """Handle an answer to the number or code question here; None when the assistant should read it."""
    asked = _marks(offered)
    if NUMBER_MARK in message or CODE_MARK in message:
        if message == RESEND and CODE_MARK in asked:
            return Relay(
                outcome("code_status", resend_code(session, services, contact, now)), "Send a new code"
            )
        if message in SKIPS:
            return None
        # Typed to look like an outcome: never trusted, the assistant reads it as plain words.
        return Relay(message.replace("_status", ""), message)
    if sounds_like_danger(message):
        return None  # danger first: the assistant gives the 999 guidance
    if CODE_MARK in asked and (code := _CODE.match(message.strip())):
        digits = re.sub(r"\D", "", code.group(1))
        return Relay(outcome("code_status", check_code(session, services, contact, digits, now)), "[code]")
    found = _NUMBERISH.search(message) if NUMBER_MARK in asked or CODE_MARK in asked else None
    # At the code question a whole number (10 digits or more) is a number given again, maybe corrected.
    if found and (NUMBER_MARK in asked or len(re.sub(r"\D", "", found.group(0))) >= 10):
        status, ending = offer_number(session, services, contact, found.group(0), now)
        shown = f"[mobile number ending {ending}]" if ending else "[a number that is not a UK mobile]"
        extra = {"phone_ending": ending} if ending else {}
        return Relay(outcome("phone_status", status, **extra), shown)
    if CODE_MARK in asked and message.strip().lower().rstrip(" .!") in RESEND_WORDS:
        return Relay(outcome("code_status", resend_code(session, services, contact, now)), message)
    return None
