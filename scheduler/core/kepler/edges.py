"""Where a series' energy begins and ends inside the period, and which rule said so.

Energy is attributed to samples: a sample's counter delta covers the time since the previous
sample, so the period ``[from, until)`` gets every delta of a sample in ``(from, until]``.
Each counter series is read at the grid points with a lookback (``queries``); at its first
point one of these rules applies, decided from data in this order:

1. ``before``: seen at the period's first point, i.e. it has a sample within the lookback
   before ``from``: that sample is the baseline, the series existed before the period;
2. ``started (kube-state-metrics)``: first seen at a later point and ``kube_pod_start_time``
   says its pod started after the previous point's lookback began, so no earlier sample could
   exist: Kepler counters start at 0 with the container, the first value is energy since it
   started and is counted in full (like every delta, in the step of its sample);
3. ``existed (kube-state-metrics)``: first seen at a later point, but its pod started before
   that: it ran unobserved (its Kepler was not scraped) and the first value, which holds
   energy from before, is a baseline;
4. ``started (new series)``: no start time, and Kepler data existed at the previous point
   (the cluster was scraped and this series was not in it): counted from 0, if plausible
   (not above twice the largest node's energy in that step);
5. ``implausible``: as 4 but the value is above that bound (a counter that ran unseen): the
   step is unknown, never energy;
6. ``no earlier data``: first seen where Kepler data begins (nothing before it in the
   lookback): the first value is a baseline and the step before it is unknown.

A series that ends inside the period keeps its last delta (its last sample is seen within the
lookback after it) and adds nothing afterwards. ``EdgeTally`` counts pods per rule for the
report. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ENDED_RULE", "EdgeTally", "Horizon", "StartRule"]


class StartRule(StrEnum):
    """The rule applied at a series' first point in the period."""

    BEFORE = "before"
    STARTED_KSM = "started-kube-state-metrics"
    EXISTED_KSM = "existed-kube-state-metrics"
    STARTED_NEW = "started-new-series"
    IMPLAUSIBLE = "implausible"
    NO_EARLIER_DATA = "no-earlier-data"

    @property
    def counted_from_zero(self) -> bool:
        """Whether the first value was counted as energy since the series started."""
        return self in (StartRule.STARTED_KSM, StartRule.STARTED_NEW)

    @property
    def sentence(self) -> str:
        """What the rule did, in words."""
        return _SENTENCES[self]


_SENTENCES: Mapping[StartRule, str] = {
    StartRule.BEFORE: "existed before the period: counted from the last sample before it",
    StartRule.STARTED_KSM: (
        "started inside the period (kube_pod_start_time): first sample counted from 0"
    ),
    StartRule.EXISTED_KSM: (
        "started earlier (kube_pod_start_time) but first seen inside the period (ran "
        "unobserved): first sample is the baseline"
    ),
    StartRule.STARTED_NEW: (
        "started inside the period (first seen while Kepler was scraped): "
        "first sample counted from 0"
    ),
    StartRule.IMPLAUSIBLE: (
        "first sample above twice the node energy of its step (ran unseen): step unknown"
    ),
    StartRule.NO_EARLIER_DATA: (
        "first seen where Kepler data begins: first sample is the baseline, "
        "energy before it unknown"
    ),
}

ENDED_RULE = "ended inside the period: last sample's delta kept, nothing after it"


@dataclass(frozen=True)
class Horizon:
    """The grid (``start``, ``step``) and how far each point looks back (``lookback``)."""

    start: float
    step: float
    lookback: float

    def started_unseen(self, point: int, started_at: float) -> bool:
        """Whether a pod that started at ``started_at`` and is first seen at ``point`` could
        not have been seen before: it started after the previous point's lookback began."""
        return started_at >= self.start + (point - 1) * self.step - self.lookback


def _pods(count: int) -> str:
    return f"{count} pod" if count == 1 else f"{count} pods"


class EdgeTally:
    """Pods per start rule, and pods that ended inside the period."""

    def __init__(self) -> None:
        self.starts: Counter[StartRule] = Counter()
        self.ended = 0

    def add(self, rule: StartRule | None, *, ended: bool) -> None:
        """Count one pod."""
        if rule is not None:
            self.starts[rule] += 1
        self.ended += ended

    def lines(self) -> list[str]:
        """One line per rule that applied, most frequent first."""
        out = [f"{_pods(n)} {rule.sentence}" for rule, n in self.starts.most_common()]
        if self.ended:
            out.append(f"{_pods(self.ended)} {ENDED_RULE}")
        return out

    def as_dict(self) -> dict[str, int]:
        """Counts by rule name (and ``ended``), for JSON."""
        out = {rule.value: n for rule, n in sorted(self.starts.items())}
        out["ended"] = self.ended
        return out
