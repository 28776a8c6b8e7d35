"""A manual clock for tests of code that takes an injected clock (``follow``, ``lease``).

``ManualClock`` moves only when told to (``advance``) or when the code under test sleeps on
it; each sleep can trigger a scheduled action, which is how a test "plays Flux" between two
polls without threads or real waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["ManualClock"]


class ManualClock:
    """Fake wall-clock time: ``now()``/``clock()``, ``sleep`` advances, ``then`` schedules."""

    def __init__(self, start: datetime = datetime(2026, 8, 3, 22, 0, tzinfo=UTC)) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware start time")
        self.moment = start
        self.sleeps: list[float] = []
        self._actions: list[Callable[[], object]] = []

    def now(self) -> datetime:
        """The current fake time."""
        return self.moment

    def __call__(self) -> datetime:
        """The current fake time (so the clock is also a ``Callable[[], datetime]``)."""
        return self.moment

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        self.moment += timedelta(seconds=seconds)

    def then(self, *actions: Callable[[], object]) -> None:
        """Run ``actions`` one per future ``sleep`` call, in order."""
        self._actions.extend(actions)

    def sleep(self, seconds: float) -> None:
        """Record the sleep, advance time, then run the next scheduled action, if any."""
        self.sleeps.append(seconds)
        self.advance(seconds)
        if self._actions:
            self._actions.pop(0)()
