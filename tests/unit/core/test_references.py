"""References are short, unambiguous and forgiving to type back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casework.core.references import ALPHABET, new_reference, parse_reference


def test_a_new_reference_is_asb_dash_six_unambiguous_characters():
    for _ in range(200):
        ref = new_reference()
        assert ref.startswith("ASB-") and len(ref) == 10
        assert all(ch in ALPHABET for ch in ref[4:])
    assert not set("01OIL") & set(ALPHABET)


def test_a_reference_typed_back_loosely_is_understood():
    assert parse_reference("ASB-7K3QXR") == "ASB-7K3QXR"
    assert parse_reference("asb-7k3qxr") == "ASB-7K3QXR"
    assert parse_reference("ASB7K3QXR") == "ASB-7K3QXR"
    assert parse_reference(" asb 7k3 qxr ") == "ASB-7K3QXR"
    assert parse_reference("7K3QXR") == "ASB-7K3QXR"


def test_things_that_are_not_references_are_refused():
    for text in ("", None, "ASB-7K3QX", "ASB-7K3QXRR", "ASB-0O1IL5", "hello there", "ASB-7K3-QX!"):
        assert parse_reference(text) is None


@given(st.text(alphabet=ALPHABET, min_size=6, max_size=6))
def test_every_reference_survives_being_read_back_in_lower_case_without_the_dash(body: str):
    assert parse_reference("asb" + body.lower()) == "ASB-" + body
