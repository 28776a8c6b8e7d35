"""Pods over time: when each workload's pods exist, on which node, under which names.

From a workload's *actual* off intervals (replicas 0 or suspended, after Flux applied the
commit) this module derives its pod lives: pods keep running ``shutdown_tail`` seconds into an
off interval and start ``pod_start_delay`` seconds after it ends; pod restarts (Poisson,
``restarts_per_day`` per replica) end a life and begin a new pod with a new UID (and for a
Deployment a new name); ephemeral pods (``pod_seconds``, CI runners) live a uniform random
time each and are replaced at once. CronJob lives are the Jobs that the schedule starts while
not suspended. The *counterfactual* lives are the same workload never switched off (the
ground truth's).
"""

from __future__ import annotations

import itertools
import math
import random
import string
import uuid
from dataclasses import dataclass

from scheduler.core.intervals import IntervalSet
from scheduler.simulation.spec import SimulationSpec, WorkloadSpec

__all__ = ["PodLife", "counterfactual_lives", "pod_lives", "replicaset_name"]

_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True, slots=True)
class PodLife:
    """One pod from ``start`` to ``end``, drawing full power until ``spike_until`` (start-up)."""

    pod: str
    uid: str
    node: str
    owner_kind: str
    owner_name: str
    start: float
    end: float
    spike_until: float


def replicaset_name(spec: SimulationSpec, w: WorkloadSpec) -> str:
    """The (single) ReplicaSet of a Deployment: ``<name>-<10 characters>``."""
    rng = random.Random(f"{spec.seed}:rs:{w.ref}")
    return f"{w.name}-{''.join(rng.choices(_ALPHABET, k=10))}"


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _node(spec: SimulationSpec, index: int, replica: int) -> str:
    return f"node-{(index + replica) % spec.nodes}"


def _running(spec: SimulationSpec, actual_off: IntervalSet) -> IntervalSet:
    gone = IntervalSet(
        (a + spec.shutdown_tail, b + spec.pod_start_delay) for a, b in actual_off.pairs
    )
    return gone.complement(spec.start_ts, spec.end_ts)


def _split(
    rng: random.Random, span: tuple[float, float], *, rate: float
) -> list[tuple[float, float]]:
    a, b = span
    cuts, t = [a], a
    while rate > 0:
        t += rng.expovariate(rate)
        if t >= b:
            break
        cuts.append(t)
    cuts.append(b)
    return list(itertools.pairwise(cuts))


def _ephemeral(
    rng: random.Random, span: tuple[float, float], *, seconds: tuple[float, float]
) -> list[tuple[float, float]]:
    """Back-to-back pieces of ``span`` lasting a uniform random time in ``seconds`` each."""
    a, b = span
    cuts = [a]
    while cuts[-1] < b:
        cuts.append(min(b, cuts[-1] + rng.uniform(*seconds)))
    return list(itertools.pairwise(cuts))


def _service_lives(
    spec: SimulationSpec, w: WorkloadSpec, *, index: int, actual_off: IntervalSet
) -> list[PodLife]:
    rng = random.Random(f"{spec.seed}:pods:{w.ref}")
    rate = w.restarts_per_day / 86400.0
    owner_kind = "ReplicaSet" if w.kind == "Deployment" else w.kind
    owner = replicaset_name(spec, w) if w.kind == "Deployment" else w.name
    lives = []
    for r in range(w.replicas):
        for on in _running(spec, actual_off):
            spike = on.start + spec.startup_seconds if on.start > spec.start_ts else on.start
            pieces = (
                _ephemeral(rng, (on.start, on.end), seconds=w.pod_seconds)
                if w.pod_seconds
                else _split(rng, (on.start, on.end), rate=rate)
            )
            for a, b in pieces:
                name = (
                    f"{owner}-{''.join(rng.choices(_ALPHABET, k=5))}"
                    if w.kind == "Deployment"
                    else f"{w.name}-{r}"
                )
                lives.append(
                    PodLife(name, _uid(rng), _node(spec, index, r), owner_kind, owner, a, b, spike)
                )
    return lives


def _job_starts(spec: SimulationSpec, w: WorkloadSpec) -> list[float]:
    assert w.cron is not None
    period, offset = w.cron.period_seconds, w.cron.offset_seconds % w.cron.period_seconds
    first = math.ceil((spec.start_ts - offset) / period) * period + offset
    return _frange(first, spec.end_ts, period)


def _frange(a: float, b: float, step: float) -> list[float]:
    n = max(0, math.ceil((b - a) / step))
    return [a + i * step for i in range(n)]


def _cron_lives(
    spec: SimulationSpec, w: WorkloadSpec, *, index: int, suspended: IntervalSet | None
) -> list[PodLife]:
    assert w.cron is not None
    rng = random.Random(f"{spec.seed}:jobs:{w.ref}")
    lives = []
    for t in _job_starts(spec, w):
        if suspended is not None and t in suspended:
            continue
        job = f"{w.name}-{int(t // 60)}"
        name = f"{job}-{''.join(rng.choices(_ALPHABET, k=5))}"
        end = min(t + w.cron.job_seconds, spec.end_ts)
        lives.append(PodLife(name, _uid(rng), _node(spec, index, 0), "Job", job, t, end, t))
    return lives


def pod_lives(
    spec: SimulationSpec, w: WorkloadSpec, *, index: int, actual_off: IntervalSet
) -> list[PodLife]:
    """Every pod the workload runs, given its actual off intervals."""
    if w.cron is not None:
        return _cron_lives(spec, w, index=index, suspended=actual_off)
    return _service_lives(spec, w, index=index, actual_off=actual_off)


def counterfactual_lives(spec: SimulationSpec, w: WorkloadSpec) -> IntervalSet:
    """When one replica (or the CronJob's Jobs) would have run had it never been switched off."""
    if w.cron is not None:
        return IntervalSet((t, t + w.cron.job_seconds) for t in _job_starts(spec, w)).clip(
            spec.start_ts, spec.end_ts
        )
    return IntervalSet.of(spec.start_ts, spec.end_ts)
