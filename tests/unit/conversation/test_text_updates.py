"""The code text and the outcomes the web chat edge relays for updates by text (no I/O)."""

from __future__ import annotations

import json
import re

import pytest

from casework.conversation.phone_codes import CODE_TEXT
from casework.conversation.text_updates import CODE_MARK, NUMBER_MARK, outcome
from casework.core.confirmed_numbers import hide_code
from casework.core.sms_text import encoding, segments, smart_encode
from casework.partnership import load_partnership

# A code text can be read by anyone holding the phone, and may reach someone who never asked for it.
TELLING_WORDS = re.compile(r"asb|anti-social|abuse|report|police|council|complain|neighbour", re.IGNORECASE)


@pytest.mark.parametrize("name", ["lichfield", "durham", "charnwood"])
def test_the_code_text_names_only_the_service_and_fits_one_plain_text(name: str) -> None:
    p = load_partnership(name)
    body = smart_encode(CODE_TEXT.format(code="482913", service=p.short_name or p.name))
    assert body.startswith("482913 is your code for ") and body.endswith(
        "If you did not ask for it, ignore this text."
    )
    assert not TELLING_WORDS.search(body.replace(p.short_name or p.name, "")), body
    assert segments(body) == 1 and encoding(body) == "GSM-7"


def test_a_code_is_not_kept_once_the_text_is_done_with() -> None:
    assert (
        hide_code("482913 is your code for Lichfield District CSP.")
        == "###### is your code for Lichfield District CSP."
    )


def test_the_assistant_is_told_the_outcome_as_an_inform_payload_it_can_map_to_slots() -> None:
    relayed = outcome("phone_status", "code_sent", phone_ending="214")
    assert relayed == '/inform{"phone_status":"code_sent","phone_ending":"214"}'
    assert json.loads(relayed.removeprefix("/inform")) == {"phone_status": "code_sent", "phone_ending": "214"}
    assert NUMBER_MARK in relayed and CODE_MARK in outcome("code_status", "wrong")
