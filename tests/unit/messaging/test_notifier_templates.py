"""Every text a victim can receive says as little as possible: the reference, a neutral line, a number."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from casework.core.asb_types import ASB_TYPES
from casework.core.sms_text import encoding, segments
from casework.messaging.notifications import TEMPLATES, add_months, render
from casework.partnership import load_partnership
from casework.privacy import mask_phone_numbers
from notifier.sms import mask_number

PARTNERSHIP = load_partnership("lichfield")
# What a sample report knows and a text must never carry (a text can be read by someone else).
SAMPLE_REPORT_DETAIL = ["John", "Smith", "Elm Street", "WS7 1AA", "number 12", "drum and bass"]
OUTCOME_WORDS = [
    "warning",
    "arrest",
    "charged",
    "prosecut",
    "court",
    "injunction",
    "evict",
    "no further action",
    "closure order",
    "caution",
    "suspect",
    "perpetrator",
    "offender",
    "neighbour",
]
SAFETY_WORDS = ["domestic", "abuse", "hate", "racist", "violence", "drug", "police", "crime", "victim"]


def forbidden_words() -> list[str]:
    words = SAMPLE_REPORT_DETAIL + OUTCOME_WORDS + SAFETY_WORDS
    words += [t.code.replace("_", " ") for t in ASB_TYPES.values()]
    words += [t.label for t in ASB_TYPES.values() if t.code != "other"]
    words += [w.name for w in PARTNERSHIP.wards]
    return words


def all_texts() -> list[tuple[str, str]]:
    fields = {"handler": "Lichfield District Council", "respond_by": "Tuesday 24 November"}
    texts = [
        (p, render(p, reference="ASB-26-4F7K", partnership=PARTNERSHIP, fields=fields)) for p in TEMPLATES
    ]
    texts.append(
        (
            "ack-no-date",
            render(
                "ack",
                reference="ASB-26-4F7K",
                partnership=PARTNERSHIP,
                fields={"handler": "The community safety team"},
            ),
        )
    )
    return texts


@pytest.mark.parametrize(("purpose", "text"), all_texts())
def test_no_text_names_the_problem_people_places_or_outcomes(purpose, text):
    lowered = text.lower()
    found = [w for w in forbidden_words() if re.search(rf"\b{re.escape(w.lower())}", lowered)]
    assert found == [], f"{purpose} text mentions {found}: {text}"


@pytest.mark.parametrize(("purpose", "text"), all_texts())
def test_every_text_carries_the_reference_and_fits_two_gsm7_segments(purpose, text):
    assert text.startswith("Ref ASB-26-4F7K: ")
    assert encoding(text) == "GSM-7", text
    assert segments(text) <= 2, f"{purpose} is {segments(text)} segments: {text}"


def test_acknowledgement_says_who_has_it_and_when_to_expect_contact():
    text = render(
        "ack",
        reference="ASB-1",
        partnership=PARTNERSHIP,
        fields={"handler": "Lichfield District Council", "respond_by": "Tuesday 24 November"},
    )
    assert "Lichfield District Council will be in touch by Tuesday 24 November" in text
    assert "For details call 01543 308000." in text


def test_smart_punctuation_in_a_handler_name_does_not_force_unicode():
    text = render(
        "ack", reference="ASB-1", fields={"handler": "St John\u2019s team", "respond_by": "Friday 4 December"}
    )
    assert encoding(text) == "GSM-7" and "St John's team" in text


def test_an_unknown_purpose_is_refused():
    with pytest.raises(KeyError):
        render("outcome_details", reference="ASB-1")


def test_months_are_calendar_months_clamped_to_the_month_end():
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 18, tzinfo=UTC), 6) == datetime(2027, 5, 18, tzinfo=UTC)
    assert add_months(datetime(2026, 3, 18, tzinfo=UTC), -6) == datetime(2025, 9, 18, tzinfo=UTC)


def test_numbers_in_logs_are_masked_as_everywhere_else_to_their_last_three_digits():
    assert mask_number("+447700900123") == "+*********123"
    assert mask_number("+447700900123") == mask_phone_numbers("+447700900123")
    assert "1555" not in mask_number("+1555")


def test_an_update_text_says_the_resident_can_reply_to_read_it():
    text = render("status_update", reference="ASB-26-4F7K", partnership=PARTNERSHIP, fields={})
    assert "Reply UPDATE to read it" in text and segments(text) == 1
