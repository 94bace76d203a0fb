"""Public figures hide small counts so nobody can be picked out, including by subtraction from a total."""

from __future__ import annotations

from casework.insight.public_figures import suppress


def test_counts_from_one_to_four_are_hidden_and_zero_and_five_are_shown():
    cells = suppress([("A", 0), ("B", 4), ("C", 5), ("D", 1), ("E", 9)])
    assert [(c.label, c.count) for c in cells] == [("A", 0), ("B", None), ("C", 5), ("D", None), ("E", 9)]


def test_a_lone_hidden_count_takes_the_next_smallest_with_it():
    cells = suppress([("Stowe", 12), ("Chasetown", 6), ("Chadsmead", 2)])
    assert [(c.label, c.count) for c in cells] == [("Stowe", 12), ("Chasetown", None), ("Chadsmead", None)]


def test_nothing_is_hidden_when_every_count_is_large():
    assert [c.count for c in suppress([("A", 5), ("B", 50)])] == [5, 50]
