"""Real Kepler recordings (2023, 0.4-0.7 era) backfilled into Prometheus and read back.

Besides the reader's facts, ``offhours energy`` itself is checked against the direct
computation from the raw counters (``scheduler.testing.rawenergy``) over each recording's span
and over sub-windows whose bounds cut pods in two.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scheduler.adapters.prometheus import kepler
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.cli import main
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest, grid_total
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.testing import promserver, rawenergy, recordings

DATA = Path(__file__).resolve().parent.parent / "data" / "kepler"
FEB = 1675916625.0  # A: idle kind node, v0.4.x schema, 3 s step
SEP = 1695361425.0  # B: coremark jobs, 0.5/0.6 development build
DEC = 1702462599.0  # C: Tekton pipeline, 0.7.11 names, 7 irregular samples
STEP = 30.0


def _recording(name: str) -> list[MetricSeries]:
    if name == "feb":
        return [
            s
            for path in sorted((DATA / "kms-kind-2023-02-09-csv").glob("*.csv.gz"))
            for s in recordings.load_pandas_csv(path)
        ]
    file = {
        "sep": "kms-coremark-2023-09-22-queryrange.json.gz",
        "dec": "kms-idle-2023-12-13-queryrange.json.gz",
    }[name]
    return recordings.load_query_range_dump(DATA / file)


def _recordings() -> list[MetricSeries]:
    return recordings.merge_series([s for name in ("feb", "sep", "dec") for s in _recording(name)])


@pytest.fixture(scope="module")
def server(prometheus_factory: Callable[..., promserver.PromServer]) -> promserver.PromServer:
    """Prometheus holding the three recordings (disjoint in time)."""
    return prometheus_factory("recorded", _recordings)


def _read(
    server: promserver.PromServer, start: float, end: float, **options: object
) -> EnergyReading:
    with PrometheusClient.from_url(server.url) as client:
        request = EnergyRequest(start=start, end=end, step=STEP, **options)  # type: ignore[arg-type]
        return kepler.read_energy(client, request)


@pytest.fixture(scope="module")
def feb(server: promserver.PromServer) -> EnergyReading:
    """Recording A over 270 s."""
    return _read(server, FEB + STEP, FEB + 300)


@pytest.fixture(scope="module")
def sep(server: promserver.PromServer) -> EnergyReading:
    """Recording B from its first sample (point 0 at +3 s) past its last (+561 s)."""
    return _read(server, SEP + 3, SEP + 561)


def test_each_recording_is_detected_in_its_window(
    feb: EnergyReading, sep: EnergyReading, server: promserver.PromServer
) -> None:
    """All three are the 0.4-0.9 schema, detected per window; build info has no version."""
    dec = _read(server, DEC + 21, DEC + 81)
    for reading in (feb, sep, dec):
        assert reading.metadata.schema is KeplerSchema.V0_7
        assert reading.metadata.versions == ()
        assert reading.metadata.modes == ("dynamic",)
        assert reading.metadata.other_schemas == ()


def test_feb_2023_replicated_idle_counters_are_never_summed(feb: EnergyReading) -> None:
    """Every container carries the same ~33 W idle counter; only dynamic energy (mW) is read."""
    for pod, energy in feb.pods.items():
        assert 0 <= energy.mean_watts < 0.01, pod
    assert grid_total(feb.namespaces["kube-system"]).watts < 0.01
    assert feb.metadata.pseudo_containers.startswith("excluded")


def test_feb_2023_node_is_four_sockets_of_package_plus_dram(feb: EnergyReading) -> None:
    """Node energy sums 4 sockets, both modes, package + dram (about 138 W); ACPI reads 0."""
    node = feb.nodes["kind-control-plane"]
    assert "package,dram" in node.source
    assert grid_total(node.total).watts == pytest.approx(138.2, abs=1.0)
    assert node.idle is not None
    assert grid_total(node.idle).watts == pytest.approx(137.8, abs=1.0)


def test_feb_2023_pods_are_attributed_by_name(feb: EnergyReading) -> None:
    """Without kube-state-metrics: Deployment and StatefulSet by name, the rest as pods."""
    workloads = {e.workload for e in feb.pods.values()}
    assert WorkloadRef("Deployment", "kube-system", "coredns") in workloads
    assert WorkloadRef("StatefulSet", "monitoring", "prometheus-k8s") in workloads
    assert WorkloadRef("Pod", "kube-system", "kindnet-sq6gg") in workloads


def test_feb_2023_system_processes_on_request(server: promserver.PromServer) -> None:
    """The system_processes pseudo-container draws about 0.4 W of dynamic package + dram."""
    reading = _read(server, FEB + STEP, FEB + 300, include_pseudo_containers=True)
    assert 0.3 < grid_total(reading.namespaces["system"]).watts < 0.7


def _coremark_pods(reading: EnergyReading) -> dict[WorkloadRef, float]:
    return {p: e.joules for p, e in reading.pods.items() if p.name.startswith("coremark-cpeh-")}


def test_sep_2023_coremark_jobs_use_kilojoules(sep: EnergyReading) -> None:
    """All 20 short coremark job pods appear; each used 0.5-6 kJ of dynamic package + dram."""
    pods = _coremark_pods(sep)
    assert len(pods) == 20
    for pod, joules in pods.items():
        assert 500 < joules < 6_000, pod


def test_sep_2023_command_split_counts_the_whole_counter(sep: EnergyReading) -> None:
    """runc:[1:CH (27.1 J, one sample) then coremark-1 (84.4 -> 2426.1 J) is one counter: the
    pod is counted from zero to its last package sample, plus its dram counter."""
    pod = WorkloadRef("Pod", "cpe-operator-system", "coremark-cpeh-4044583399-6dzfl")
    recorded = recordings.load_query_range_dump(DATA / "kms-coremark-2023-09-22-queryrange.json.gz")
    finals = 0.0
    for name in ("kepler_container_package_joules_total", "kepler_container_dram_joules_total"):
        values = [
            (t, v)
            for s in recorded
            if s.name == name
            and s.label_map.get("pod_name") == pod.name
            and s.label_map.get("mode") == "dynamic"
            for t, v in zip(s.times, s.values, strict=True)
        ]
        finals += max(values)[1]
    assert sep.pods[pod].joules == pytest.approx(finals)
    assert sep.pods[pod].joules > 2426.136


def test_sep_2023_platform_meter_is_the_node_total(sep: EnergyReading) -> None:
    """The ACPI meter (about 96 W dynamic + 171 W idle) reads more than RAPL and is used."""
    node = sep.nodes["kind-control-plane"]
    assert "platform" in node.source
    assert grid_total(node.total).watts == pytest.approx(267, rel=0.02)
    workloads = sum(grid_total(g).joules for g in sep.namespaces.values())
    assert node.active is not None
    assert workloads < grid_total(node.active).joules


def test_dec_2023_inconsistent_platform_meter_is_not_used(server: promserver.PromServer) -> None:
    """The platform meter reads 99 W while RAPL package + dram reads 150-160 W: RAPL is used
    and the report is warned; irregular 3-21 s samples still give known steps."""
    reading = _read(server, DEC + 21, DEC + 81)
    node = reading.nodes["kind-fms-control-plane"]
    assert "package,dram" in node.source
    assert 140 < grid_total(node.total).watts < 170
    assert any("platform meter reads less" in w for w in reading.metadata.warnings)
    assert not any(math.isnan(j) for j in node.total.joules)
    tekton = grid_total(reading.namespaces["tekton-pipelines"])
    assert 0 <= tekton.watts < grid_total(node.total).watts


# Each recording's span (first sample - 1 s, last sample + 1 s) and sub-windows whose bounds
# fall inside pods' lives (coremark Jobs of 20-30 s; every long-lived pod in the others).
SPANS = {
    "sep": [
        (SEP - 1, SEP + 562),
        (SEP + 66, SEP + 300),
        (SEP + 95, SEP + 470),
        (SEP + 183, SEP + 241),
    ],
    "dec": [(DEC - 1, DEC + 88), (DEC + 7, DEC + 60), (DEC + 22, DEC + 88), (DEC + 40, DEC + 70)],
    "feb": [(FEB - 1, FEB + 301), (FEB + 50, FEB + 151), (FEB + 200, FEB + 290)],
}
# The idle Feb 2023 node has no namespace above 10 J: every namespace with energy counts there.
FLOOR = {"sep": 10.0, "dec": 10.0, "feb": 1e-9}


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


def _energy_json(url: str, start: float, end: float, namespaces: list[str]) -> dict[str, Any]:
    args = ["energy", "--prometheus", url, "--from", _iso(start), "--until", _iso(end)]
    for namespace in namespaces:
        args += ["-n", namespace]
    result = CliRunner().invoke(
        main, [*args, "--format", "json"], env={"OFFHOURS_PROMETHEUS__URL": ""}
    )
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout)["period"])


@pytest.mark.parametrize(
    ("name", "window"),
    [(name, window) for name, windows in SPANS.items() for window in windows],
    ids=[f"{name}-{i}" for name, windows in SPANS.items() for i in range(len(windows))],
)
def test_energy_matches_the_direct_computation(
    server: promserver.PromServer, name: str, window: tuple[float, float]
) -> None:
    """``offhours energy`` over the span, and over windows cutting pods in two, is within 2 %
    of the raw counters' deltas for every namespace with at least 10 J (dynamic, package +
    dram; a series' first sample from 0 once data existed before it), and never 0 J there."""
    start, end = window
    truth = rawenergy.counter_energy(
        _recording(name), start=start, end=end, names=rawenergy.V07_COMPONENTS
    )
    wanted = sorted(n for n, joules in truth.items() if joules >= FLOOR[name])
    assert wanted
    period = _energy_json(server.url, start, end, wanted)
    assert (period["start"], period["end"]) == (start, end)
    for namespace in wanted:
        got = period["namespaces"][namespace]
        assert got["joules"] == pytest.approx(truth[namespace], rel=0.02), namespace
        assert got["joules"] > 0
        assert got["coverage"] > 0.8


def test_issue_windows_are_no_longer_low_or_zero(server: promserver.PromServer) -> None:
    """The windows of the bug report: coremark's kube-system was 545 J for 636 J (snapped to
    whole minutes), the Dec 2023 kepler namespace 0 J (coverage 0 %) for 390 J."""
    sep = _energy_json(server.url, SEP - 1, SEP + 562, ["kube-system"])
    assert sep["namespaces"]["kube-system"]["joules"] == pytest.approx(635.844)
    dec = _energy_json(server.url, DEC - 1, DEC + 88, ["kepler"])
    assert dec["namespaces"]["kepler"]["joules"] == pytest.approx(390.219)
    edges = dec["kepler"]["edges"]
    assert edges["no-earlier-data"] > 0
    assert any("where Kepler data begins" in rule for rule in dec["kepler"]["edge_rules"])
