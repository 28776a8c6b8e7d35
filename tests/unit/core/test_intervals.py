"""Interval arithmetic: normalisation and set algebra."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from scheduler.core.intervals import Interval, IntervalSet

pairs = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda p: (min(p), max(p))),
    max_size=8,
)


def members(s: IntervalSet) -> set[int]:
    return {t for t in range(61) if t in s}


def brute(raw: list[tuple[int, int]]) -> set[int]:
    return {t for a, b in raw for t in range(a, b)}


def test_normalises_overlapping_and_adjacent_intervals() -> None:
    """Overlapping and touching intervals merge; empty ones vanish."""
    s = IntervalSet([(5, 10), (0, 5), (8, 12), (20, 20), (30, 31)])
    assert s.pairs == ((0, 12), (30, 31))
    assert s.total() == 13


def test_interval_membership_is_half_open() -> None:
    """An interval holds its start but not its end."""
    assert 3 in Interval(3, 4)
    assert 4 not in Interval(3, 4)
    assert 3 in IntervalSet.of(3, 4)
    assert 4 not in IntervalSet.of(3, 4)


@given(pairs, pairs)
def test_algebra_matches_brute_force(
    a_raw: list[tuple[int, int]], b_raw: list[tuple[int, int]]
) -> None:
    """Union, intersection, difference and complement agree with sets of integer instants."""
    a, b = IntervalSet(a_raw), IntervalSet(b_raw)
    sa, sb = brute(a_raw), brute(b_raw)
    assert members(a) == sa
    assert members(a.union(b)) == sa | sb
    assert members(a.intersection(b)) == sa & sb
    assert members(a.difference(b)) == sa - sb
    assert members(a.complement(10, 50)) == set(range(10, 50)) - sa
    assert members(a.clip(10, 50)) == sa & set(range(10, 50))
    assert a.union(b).total() == len(sa | sb)


@given(pairs)
def test_normal_form_is_unique(raw: list[tuple[int, int]]) -> None:
    """Sets covering the same instants are equal, whatever order they were built in."""
    for perm in itertools.islice(itertools.permutations(raw), 5):
        assert IntervalSet(perm) == IntervalSet(raw)
    bounds = IntervalSet(raw).boundaries()
    assert bounds == sorted(bounds)
    assert len(set(bounds)) == len(bounds)
