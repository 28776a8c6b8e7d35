"""Half-open time intervals and normalised sets of them: the arithmetic every schedule,
ledger and savings computation is built on.

Instants are Unix seconds (UTC) as ``float``; schedules produce whole seconds. An
``IntervalSet`` is immutable and always normalised: sorted, disjoint, non-adjacent and
without empty members, so two sets covering the same instants compare equal.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Interval", "IntervalSet"]


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """The instants ``start <= t < end`` (Unix seconds)."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        """Length in seconds (0 for an empty interval)."""
        return max(0.0, self.end - self.start)

    def __contains__(self, t: float) -> bool:
        return self.start <= t < self.end


def _normalise(pairs: list[tuple[float, float]]) -> list[tuple[float, float]]:
    pairs = sorted(p for p in pairs if p[1] > p[0])
    merged: list[tuple[float, float]] = []
    for start, end in pairs:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class IntervalSet:
    """An immutable union of half-open intervals, kept normalised."""

    __slots__ = ("_pairs", "_starts")

    def __init__(self, intervals: Iterable[Interval | tuple[float, float]] = ()) -> None:
        pairs = [(i.start, i.end) if isinstance(i, Interval) else (i[0], i[1]) for i in intervals]
        self._pairs: tuple[tuple[float, float], ...] = tuple(_normalise(pairs))
        self._starts: tuple[float, ...] | None = None

    @classmethod
    def _normalised(cls, pairs: list[tuple[float, float]]) -> IntervalSet:
        result = cls.__new__(cls)
        result._pairs = tuple(pairs)
        result._starts = None
        return result

    @classmethod
    def of(cls, start: float, end: float) -> IntervalSet:
        """The set holding the single interval ``[start, end)`` (empty if ``end <= start``)."""
        return cls._normalised([(start, end)] if end > start else [])

    # -- views -----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Interval]:
        return (Interval(s, e) for s, e in self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __bool__(self) -> bool:
        return bool(self._pairs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and self._pairs == other._pairs

    def __hash__(self) -> int:
        return hash(self._pairs)

    def __repr__(self) -> str:
        return f"IntervalSet({list(self._pairs)!r})"

    @property
    def pairs(self) -> tuple[tuple[float, float], ...]:
        """The normalised ``(start, end)`` pairs."""
        return self._pairs

    def total(self) -> float:
        """Total covered seconds."""
        return sum(e - s for s, e in self._pairs)

    def __contains__(self, t: float) -> bool:
        if self._starts is None:
            self._starts = tuple(s for s, _ in self._pairs)
        i = bisect.bisect_right(self._starts, t) - 1
        return i >= 0 and t < self._pairs[i][1]

    def boundaries(self) -> list[float]:
        """Every start and end, in order: the instants at which membership changes."""
        return [t for pair in self._pairs for t in pair]

    # -- algebra ---------------------------------------------------------------------------
    def union(self, other: IntervalSet) -> IntervalSet:
        """Instants in either set."""
        if not other._pairs:
            return self
        if not self._pairs:
            return other
        return IntervalSet._normalised(_normalise([*self._pairs, *other._pairs]))

    def intersection(self, other: IntervalSet) -> IntervalSet:
        """Instants in both sets."""
        a, b = self._pairs, other._pairs
        i = j = 0
        out: list[tuple[float, float]] = []
        while i < len(a) and j < len(b):
            start = max(a[i][0], b[j][0])
            end = min(a[i][1], b[j][1])
            if start < end:
                out.append((start, end))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return IntervalSet._normalised(out)

    def complement(self, start: float, end: float) -> IntervalSet:
        """Instants of ``[start, end)`` that are not in this set."""
        out: list[tuple[float, float]] = []
        cursor = start
        for s, e in self._pairs:
            if e <= cursor:
                continue
            if s >= end:
                break
            if s > cursor:
                out.append((cursor, s))
            cursor = max(cursor, e)
        if cursor < end:
            out.append((cursor, end))
        return IntervalSet._normalised(out)

    def difference(self, other: IntervalSet) -> IntervalSet:
        """Instants in this set but not in ``other``."""
        if not self._pairs or not other._pairs:
            return self
        lo, hi = self._pairs[0][0], self._pairs[-1][1]
        return self.intersection(other.complement(lo, hi))

    def clip(self, start: float, end: float) -> IntervalSet:
        """This set restricted to ``[start, end)``."""
        return self.intersection(IntervalSet.of(start, end))
