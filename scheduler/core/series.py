"""Time series of samples as Prometheus stores them: a metric name, labels, and samples.

The common currency of the Kepler readers (parsed from Prometheus responses), the simulation
(generated) and the OpenMetrics writer (backfilled into a test Prometheus with promtool).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["MetricSeries"]


@dataclass(frozen=True)
class MetricSeries:
    """One series: ``times`` (Unix seconds, ascending) and ``values`` of equal length."""

    name: str
    labels: tuple[tuple[str, str], ...]
    times: array[float] = field(default_factory=lambda: array("d"))
    values: array[float] = field(default_factory=lambda: array("d"))

    def __post_init__(self) -> None:
        if len(self.times) != len(self.values):
            raise ValueError(
                f"series {self.name}: {len(self.times)} timestamps but {len(self.values)} values"
            )

    @classmethod
    def of(cls, name: str, labels: Mapping[str, str]) -> MetricSeries:
        """An empty series with sorted labels."""
        return cls(name, tuple(sorted(labels.items())))

    @property
    def label_map(self) -> dict[str, str]:
        """The labels as a dict."""
        return dict(self.labels)

    def __len__(self) -> int:
        return len(self.times)
