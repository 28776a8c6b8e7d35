"""Per-pod totals: observed time without the lookback's linger, start rule and end."""

from __future__ import annotations

from scheduler.core.kepler.counters import Fed
from scheduler.core.kepler.edges import StartRule
from scheduler.core.kepler.pods import PodTally
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.workloads import WorkloadRef

JOB = WorkloadRef("Job", "ci", "build-1")


def _tally(linger: int) -> PodTally:
    tally = PodTally(Timeline(0.0, 3.0, 20), linger=linger)
    tally.attribute("ci", "build-1-abcde", workload=JOB, how="kube-state-metrics")
    return tally


def test_a_short_pod_is_observed_while_it_drew_energy_not_while_it_lingered() -> None:
    """Started at point 4, energy until point 8, still seen (lookback) until point 10: its
    observed time is 5 steps (the first from zero), and it ended inside the period."""
    tally = _tally(linger=2)
    fed = Fed(50.0, 5, 0, StartRule.STARTED_NEW, last_change=8)
    tally.add("ci", "build-1-abcde", key="k", points=list(range(4, 11)), fed=fed)
    pod = tally.result()[WorkloadRef("Pod", "ci", "build-1-abcde")]
    assert pod.seconds == 5 * 3.0
    assert pod.start_rule is StartRule.STARTED_NEW
    assert pod.ended
    assert tally.edges().as_dict() == {"started-new-series": 1, "ended": 1}


def test_an_idle_pod_keeps_its_time_up_to_the_linger() -> None:
    """A pod that drew nothing is observed from its first point to its last one seen less
    the linger; one seen to the last point did not end inside the period."""
    tally = _tally(linger=2)
    fed = Fed(0.0, 20, 0, StartRule.BEFORE)
    tally.add("ci", "build-1-abcde", key="k", points=list(range(21)), fed=fed)
    pod = tally.result()[WorkloadRef("Pod", "ci", "build-1-abcde")]
    assert pod.seconds == 18 * 3.0
    assert not pod.ended
