"""Energy summaries for people: unknown figures are null with a reason, never 0 J."""

from __future__ import annotations

import math

from scheduler.core.kepler import summary
from scheduler.core.kepler.reading import GridTotal, ReadingMetadata
from scheduler.core.kepler.schema import KeplerSchema

META = ReadingMetadata(
    schema=KeplerSchema.V0_7,
    versions=(),
    zones=("package",),
    modes=("dynamic",),
    pseudo_containers="excluded",
    attribution={},
    node_source="",
    method="exact",
    coverage=0.0,
)


def _period(total: GridTotal, *pods: summary.PodRow) -> summary.PeriodSummary:
    return summary.PeriodSummary(0.0, 60.0, 60.0, total, {"dev": total}, pods, META)


def test_a_total_without_any_known_step_is_null_with_the_reason() -> None:
    """No step with data at both ends: joules, Wh and W are null and the reason is given."""
    unknown = _period(GridTotal(0.0, 0.0, 60.0))
    document = summary.as_json(unknown)["period"]
    assert document["namespaces"]["dev"]["joules"] is None
    assert document["namespaces"]["dev"]["unknown_reason"] == summary.UNKNOWN_REASON
    assert document["steps"] == 1


def test_a_comparison_with_an_unknown_side_has_no_difference() -> None:
    """Difference and ratio need both periods measured."""
    comparison = summary.Comparison(
        _period(GridTotal(10.0, 60.0, 60.0)), _period(GridTotal(0.0, 0.0, 60.0))
    )
    assert not comparison.known
    assert math.isnan(comparison.difference_joules)
    assert math.isnan(comparison.ratio)


def test_a_pod_seen_only_as_a_baseline_has_unknown_energy() -> None:
    """A pod seen at one point where Kepler data begins measured nothing: null, not 0 J; a pod
    that drew 0 J while observed is 0 J."""
    baseline = summary.PodRow("dev", "a", "Pod/dev/a", "unattributed pod", 0.0, 0.0)
    idle = summary.PodRow("dev", "b", "Pod/dev/b", "unattributed pod", 0.0, 60.0)
    pods = summary.as_json(_period(GridTotal(0.0, 60.0, 60.0), baseline, idle))["period"]["pods"]
    assert [p["joules"] for p in pods] == [None, 0.0]
