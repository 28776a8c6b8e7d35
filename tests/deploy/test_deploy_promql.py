"""Dashboard and alert rules: valid JSON, valid PromQL for Prometheus 2.42, every metric used."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from tests.deploy import fleet, promql

# The metrics the daemon exports (names fixed with the daemon's authors).
DAEMON_METRICS = frozenset(
    {
        "offhours_cycles_total",
        "offhours_cycle_duration_seconds_bucket",
        "offhours_errors_total",
        "offhours_targets_asleep",
        "offhours_transitions_total",
        "offhours_push_conflicts_total",
        "offhours_last_successful_push_timestamp_seconds",
        "offhours_actuation_lag_seconds_bucket",
        "offhours_flux_apply_lag_seconds_bucket",
        "offhours_estimated_watts_avoided",
        "offhours_is_leader",
        "offhours_next_transition_timestamp_seconds",
        "offhours_target_workloads_running",
        "offhours_target_not_ready",
    }
)
SEVERITIES = frozenset({"critical", "warning", "info"})


def test_dashboard_is_a_valid_grafana_model() -> None:
    """uid, title, unique panel ids, grid positions, a templated Prometheus datasource."""
    board = promql.dashboard()
    assert board["uid"] == "offhours-overview"
    assert board["title"]
    assert board["schemaVersion"] >= 36
    ids = Counter(p["id"] for p in board["panels"])
    assert max(ids.values()) == 1, ids
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for panel in board["panels"]:
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"]), panel["title"]
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, panel["title"]
    for panel in promql.data_panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        targets = panel.get("targets", [])
        assert targets, panel["title"]
        assert all(t["expr"].strip() for t in targets), panel["title"]
        assert len({t["refId"] for t in targets}) == len(targets), panel["title"]


def test_dashboard_expressions_pass_promtool(tmp_path: Path) -> None:
    """Every panel and variable query, as a recording rule, passes `promtool check rules`."""
    queries = promql.dashboard_queries() + promql.variable_queries()
    assert len(queries) >= 20
    leftover = [q.source for q in queries if "$" in q.promql]
    assert leftover == [], "unsubstituted Grafana variables"
    result = promql.check_rules(promql.recording_rules_file(queries, tmp_path / "d.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(queries)} rules found" in result.stdout


def test_alert_rules_pass_promtool(tmp_path: Path) -> None:
    """The PrometheusRule's groups, as a Prometheus rules file, pass `promtool check rules`."""
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"groups": promql.rule_groups()}), encoding="utf-8")
    result = promql.check_rules(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(promql.alert_rules())} rules found" in result.stdout


def test_promtool_check_rejects_invalid_promql(tmp_path: Path) -> None:
    """The check can fail: a malformed expression is reported."""
    broken = [promql.Query("broken", "sum by (le (rate(offhours_cycles_total[5m]))")]
    result = promql.check_rules(promql.recording_rules_file(broken, tmp_path / "b.yaml"))
    assert result.returncode != 0


def test_alerts_are_documented_and_classified() -> None:
    """Each alert has a severity, a summary, a description and a `for` duration."""
    alerts = promql.alert_rules()
    assert len(alerts) >= 8
    assert len({a["alert"] for a in alerts}) == len(alerts)
    for alert in alerts:
        assert alert["labels"]["severity"] in SEVERITIES, alert["alert"]
        assert alert["annotations"]["summary"]
        assert alert["annotations"]["description"]
        assert re.fullmatch(r"\d+[smh]", alert["for"]), alert["alert"]


def test_every_daemon_metric_is_charted_or_alerted() -> None:
    """Each metric the daemon exports appears in the dashboard or an alert."""
    used = set().union(*(q.metrics for q in promql.dashboard_queries() + promql.alert_queries()))
    assert used >= DAEMON_METRICS, DAEMON_METRICS - used
    unknown = {m for m in used if m.startswith("offhours_")} - DAEMON_METRICS
    assert {m.removesuffix("_count") for m in unknown} <= {"offhours_flux_apply_lag_seconds"}


def _panels_by_title() -> dict[str, dict[str, Any]]:
    return {str(p["title"]): p for p in promql.data_panels()}


def test_dashboard_has_the_required_panels() -> None:
    """Asleep, transitions, measured power with off windows, savings, Flux and offhours power."""
    panels = _panels_by_title()
    exprs = {title: " ".join(t["expr"] for t in p["targets"]) for title, p in panels.items()}
    assert "offhours_targets_asleep" in exprs["Targets asleep now"]
    assert "offhours_transitions_total" in exprs["Transitions"]
    measured = panels["Measured CPU power of target namespaces"]
    legends = [t["legendFormat"] for t in measured["targets"]]
    assert "off window" in legends
    assert "kepler_pod_cpu_watts" in exprs[str(measured["title"])]
    overrides = measured["fieldConfig"]["overrides"]
    assert overrides[0]["matcher"]["options"] == "off window"
    assert "offhours_estimated_watts_avoided" in exprs["Estimated power avoided now"]
    assert "sum_over_time" in exprs["Estimated energy avoided in range"]
    assert 'pod_namespace="flux-system"' in exprs["Flux controllers' power"]
    assert 'pod_namespace="offhours"' in exprs["offhours' own power"]


def test_kepler_queries_use_one_zone() -> None:
    """Kepler 0.10+ zones overlap (package contains core): every Kepler query picks package."""
    for query in promql.dashboard_queries() + promql.alert_queries():
        for selector in re.findall(r"kepler_\w+\{[^}]*\}", query.expr):
            assert 'zone="package"' in selector, query.source


def test_push_stalled_threshold_is_two_poll_intervals() -> None:
    """The 120 s in OffhoursPushStalled equals 2 x OFFHOURS_DAEMON__POLL_INTERVAL_SECONDS."""
    env = fleet.env_file(fleet.CLUSTERS / "offhours" / "base" / "settings.env")
    poll = float(env["OFFHOURS_DAEMON__POLL_INTERVAL_SECONDS"])
    rule = next(r for r in promql.alert_rules() if r["alert"] == "OffhoursPushStalled")
    thresholds = {float(x) for x in re.findall(r"time\(\) - (\d+)", rule["expr"])}
    thresholds |= {float(x) for x in re.findall(r"push_timestamp_seconds\) > (\d+)", rule["expr"])}
    assert len(re.findall(r"\b120\b", rule["expr"])) == 2
    assert thresholds == {2 * poll}
