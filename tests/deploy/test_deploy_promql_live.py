"""Dashboard queries return data and alerts fire when they should, on a real Prometheus 2.42."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scheduler.testing import promserver
from tests.deploy import demo_series, promql

# When each alert must fire on the demo timeline (and it must stay quiet at HEALTHY).
FIRES_AT = {
    "OffhoursDown": demo_series.DOWN,
    "OffhoursNoLeader": demo_series.DOWN,
    "OffhoursSeveralLeaders": demo_series.BROKEN,
    "OffhoursPushStalled": demo_series.BROKEN,
    "OffhoursCyclesFailing": demo_series.BROKEN,
    "OffhoursErrorsRising": demo_series.BROKEN,
    "OffhoursPushConflicts": demo_series.BROKEN,
    "OffhoursFluxNotApplying": demo_series.BROKEN,
    "OffhoursFluxApplySlow": demo_series.BROKEN,
    "OffhoursActuationLate": demo_series.BROKEN,
    "OffhoursAsleepTargetStillRunning": demo_series.BROKEN,
    "OffhoursSleepingTargetNotReady": demo_series.BROKEN,
    "OffhoursKeplerDataMissing": demo_series.BROKEN,
}


@pytest.fixture(scope="module")
def prometheus(
    prom_binaries: promserver.PromBinaries, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A Prometheus on loopback serving the demo timeline, backfilled with promtool."""
    root = tmp_path_factory.mktemp("prometheus-dashboard")
    source = root / "demo.om"
    source.write_text(demo_series.openmetrics(), encoding="utf-8")
    promserver.create_blocks(source, root / "tsdb", promtool=prom_binaries.promtool)
    with promserver.PromServer(root / "tsdb", binaries=prom_binaries, work_dir=root) as server:
        yield server.url


def instant(url: str, expr: str, at: int) -> list[dict[str, Any]]:
    """The result vector of an instant query (fails the test on a query error)."""
    response = httpx.get(f"{url}/api/v1/query", params={"query": expr, "time": at}, timeout=30)
    body = response.json()
    assert body["status"] == "success", f"{expr}: {body}"
    result = body["data"]["result"]
    if body["data"]["resultType"] == "scalar":
        return [{"metric": {}, "value": result}]
    assert isinstance(result, list)
    return result


def _finite(result: list[dict[str, Any]]) -> list[float]:
    values = [float(item["value"][1]) for item in result]
    return [v for v in values if math.isfinite(v)]


@pytest.mark.parametrize(
    "query",
    promql.dashboard_queries() + promql.variable_queries(),
    ids=lambda q: q.source,
)
def test_dashboard_query_returns_data(prometheus: str, query: promql.Query) -> None:
    """On a healthy timeline every panel query returns at least one finite value."""
    assert _finite(instant(prometheus, query.promql, demo_series.HEALTHY)), query.source


@pytest.mark.parametrize("rule", promql.alert_rules(), ids=lambda r: r["alert"])
def test_alert_fires_only_when_broken(prometheus: str, rule: dict[str, Any]) -> None:
    """Each alert expression is empty on the healthy timeline and returns data when broken."""
    assert instant(prometheus, rule["expr"], demo_series.HEALTHY) == [], "fires when healthy"
    assert instant(prometheus, rule["expr"], FIRES_AT[rule["alert"]]), "silent when broken"


def test_every_alert_has_a_scenario() -> None:
    """The demo timeline covers every alert of the PrometheusRule."""
    assert {r["alert"] for r in promql.alert_rules()} == set(FIRES_AT)


def test_estimated_energy_panel_integrates_the_gauge(prometheus: str) -> None:
    """The "energy avoided in range" query equals watts x hours of the demo gauge."""
    query = next(q for q in promql.dashboard_queries() if "sum_over_time" in q.expr)
    (value,) = _finite(instant(prometheus, query.promql, demo_series.HEALTHY))
    # Over the hour before HEALTHY: dev-nights avoids 17.5 W, previews-nights 0.4 W.
    assert value == pytest.approx(17.5 + 0.4, rel=0.02)


def test_demo_file_backfills_cleanly(tmp_path: Path) -> None:
    """The OpenMetrics text ends with # EOF and has no blank lines (promtool rejects both)."""
    text = demo_series.openmetrics()
    assert text.endswith("# EOF\n")
    assert "\n\n" not in text
