"""The generated series: Kepler 0.10 and kube-state-metrics shapes, restarts, gaps, off time."""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.releases import Placement, Placements
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.simulation import (
    CronSpec,
    PolicySpec,
    Simulation,
    SimulationSpec,
    WorkloadSpec,
    simulate,
)
from scheduler.simulation.standin_reader import GridShape, workload_grids

START = datetime(2025, 1, 6, tzinfo=UTC)
WEB = WorkloadRef("Deployment", "dev", "web")
DB = WorkloadRef("StatefulSet", "dev", "db")
BATCH = WorkloadRef("CronJob", "dev", "batch")


def spec(seed: int = 1, **overrides: object) -> SimulationSpec:
    base: dict[str, object] = {
        "start": START,
        "days": 4.0,
        "adoption": START + timedelta(days=1),
        "seed": seed,
        "scrape_interval": 60.0,
        "workloads": (
            WorkloadSpec(
                "Deployment", "dev", "web", policy="nights", replicas=2, restarts_per_day=4
            ),
            WorkloadSpec("StatefulSet", "dev", "db", policy="nights", restarts_per_day=4),
            WorkloadSpec("CronJob", "dev", "batch", policy="nights", cron=CronSpec()),
        ),
        "policies": (PolicySpec("nights"),),
        "gaps_per_day": 2.0,
        "kepler_restarts": 1,
        "removable_nodes": 1,
    }
    base.update(overrides)
    return SimulationSpec(**base)  # type: ignore[arg-type]


@functools.cache
def sim() -> Simulation:
    return simulate(spec())


def labels(s: MetricSeries) -> dict[str, str]:
    return s.label_map


def named(name: str) -> list[MetricSeries]:
    return [s for s in sim().series if s.name == name]


def pods_of(namespace: str, prefix: str) -> list[MetricSeries]:
    return [
        s
        for s in named("kepler_pod_cpu_joules_total")
        if labels(s)["pod_namespace"] == namespace and labels(s)["pod_name"].startswith(prefix)
    ]


def test_same_seed_same_series_other_seed_other_series() -> None:
    """The simulation is deterministic in its seed."""
    again = simulate(spec())
    assert [(s.name, s.labels, list(s.values)) for s in again.series] == [
        (s.name, s.labels, list(s.values)) for s in sim().series
    ]
    other = simulate(spec(seed=2))
    assert [list(s.values) for s in other.series[:5]] != [list(s.values) for s in sim().series[:5]]


def test_kepler_pod_series_have_the_0_10_labels_and_zones() -> None:
    """pod_id, pod_name, pod_namespace, state, zone and node_name; DRAM is a share of package."""
    series = pods_of("dev", "db-")
    assert set(labels(series[0])) == {
        "pod_id",
        "pod_name",
        "pod_namespace",
        "state",
        "zone",
        "node_name",
    }
    by_key = {(labels(s)["pod_id"], labels(s)["zone"], labels(s)["state"]): s for s in series}
    uid = labels(series[0])["pod_id"]
    package, dram = by_key[uid, "package", "running"], by_key[uid, "dram", "running"]
    assert list(dram.times) == list(package.times)
    assert dram.values[-1] == pytest.approx(package.values[-1] * 0.12)


def test_restarts_make_new_pods() -> None:
    """Deployment restarts bring new names and UIDs; a StatefulSet keeps names, not UIDs."""
    web = pods_of("dev", "web-")
    db = pods_of("dev", "db-")
    assert len({labels(s)["pod_name"] for s in web}) > 8
    assert {labels(s)["pod_name"] for s in db} == {"db-0"}
    assert len({labels(s)["pod_id"] for s in db}) > 4


def test_ephemeral_runner_pods_live_minutes_and_are_replaced_at_once() -> None:
    """CI runners (``pod_seconds``): back-to-back pods of 3-7 minutes, each reporting its
    start time to kube-state-metrics."""
    runner = WorkloadSpec(
        "Deployment", "ci", "runner", policy="nights", pod_seconds=(180.0, 420.0), noise=0.0
    )
    made = simulate(spec(workloads=(runner,), gaps_per_day=0.0, kepler_restarts=0))
    starts = {
        labels(s)["pod"]: s.values[0]
        for s in made.series
        if s.name == "kube_pod_start_time" and labels(s)["namespace"] == "ci"
    }
    ordered = sorted(starts.values())
    lives = [b - a for a, b in itertools.pairwise(ordered)]
    assert len(starts) > 4 * 13 * 60 / 7
    inside = [life for life in lives if life < 3600]
    assert inside
    assert all(180.0 <= life <= 420.0 for life in inside)


def test_ended_pods_report_terminated_once_with_their_final_total() -> None:
    """A terminated series has one sample, at or above the running series' last value."""
    running: dict[tuple[str, str], MetricSeries] = {}
    terminated: list[MetricSeries] = []
    for s in named("kepler_pod_cpu_joules_total"):
        key = (labels(s)["pod_id"], labels(s)["zone"])
        if labels(s)["state"] == "running":
            running[key] = s
        else:
            terminated.append(s)
    assert terminated
    for s in terminated:
        assert len(s) == 1
        key = (labels(s)["pod_id"], labels(s)["zone"])
        if key in running and running[key].times[-1] < s.times[0]:
            assert s.values[0] >= running[key].values[-1]


def test_counters_only_drop_at_the_kepler_restart() -> None:
    """Every decrease of a running pod counter happens at the one Kepler restart."""
    drops = set()
    for s in named("kepler_pod_cpu_joules_total"):
        for j in range(1, len(s)):
            if s.values[j] < s.values[j - 1]:
                drops.add(s.times[j])
    down = [sim().truth.timeline.t(k) for k, d in enumerate(sim().truth.timeline.kepler_down) if d]
    assert len(down) == 1
    assert drops
    assert all(0 < t - down[0] <= 60 for t in drops)


def test_nothing_is_scraped_during_outages() -> None:
    """No sample of any series falls inside a Prometheus outage."""
    gaps = sim().truth.timeline.gaps
    assert gaps
    for s in sim().series:
        assert not any(t in gaps for t in s.times)


def test_replicas_are_zero_exactly_while_actually_off() -> None:
    """kube_deployment_spec_replicas is 0 inside the actual off intervals, 2 outside."""
    (replicas,) = [
        s for s in named("kube_deployment_spec_replicas") if labels(s)["deployment"] == "web"
    ]
    off = sim().off[WEB]
    for t, v in zip(replicas.times, replicas.values, strict=True):
        assert v == (0.0 if t in off else 2.0)
    (suspend,) = named("kube_cronjob_spec_suspend")
    assert {
        v for t, v in zip(suspend.times, suspend.values, strict=True) if t in sim().off[BATCH]
    } == {1.0}


def test_actual_off_follows_intended_after_the_flux_delay() -> None:
    """Flux applies the commit 60 s after the intended sleep and wake."""
    intended, actual = sim().intended[WEB], sim().off[WEB]
    shifted = IntervalSet((a + 60, b + 60) for a, b in intended.pairs)
    assert shifted.clip(sim().start, sim().end) == actual


def test_pods_are_gone_after_the_shutdown_tail() -> None:
    """No running pod sample lies later than 45 s + one scrape into an actual off interval."""
    off = sim().off[WEB]
    for s in pods_of("dev", "web-"):
        if labels(s)["state"] != "running":
            continue
        for t in s.times:
            for a, b in off.pairs:
                assert not (a + 45 + 60 < t < b)


def test_missed_sleeps_leave_the_workload_running() -> None:
    """With missed_sleep=1 the workload never actually stops; its residual is its whole night."""
    w = WorkloadSpec("Deployment", "dev", "web", policy="nights", missed_sleep=1.0)
    stuck = simulate(spec(workloads=(w,), flux=False))
    assert not stuck.off[WEB]
    assert stuck.truth.residual(WEB) == pytest.approx(stuck.truth.counterfactual(WEB), rel=0.1)


def test_owner_series_link_pods_to_their_workloads() -> None:
    """kube_pod_owner carries the UID of every pod seen running; owners lead to workloads."""
    uids = {labels(s)["uid"] for s in named("kube_pod_owner")}
    running = {
        labels(s)["pod_id"]
        for s in named("kepler_pod_cpu_joules_total")
        if labels(s)["state"] == "running"
    }
    assert running <= uids
    (rs,) = [s for s in named("kube_replicaset_owner") if labels(s)["owner_name"] == "web"]
    assert labels(rs)["replicaset"].startswith("web-")
    assert {labels(s)["owner_name"] for s in named("kube_job_owner")} == {"batch"}


def test_flux_controllers_and_offhours_run_all_the_time() -> None:
    """flux-system has the four controllers; offhours has its Deployment."""
    names = {
        labels(s)["pod_name"].rsplit("-", 2)[0]
        for s in named("kepler_pod_cpu_joules_total")
        if labels(s)["pod_namespace"] == "flux-system"
    }
    assert names == {
        "source-controller",
        "kustomize-controller",
        "helm-controller",
        "notification-controller",
    }
    assert pods_of("offhours", "offhours-")


def test_removable_node_is_replaced_by_a_new_one_after_the_night() -> None:
    """The extra node is absent while everything is off and returns under a new name."""
    info = {labels(s)["node"]: s for s in named("kube_node_info")}
    extra = sorted(n for n in info if n.startswith("node-extra-"))
    removal = sim().truth.nodes.removal
    assert removal
    assert len(extra) == len(removal.complement(sim().start, sim().end))
    assert len(extra) >= 3
    for name in extra:
        assert not any(t in removal for t in info[name].times)
    assert any(t in removal for t in info["node-0"].times)


def test_whole_run_series_share_one_timestamp_array() -> None:
    """Replica gauges of different workloads share the scrape instants (memory)."""
    a, b = named("kube_deployment_spec_replicas")[0], named("kube_statefulset_replicas")[0]
    assert a.times is b.times


def test_truth_counts_the_counterfactual_within_any_interval_set() -> None:
    """Counterfactual over halves adds up; residual is what ran inside the windows."""
    truth, windows = sim().truth, sim().intended[WEB]
    middle = (windows.pairs[0][0] + windows.pairs[-1][1]) / 2
    first = truth.counterfactual(WEB, windows.clip(0, middle))
    second = truth.counterfactual(WEB, windows.clip(middle, 1e12))
    assert first + second == pytest.approx(truth.counterfactual(WEB))
    assert 0 < truth.residual(WEB) < 0.02 * truth.counterfactual(WEB)
    assert truth.avoided(WEB) == truth.counterfactual(WEB) - truth.residual(WEB)


def test_cronjob_truth_counts_the_jobs_it_would_have_run() -> None:
    """An hourly 10-minute Job: a sixth of the off time at the job's power, times 1.12."""
    truth, windows = sim().truth, sim().intended[BATCH]
    w = next(w for w in spec().workloads if w.kind == "CronJob")
    jobs = windows.total() / 6
    expected = jobs * (w.base_watts + w.peak_watts * 0.8) * 1.12
    assert truth.counterfactual(BATCH) == pytest.approx(expected, rel=0.05)
    grouped: dict[str, int] = defaultdict(int)
    for s in named("kube_job_owner"):
        grouped[labels(s)["job_name"]] += 1
    assert grouped


def test_rendered_workload_carries_its_flux_labels_and_lifts_to_the_release() -> None:
    """A Deployment with a flux_owner gets kube_deployment_labels with helm-controller's labels;
    the stand-in reader then gives its energy to the placed HelmRelease, as Prometheus would."""
    shop = WorkloadRef("HelmRelease", "staging", "shop")
    rendered = WorkloadSpec(
        "Deployment", "staging", "shop-podinfo", policy="nights", replicas=2, flux_owner=shop
    )
    made = simulate(spec(workloads=(rendered,), days=2.0, removable_nodes=0))
    (series,) = [s for s in made.series if s.name == "kube_deployment_labels"]
    assert labels(series) == {
        "namespace": "staging",
        "deployment": "shop-podinfo",
        "label_helm_toolkit_fluxcd_io_name": "shop",
        "label_helm_toolkit_fluxcd_io_namespace": "staging",
    }
    shape = GridShape(START.timestamp(), 300.0, 2 * 288, scrape_interval=60.0)
    placed = Placements([Placement(shop, ("staging",))], targets=(shop,))
    grids = workload_grids(made.series, shape, placements=placed)
    assert shop in grids
    assert WorkloadRef("Deployment", "staging", "shop-podinfo") not in grids
    assert WorkloadRef("Deployment", "staging", "shop-podinfo") in workload_grids(
        made.series, shape
    )


def test_flux_owner_must_be_a_flux_object() -> None:
    """Only a HelmRelease or Kustomization renders workloads."""
    with pytest.raises(ValueError, match="flux_owner"):
        WorkloadSpec("Deployment", "dev", "web", flux_owner=WorkloadRef("Deployment", "dev", "x"))
