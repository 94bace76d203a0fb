"""SMS text shaping: encoding, segment counts, sentence splitting, numbered choices, sender ids."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.conversation.contacts import InvalidPhoneNumber, normalise_phone, sms_sender_id
from casework.conversation.transcript import clean_text, normalise_messages
from casework.core.sms_text import (
    choose_button,
    encoding,
    numbered_choices,
    render_for_sms,
    segments,
    smart_encode,
    split_for_sms,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("ł" * 70, 1),
        ("ł" * 71, 2),
        ("ł" * 134, 2),
        ("ł" * 135, 3),
        ("😀" * 35, 1),
        ("😀" * 36, 2),
    ],
)
def test_segments_follow_gsm7_and_ucs2_rules(text, expected):
    assert segments(text) == expected


def test_typographic_quotes_and_dashes_stay_in_gsm7():
    assert encoding("It’s – “fine”…") == "UCS-2"
    assert encoding(smart_encode("It’s – “fine”…")) == "GSM-7"


def test_a_short_reply_is_one_part():
    assert split_for_sms("Thank you. Your reference is LF-7K3M9Q.") == [
        "Thank you. Your reference is LF-7K3M9Q."
    ]


@given(st.lists(st.text(alphabet="abcdefghij klmn", min_size=1, max_size=120), min_size=1, max_size=30))
def test_split_parts_always_fit_three_segments_and_keep_every_word(sentences):
    text = ". ".join(s.strip() or "x" for s in sentences) + "."
    parts = split_for_sms(text)
    assert all(segments(p) <= 3 for p in parts)
    assert " ".join(parts).split() == smart_encode(text).split()


def test_splits_fall_at_sentence_ends():
    sentences = [f"Sentence {i} says something useful about what to do next." for i in range(30)]
    parts = split_for_sms(" ".join(sentences))
    assert len(parts) > 1 and all(p.endswith(".") for p in parts)


def test_a_giant_word_is_cut_rather_than_dropped():
    parts = split_for_sms("x" * 1000)
    assert "".join(parts) == "x" * 1000 and all(segments(p) <= 3 for p in parts)


def test_buttons_become_numbered_lines_that_survive_splitting():
    text = numbered_choices(
        "Is it happening now?", [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    )
    assert render_for_sms(
        [
            {
                "text": "Is it happening now?",
                "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            }
        ]
    ) == [text]
    assert text.splitlines()[1:3] == ["1. Yes", "2. No"]


@pytest.mark.parametrize(
    "reply,payload",
    [
        ("1", "/affirm"),
        (" 2. ", "/deny"),
        ("2)", "/deny"),
        ("no", "/deny"),
        ("3", None),
        ("0", None),
        ("1 2", None),
        ("yes please", None),
    ],
)
def test_a_digit_or_exact_title_selects_a_button(reply, payload):
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    chosen = choose_button(reply, buttons)
    assert (chosen["payload"] if chosen else None) == payload


def test_uk_numbers_are_normalised_to_e164():
    assert normalise_phone("07700 900123") == "+447700900123"
    assert normalise_phone("+44 (0)7700-900123".replace("(0)", "")) == "+447700900123"
    assert normalise_phone("00447700900123") == "+447700900123"
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone("hello")


def test_the_sender_id_is_a_keyed_hash_not_the_number():
    a = sms_sender_id("+447700900123", "key-one-0123456789")
    assert a.startswith("sms-") and "7700900123" not in a and len(a) == 36
    assert a == sms_sender_id("+447700900123", "key-one-0123456789")
    assert a != sms_sender_id("+447700900123", "key-two-0123456789")


def test_control_characters_are_dropped_but_line_breaks_kept():
    assert clean_text("\x00hi\r\nthere\x1b\u200b ") == "hi\nthere"


def test_rasa_images_and_custom_payloads_are_left_out():
    assert normalise_messages(
        [{"image": "x"}, {"custom": {}}, {"text": "ok", "buttons": [{"title": "A"}]}, 5]
    ) == [{"text": "ok", "buttons": [{"title": "A", "payload": "A"}]}]
