"""``offhours energy`` against a real Prometheus on loopback (backfilled with promtool)."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scheduler.cli import main
from scheduler.cli.energy import parse_duration
from scheduler.testing import kepler as sim
from scheduler.testing import promserver, recordings

DAY1 = 1710115200.0  # 2024-03-11T00:00:00Z: before, Flux controllers at 30 mW each
DAY2 = DAY1 + 86400  # after a change, 50 mW each
CONTROLLERS = (
    "helm-controller-68b799b589-5zh7z",
    "kustomize-controller-7ddb8d8f7-6p4lb",
    "source-controller-7d98d6688c-d6mmd",
)


def _scenario(start: float, watts: float) -> sim.Scenario:
    pods = tuple(sim.PodSpec("flux-system", name, watts) for name in CONTROLLERS)
    pods += (sim.PodSpec("dev", "web-6d5f7c9b8d-k2x4z", 2.0),)
    return sim.Scenario(start, start + 3 * 3600, pods, version="v0.10.2")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Prometheus with two days of Kepler 0.10 data for flux-system and dev."""
    binaries = promserver.find_binaries()
    if binaries is None:
        message = "prometheus/promtool not installed (`make prometheus`)"
        if os.environ.get("OFFHOURS_REQUIRE_PROMETHEUS") == "1":
            pytest.fail(f"OFFHOURS_REQUIRE_PROMETHEUS=1 but {message}")
        pytest.skip(message)
    root: Path = tmp_path_factory.mktemp("prom-cli")
    series = recordings.merge_series(
        [*sim.v010_series(_scenario(DAY1, 0.03)), *sim.v010_series(_scenario(DAY2, 0.05))]
    )
    promserver.backfill(series, root / "tsdb", binaries=binaries, work_dir=root)
    with promserver.PromServer(root / "tsdb", binaries=binaries, work_dir=root) as server:
        yield server.url


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    base = {"OFFHOURS_PROMETHEUS__URL": "", "OFFHOURS_PROMETHEUS__RETRIES": "0"}
    return CliRunner().invoke(main, ["energy", *args], env={**base, **(env or {})})


def test_text_report_states_energy_power_and_kepler_facts(url: str) -> None:
    """One hour of flux-system: J, Wh, mean W, per pod, schema, zones and coverage."""
    result = _run(
        "--prometheus",
        url,
        "-n",
        "flux-system",
        "--from",
        "2024-03-12T01:00:00Z",
        "--until",
        "2024-03-12T02:00:00Z",
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Period: 2024-03-12T01:00:00Z to 2024-03-12T02:00:00Z (1:00:00, step 30 s)" in out
    joules = 3 * 0.05 * 1.25 * 3600
    assert (
        f"flux-system  {joules:>14,.1f}  {joules / 3600:>12,.4f}  {0.1875:>10,.4f}  100.0%" in out
    )
    assert "helm-controller-68b799b589-5zh7z" in out
    assert "Deployment/flux-system/helm-controller (pod name pattern)" in out
    assert "Kepler: Kepler 0.10+ (pod counters with zone/state labels); build v0.10.2" in out
    assert "zones: dram, package" in out
    assert "coverage: 100.0% of the steps had Kepler data" in out


def test_json_compares_with_an_earlier_period(url: str) -> None:
    """--compare-from reads a period of equal length: difference and ratio of energy."""
    result = _run(
        "--prometheus",
        url,
        "-n",
        "flux-system",
        "--from",
        "2024-03-12T01:00:00Z",
        "--until",
        "2024-03-12T02:00:00Z",
        "--compare-from",
        "2024-03-11T01:00:00Z",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    period, baseline = document["period"], document["baseline"]
    assert period["total"]["joules"] == pytest.approx(3 * 0.05 * 1.25 * 3600)
    assert baseline["total"]["joules"] == pytest.approx(3 * 0.03 * 1.25 * 3600)
    assert baseline["start"] == DAY1 + 3600
    assert document["difference"]["ratio"] == pytest.approx(5 / 3)
    assert document["difference"]["mean_watts"] == pytest.approx(3 * 0.02 * 1.25)
    assert period["kepler"]["schema"] == "0.10"
    assert period["kepler"]["versions"] == ["v0.10.2"]
    assert len(period["pods"]) == 3


def test_pod_regex_and_url_from_the_environment(url: str) -> None:
    """--pod alone selects matching pods in every namespace; OFFHOURS_PROMETHEUS__URL
    replaces --prometheus."""
    result = _run(
        "--pod",
        "(helm|web)-.*",
        "--from",
        "2024-03-12T01:00:00Z",
        "--until",
        "2024-03-12T01:30:00Z",
        "--format",
        "json",
        env={"OFFHOURS_PROMETHEUS__URL": url},
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert sorted(p["pod"] for p in document["period"]["pods"]) == [
        "helm-controller-68b799b589-5zh7z",
        "web-6d5f7c9b8d-k2x4z",
    ]
    assert document["period"]["total"]["mean_watts"] == pytest.approx((0.05 + 2.0) * 1.25)


def test_period_bounds_are_exact_and_the_grid_follows_the_scrape_interval(url: str) -> None:
    """Bounds off any grid are kept to the second; 25 min at a 30 s scrape is cut into 50
    equal steps of 30 s; the edge rules and the measured scrape interval are printed."""
    result = _run(
        "--prometheus",
        url,
        "-n",
        "dev",
        "--from",
        "2024-03-12T01:00:07Z",
        "--until",
        "2024-03-12T01:25:07Z",
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Period: 2024-03-12T01:00:07Z to 2024-03-12T01:25:07Z (0:25:00, step 30 s)" in out
    assert "grid: 50 equal steps of 30 s from --from to --until (not snapped)" in out
    assert "scrape interval 30 s (measured)" in out
    assert "1 pod existed before the period: counted from the last sample before it" in out
    joules = 2.0 * 1.25 * 1500
    assert f"  {'dev':<9}  {joules:>14,.1f}" in out


def test_a_figure_without_data_is_na_with_the_reason_never_zero(url: str) -> None:
    """One step whose start has no Kepler data (the data begins inside it): the energy cannot
    be computed, and text and JSON say so instead of printing 0 J."""
    args = ("--from", "2024-03-10T23:50:00Z", "--until", "2024-03-11T00:01:00Z", "--step", "660")
    text = _run("--prometheus", url, "-n", "dev", *args)
    assert text.exit_code == 0, text.output
    assert "n/a (see below)" in text.output
    assert "n/a: no step of the period had Kepler data at both of its ends" in text.output
    data = _run("--prometheus", url, "-n", "dev", *args, "--format", "json")
    total = json.loads(data.output)["period"]["namespaces"]["dev"]
    assert total["joules"] is None
    assert total["unknown_reason"].startswith("no step of the period had Kepler data")


def test_unreachable_prometheus_exits_2_with_one_line() -> None:
    """Connection refused: exit 2, one clear stderr line, nothing on stdout."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _run("--prometheus", f"http://127.0.0.1:{port}", "-n", "flux-system")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"offhours: error: Prometheus at http://127.0.0.1:{port} is unavailable: "
    )


def test_missing_url_and_bad_options_exit_2() -> None:
    """No URL anywhere, no selection, --since with --from, or a bad duration exit 2."""
    unselected = _run("--prometheus", "http://127.0.0.1:1")
    assert unselected.exit_code == 2
    assert "give --namespace (repeatable) or --pod" in unselected.stderr
    missing = _run("-n", "flux-system")
    assert missing.exit_code == 2
    assert "no Prometheus URL: pass --prometheus or set OFFHOURS_PROMETHEUS__URL" in missing.stderr
    both = _run(
        "--prometheus", "http://127.0.0.1:1", "-n", "x", "--since", "1h", "--from", "2024-01-01"
    )
    assert both.exit_code == 2
    assert "either --since or --from" in both.stderr
    bad = _run("--prometheus", "http://127.0.0.1:1", "-n", "x", "--since", "an hour")
    assert bad.exit_code == 2
    assert "is not a duration" in bad.stderr


def test_invalid_settings_exit_2_with_one_line() -> None:
    """An invalid OFFHOURS_* variable is a one-line configuration error, not a traceback."""
    result = _run(
        "--prometheus", "http://127.0.0.1:1", "-n", "x", env={"OFFHOURS_PROMETHEUS__RETRIES": "-1"}
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("offhours: error: invalid OFFHOURS_* settings")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h", 3600), ("90m", 5400), ("2h30m", 9000), ("7d", 604800), ("1.5h", 5400)],
)
def test_parse_duration(text: str, seconds: float) -> None:
    """Prometheus-style durations, compound ones included."""
    assert parse_duration(text) == seconds
