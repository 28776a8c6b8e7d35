"""Edge rules: when a pod first seen at a point could not have been seen before, and the tally."""

from __future__ import annotations

from scheduler.core.kepler.edges import EdgeTally, Horizon, StartRule


def test_a_pod_started_after_the_previous_look_is_new() -> None:
    """Grid from 1000 s, step 10 s, lookback 25 s: first seen at point 3, the previous point
    (1020 s) looked back to 995 s; a pod started at 995 s or later could not be seen there."""
    horizon = Horizon(1000.0, 10.0, 25.0)
    assert horizon.started_unseen(3, 995.0)
    assert horizon.started_unseen(3, 1028.0)
    assert not horizon.started_unseen(3, 994.0)
    assert horizon.started_unseen(1, 975.0)
    assert not horizon.started_unseen(1, 974.9)


def test_rules_say_whether_the_first_sample_counted() -> None:
    """Only the two 'started' rules count a first sample from zero."""
    counted = {rule for rule in StartRule if rule.counted_from_zero}
    assert counted == {StartRule.STARTED_KSM, StartRule.STARTED_NEW}
    assert all(rule.sentence for rule in StartRule)


def test_tally_lists_rules_by_frequency_and_ended_pods() -> None:
    """Lines name each applied rule with its pod count, most frequent first, then the ended
    pods; the dict is what JSON carries."""
    tally = EdgeTally()
    tally.add(StartRule.BEFORE, ended=False)
    tally.add(StartRule.STARTED_NEW, ended=True)
    tally.add(StartRule.STARTED_NEW, ended=True)
    tally.add(None, ended=False)
    lines = tally.lines()
    assert lines[0].startswith("2 pods started inside the period")
    assert lines[1].startswith("1 pod existed before the period")
    assert lines[2].startswith("2 pods ended inside the period")
    assert tally.as_dict() == {"before": 1, "started-new-series": 2, "ended": 2}
