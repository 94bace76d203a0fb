"""Updates by text in web chat: the number and code questions and what each outcome tells the resident.

No Rasa imports. Phone numbers never reach the assistant: the web chat edge (the webhook's
casework.conversation.text_updates) reads the number and the code the resident types, texts the code and
checks it, and relays only the outcome as a button-style payload the form maps to its slots:
`/inform{"phone_status":"code_sent","phone_ending":"214"}` or `/inform{"code_status":"confirmed"}`. The
edge knows which question is open from the quick replies offered with it (payloads naming `phone_status`
or `code_status`), so both questions always offer them.
"""

from __future__ import annotations

import re
from typing import Any

from .parsing import parse_yes_no

# The form's slots, cleared when it starts and when it ends.
TEXT_UPDATE_SLOTS = (
    "update_phone",
    "phone_code",
    "phone_ending",
    "text_updates_outcome",
    "text_updates_tries",
    "text_updates_reference",
)
SKIP_NUMBER = '/inform{"phone_status":"skipped"}'
SKIP_CODE = '/inform{"code_status":"skipped"}'
RESEND_CODE = '/inform{"code_status":"resend"}'

NUMBER_QUESTION = (
    "What's your mobile number? We'll text it a 6-digit code to check it's yours, then send your updates "
    "there. Texts never say what your report is about."
)
NUMBER_BUTTONS = ({"title": "No thanks, skip", "payload": SKIP_NUMBER},)
CODE_BUTTONS = (
    {"title": "Send a new code", "payload": RESEND_CODE},
    {"title": "Skip", "payload": SKIP_CODE},
)
WHY_NUMBER = (
    "We only use your number to text you updates about your report, and only once you have typed the code "
    "we send it. Texts never say what the report is about, and you can reply STOP at any time."
)
RETYPE = {
    "update_phone": "Sorry, I didn't catch that. Type your mobile number, like 07700 900123.",
    "phone_code": "Sorry, I didn't catch that. Type the 6 digits from the text.",
}

# What the resident is told for each outcome at the number question: (message, final outcome). A final
# outcome ends the questions; None asks again (or, for code_sent, goes on to the code). The question
# follows each message, with its buttons (skip, send a new code).
NUMBER_OUTCOMES: dict[str, tuple[str | None, str | None]] = {
    "code_sent": (None, None),
    "not_mobile": ("That doesn't look like a UK mobile number: it should start 07 and have 11 digits.", None),
    "limited": (None, "limited"),
    "refused": (None, "refused"),
    "not_safe": (None, "not_safe"),
    "skipped": (None, "skipped"),
}
CODE_OUTCOMES: dict[str, tuple[str | None, str | None]] = {
    "confirmed": (None, "confirmed"),
    "wrong": ("That code isn't right. Check the text and try again.", None),
    "expired": ("That code has run out. Press Send a new code.", None),
    "locked": ("That code has had too many wrong tries. Press Send a new code.", None),
    "resent": (None, None),  # the code question is asked again, naming the number
    "none": (None, "no_code"),
    "limited": (None, "limited"),
    "refused": (None, "refused"),
    "not_safe": (None, "not_safe"),
    "skipped": (None, "skipped"),
}
_CHECK = "To check on your report, send its reference{ref} here at any time."
FINAL: dict[str, str] = {
    "confirmed": "Thank you. Updates on your report will be texted to your number ending {ending}. Texts "
    "never say what it is about. Reply STOP to any of them to end them.",
    "skipped": "OK, no texts. " + _CHECK,
    "limited": "Sorry, we can't send a code to that number just now. " + _CHECK,
    "refused": "Sorry, we can't send texts to that number. " + _CHECK,
    "not_safe": "You told us texting you is not safe, so we won't text you. " + _CHECK,
    "no_code": "There's no code waiting for this chat. " + _CHECK,
}
# How many answers that are neither a number, a code nor "skip" before the questions end.
MAX_UNCLEAR = 2
_SKIP = re.compile(
    r"\b(skip|no thanks|no thank you|not now|don'?t|dont|rather not|never ?mind|forget it|cancel|"
    r"leave it|no)\b",
    re.IGNORECASE,
)


def code_question(ending: str | None) -> str:
    """The code question, naming the number's last three digits."""
    where = f"your number ending {ending}" if ending else "your phone"
    return f"We've texted a code to {where}. Type the 6 digits here. It works for 15 minutes."


def final_message(outcome: str | None, *, ending: str | None, reference: str | None) -> str:
    """What the resident is told when the number and code questions end."""
    template = FINAL.get(outcome or "skipped", FINAL["skipped"])
    return template.format(ending=ending or "", ref=f" ({reference})" if reference else "")


def is_skip(text: str) -> bool:
    """True when the resident declines ("no thanks", "skip", "not now")."""
    return bool(_SKIP.search(text)) or parse_yes_no(text) is False


def entity(entities: list[dict[str, Any]], name: str) -> str | None:
    """The value of the first entity called `name` in a message's entities, or None."""
    for found in entities:
        if found.get("entity") == name and found.get("value") not in (None, ""):
            return str(found["value"])
    return None


def after_filing_line(text_updates: dict[str, Any] | None) -> str | None:
    """What filing says about texts: where they go (a number this chat confirmed), or why none will."""
    status = (text_updates or {}).get("status")
    if status == "confirmed":
        ending = (text_updates or {}).get("phone_ending") or ""
        return f"We'll text updates to your number ending {ending}. Texts never say what the report is about."
    if status == "not_safe":
        return "You told us texting you is not safe, so we won't send texts about this report."
    return None
