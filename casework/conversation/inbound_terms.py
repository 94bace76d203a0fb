"""Inbound SMS terms: keywords, limits, what residents are told back, the shapes of a message and a reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, Literal

from casework.evidence import MediaItem, media_items


class InboundStatus(StrEnum):
    """An inbound SMS row: received (being relayed) -> answered, or deferred (the assistant was down or
    slow) -> relaying -> answered; limited (a rate limit), rejected (unusable input), opted_out (no reply)."""

    RECEIVED = "received"
    RELAYING = "relaying"
    ANSWERED = "answered"
    DEFERRED = "deferred"
    LIMITED = "limited"
    REJECTED = "rejected"
    OPTED_OUT = "opted_out"


# Being relayed by some worker now (a row left so past STUCK_AFTER was abandoned by a crashed worker).
IN_FLIGHT = (InboundStatus.RECEIVED, InboundStatus.RELAYING)

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})
SURVEY_PURPOSES = {"survey_1m": "1m", "survey_6m": "6m"}
SURVEY_ANSWER_WINDOW = timedelta(days=30)
# Twilio concatenates at most 1,600 characters; anything longer did not come from a handset.
MAX_BODY_CHARS = 1600
# Twilio waits 15 seconds for our answer; relaying (including catching up earlier messages) stops here.
REPLY_BUDGET_SECONDS = 10.0
# A row still "received" or "relaying" after this was abandoned by a crashed worker: relay it again.
STUCK_AFTER = timedelta(minutes=2)
# How long a Twilio retry waits for the first delivery of the same MessageSid to finish.
DUPLICATE_WAIT_SECONDS = 12.0

EMERGENCY = "In danger now? Call 999."
HOLDING = (
    "Thanks, we have your message. Our assistant is busy just now, so we will text you its reply "
    f"shortly. {EMERGENCY}"
)
EMPTY_REPLY = f"We could not see any words in your message. Please text us what is happening. {EMERGENCY}"
MEDIA_ONLY_ENDING = f"If you have not reported yet, please tell us in words what is happening. {EMERGENCY}"
UNREADABLE_REPLY = f"Sorry, we could not read that message. Please send it again in words. {EMERGENCY}"
TOO_LONG_REPLY = (
    f"Sorry, that message is too long for us to read. Please send it again in shorter texts. {EMERGENCY}"
)
RATE_LIMITED_REPLY = (
    "You have sent us a lot of texts in a short time, so we are pausing replies for a while. "
    f"Please try again later. {EMERGENCY} Otherwise call 101."
)
DEFERRED_PREFIX = "Sorry for the wait."
SURVEY_THANKS = "Thank you for your answer. It helps us improve."
# Key of the item in a deferred row's stored reply that holds the text still to relay.
RELAY_KEY = "relay"


def stop_reply() -> str:
    """What a resident is told after STOP."""
    return "You will get no more texts from us. Text START to turn texts back on. " + EMERGENCY


def start_reply() -> str:
    """What a resident is told after START (or YES when opted out)."""
    return "Texts from us are turned back on. Text STOP at any time to stop them. " + EMERGENCY


def help_reply(partnership_name: str) -> str:
    """HELP: what this number is, 999 and 101, how to stop."""
    return (
        f"This is the {partnership_name} number for reporting anti-social behaviour. "
        "In danger or a crime happening now? Call 999. Otherwise call 101. "
        "Text STOP to stop all texts from us."
    )


class BadInboundSms(ValueError):
    """The request lacks what every Twilio message has (From, MessageSid); nothing can be answered."""


@dataclass(frozen=True)
class IncomingSms:
    """The Twilio form fields the edge uses."""

    message_sid: str
    from_number: str
    body: str
    num_media: int = 0
    account_sid: str = ""
    media: tuple[MediaItem, ...] = ()

    @classmethod
    def from_form(cls, form: Any) -> IncomingSms:
        """Read Twilio's form fields; BadInboundSms names what is missing."""
        sid = str(form.get("MessageSid") or form.get("SmsMessageSid") or "").strip()
        sender = str(form.get("From") or "").strip()
        missing = [name for name, value in (("MessageSid", sid), ("From", sender)) if not value]
        if missing:
            raise BadInboundSms(f"missing {', '.join(missing)}")
        if len(sid) > 64:
            raise BadInboundSms("MessageSid is too long")
        try:
            num_media = max(0, int(str(form.get("NumMedia") or "0").strip() or 0))
        except ValueError:
            num_media = 0
        return cls(
            message_sid=sid,
            from_number=sender,
            body=str(form.get("Body") or ""),
            num_media=num_media,
            account_sid=str(form.get("AccountSid") or "").strip(),
            media=media_items(form, num_media),
        )


@dataclass
class SmsReply:
    """What to answer Twilio with: the SMS parts (possibly none) and what happened."""

    parts: list[str]
    outcome: InboundStatus | Literal["duplicate"]
    messages: list[dict[str, Any]] = field(default_factory=list)
