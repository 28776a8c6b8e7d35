"""Twelve hours of synthetic offhours, Kepler and scrape series, as OpenMetrics for promtool.

Owns: a scripted timeline that exercises every dashboard query and every alert:
  [0 h, 6 h)   healthy: one leader, pushes applied by Flux within a minute, Kepler data;
  [6 h, 9 h)   broken: two leaders, failing cycles, push conflicts, overdue transitions, slow
               and missing Flux applies, a release asleep in Git still running and not Ready,
               Kepler gone;
  [9 h, 12 h)  down: no replica up, none leading.
``HEALTHY``, ``BROKEN`` and ``DOWN`` are instants inside each phase where every window the
queries use (up to 6 h) sees the phase it tests. Values are made up; labels follow the daemon's
metric names, Kepler 0.10+ and the ServiceMonitor's target labels. It must not be mistaken for
recorded data: nothing here measures anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
STEP = 30
HOUR = 3600
MINUTE = 60
END = T0 + 12 * HOUR
BROKEN_FROM = T0 + 6 * HOUR
DOWN_FROM = T0 + 9 * HOUR

HEALTHY = T0 + 5 * HOUR + 30 * MINUTE
BROKEN = T0 + 8 * HOUR
DOWN = T0 + 11 * HOUR + 30 * MINUTE

PODS = {"a": "10.0.0.1:8080", "b": "10.0.0.2:8080"}
# Push instants, and when (if ever) Flux applied each push.
PUSHES = [T0 + h * HOUR for h in (2, 4, 5)] + [
    T0 + 6 * HOUR + m * MINUTE for m in (5, 15, 25, 35, 45, 60, 80)
]
APPLIED_AT = {
    T0 + 2 * HOUR: T0 + 2 * HOUR + MINUTE,
    T0 + 4 * HOUR: T0 + 4 * HOUR + MINUTE,
    T0 + 5 * HOUR: T0 + 5 * HOUR + MINUTE,
    T0 + 6 * HOUR + 5 * MINUTE: T0 + 6 * HOUR + 30 * MINUTE,
    T0 + 6 * HOUR + 15 * MINUTE: T0 + 6 * HOUR + 40 * MINUTE,
    T0 + 6 * HOUR + 25 * MINUTE: T0 + 6 * HOUR + 48 * MINUTE,
}
LAG_BUCKETS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
DURATION_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0)
KEPLER_PODS = [
    ("dev", "web-7d9f5c-abcde", 1.2),
    ("staging", "worker-5c8d7b-x12yz", 0.9),
    ("flux-system", "kustomize-controller-6d5f8-aaaaa", 0.21),
    ("flux-system", "source-controller-7b8c9-bbbbb", 0.15),
    ("offhours", "offhours-6f7b9c-aaaaa", 0.05),
    ("offhours", "offhours-6f7b9c-bbbbb", 0.02),
]


@dataclass(frozen=True)
class Series:
    """One time series: name, labels and (unix seconds, value) samples in time order."""

    name: str
    labels: tuple[tuple[str, str], ...]
    samples: tuple[tuple[int, float], ...]

    def lines(self) -> list[str]:
        labels = ",".join(f'{k}="{v}"' for k, v in self.labels)
        return [f"{self.name}{{{labels}}} {value!r} {t}" for t, value in self.samples]


def _sample(
    value: Callable[[int], float | None], start: int = T0, end: int = END
) -> tuple[tuple[int, float], ...]:
    points = ((t, value(t)) for t in range(start, end, STEP))
    return tuple((t, v) for t, v in points if v is not None)


def _target(pod: str) -> tuple[tuple[str, str], ...]:
    return (
        ("instance", PODS[pod]),
        ("job", "offhours"),
        ("namespace", "offhours"),
        ("pod", f"offhours-{pod}"),
    )


def _minutes(start: int, end: int) -> Callable[[int], float]:
    """A counter that goes up by one every minute between start and end."""
    return lambda t: float(max(0, min(t, end) - start) // MINUTE)


def _asleep(t: int) -> float:
    return 5.0 if t < T0 + 2 * HOUR or t >= T0 + 4 * HOUR else 0.0


def _histogram(
    name: str,
    labels: tuple[tuple[str, str], ...],
    observations: list[tuple[int, float]],
    buckets: tuple[float, ...],
) -> list[Series]:
    """Cumulative bucket, count and sum series of a Prometheus histogram."""

    def seen(t: int, le: float) -> float:
        return float(sum(1 for at, v in observations if at <= t and v <= le))

    out = [
        Series(
            f"{name}_bucket", (*labels, ("le", f"{le:g}")), _sample(lambda t, le=le: seen(t, le))
        )
        for le in buckets
    ]
    out.append(
        Series(
            f"{name}_bucket", (*labels, ("le", "+Inf")), _sample(lambda t: seen(t, float("inf")))
        )
    )
    out.append(Series(f"{name}_count", labels, _sample(lambda t: seen(t, float("inf")))))
    out.append(
        Series(
            f"{name}_sum", labels, _sample(lambda t: sum(v for at, v in observations if at <= t))
        )
    )
    return out


def _daemon() -> list[Series]:
    a, b = _target("a"), _target("b")
    last_push = lambda t: float(max([p for p in PUSHES if p <= t], default=0))  # noqa: E731
    overdue = T0 + 6 * HOUR + 10 * MINUTE

    def next_transition(t: int) -> float:
        if t >= BROKEN_FROM:
            return float(overdue)
        return float(T0 + ((t - T0) // (2 * HOUR) + 1) * 2 * HOUR)

    policy = (("policy", "dev-nights"),)
    series = [
        Series("up", a, _sample(lambda t: 1.0 if t < DOWN_FROM else 0.0)),
        Series("up", b, _sample(lambda t: 1.0 if t < DOWN_FROM else 0.0)),
        Series("offhours_is_leader", a, _sample(lambda t: 1.0 if t < DOWN_FROM else 0.0)),
        Series(
            "offhours_is_leader", b, _sample(lambda t: 1.0 if BROKEN_FROM <= t < DOWN_FROM else 0.0)
        ),
        Series("offhours_cycles_total", (*a, ("result", "ok")), _sample(_minutes(T0, BROKEN_FROM))),
        Series(
            "offhours_cycles_total",
            (*a, ("result", "error")),
            _sample(_minutes(BROKEN_FROM, DOWN_FROM)),
        ),
        Series(
            "offhours_errors_total",
            (*a, ("kind", "push_rejected")),
            _sample(_minutes(BROKEN_FROM, DOWN_FROM)),
        ),
        Series(
            "offhours_push_conflicts_total",
            a,
            _sample(lambda t: float(max(0, min(t, DOWN_FROM) - BROKEN_FROM) // (2 * MINUTE))),
        ),
        Series("offhours_last_successful_push_timestamp_seconds", a, _sample(last_push)),
        Series("offhours_targets_asleep", (*a, *policy), _sample(_asleep)),
        Series(
            "offhours_targets_asleep", (*a, ("policy", "previews-nights")), _sample(lambda t: 2.0)
        ),
        Series(
            "offhours_estimated_watts_avoided", (*a, *policy), _sample(lambda t: 3.5 * _asleep(t))
        ),
        Series(
            "offhours_estimated_watts_avoided",
            (*a, ("policy", "previews-nights")),
            _sample(lambda t: 0.4),
        ),
        Series(
            "offhours_transitions_total",
            (*a, *policy, ("action", "sleep")),
            _sample(lambda t: 5.0 * (1 + (t >= T0 + 4 * HOUR))),
        ),
        Series(
            "offhours_transitions_total",
            (*a, *policy, ("action", "wake")),
            _sample(lambda t: 5.0 * (t >= T0 + 2 * HOUR)),
        ),
    ]
    series += _live_check(a, b)
    for pod in (a, b):
        series.append(
            Series(
                "offhours_next_transition_timestamp_seconds",
                (*pod, *policy),
                _sample(next_transition),
            )
        )
    cycles = [(t, 0.8 if t < BROKEN_FROM else 4.0) for t in range(T0 + MINUTE, DOWN_FROM, MINUTE)]
    actuation = [(p, 30.0 if p < BROKEN_FROM else 900.0) for p in PUSHES]
    applies = [(done, float(done - pushed)) for pushed, done in APPLIED_AT.items()]
    series += _histogram("offhours_cycle_duration_seconds", a, cycles, DURATION_BUCKETS)
    series += _histogram("offhours_actuation_lag_seconds", a, actuation, LAG_BUCKETS)
    series += _histogram("offhours_flux_apply_lag_seconds", a, applies, LAG_BUCKETS)
    return series


def _live_check(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> list[Series]:
    """The leader's live check: the release asleep in Git settles while healthy and keeps 2
    workloads running (upgrade failed) when broken; the standby's stale series from an earlier
    leadership must not fire."""
    release = (("target", "HelmRelease/media/arr"),)
    broken = lambda t: t >= BROKEN_FROM  # noqa: E731
    return [
        Series(
            "offhours_target_workloads_running",
            (*a, *release),
            _sample(lambda t: 2.0 * broken(t), end=DOWN_FROM),
        ),
        Series(
            "offhours_target_not_ready",
            (*a, *release),
            _sample(lambda t: 1.0 * broken(t), end=DOWN_FROM),
        ),
        Series(
            "offhours_target_workloads_running",
            (*b, ("target", "Deployment/dev/web")),
            _sample(lambda t: 1.0, end=BROKEN_FROM),
        ),
        Series(
            "offhours_target_not_ready",
            (*b, ("target", "HelmRelease/dev/web")),
            _sample(lambda t: 1.0, end=BROKEN_FROM),
        ),
    ]


def _kepler() -> list[Series]:
    node = (("node_name", "demo-worker"),)
    series = [
        Series(
            "kepler_node_cpu_watts",
            (*node, ("path", "/sys/class/powercap/intel-rapl:0"), ("zone", "package")),
            _sample(lambda t: 38.0 + 0.5 * _asleep(t), end=BROKEN_FROM),
        )
    ]
    for number, (namespace, pod, watts) in enumerate(KEPLER_PODS):
        labels = (
            *node,
            ("pod_id", f"00000000-0000-4000-8000-{number:012d}"),
            ("pod_name", pod),
            ("pod_namespace", namespace),
            ("state", "running"),
            ("zone", "package"),
        )

        def power(t, w=watts, ns=namespace):
            return w * 0.05 if ns == "dev" and _asleep(t) else w

        series.append(Series("kepler_pod_cpu_watts", labels, _sample(power, end=BROKEN_FROM)))
        series.append(
            Series(
                "kepler_pod_cpu_joules_total",
                labels,
                _sample(
                    lambda t, p=power: sum(p(s) * STEP for s in range(T0, t, STEP * 20)) * 20,
                    end=BROKEN_FROM,
                ),
            )
        )
    return series


def all_series() -> list[Series]:
    """Every series of the timeline."""
    return _daemon() + _kepler()


def openmetrics() -> str:
    """The timeline as an OpenMetrics text file for `promtool tsdb create-blocks-from`."""
    lines = [line for series in all_series() for line in series.lines()]
    return "\n".join([*lines, "# EOF"]) + "\n"
