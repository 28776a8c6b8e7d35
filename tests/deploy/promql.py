"""Every PromQL expression of the Grafana dashboard and of the PrometheusRule, extractable.

Owns: reading ``clusters/offhours/base/dashboards/offhours.json`` and ``prometheusrule.yaml``,
turning Grafana's template variables into concrete PromQL (``GRAFANA_SUBSTITUTIONS``), and
writing expressions into a rules file for ``promtool check rules``. Other checks (a lead's
end-to-end run against a test Prometheus) can import ``dashboard_queries()`` and
``alert_queries()`` from here. It must not evaluate anything itself; the tests do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy import fleet

DASHBOARD = fleet.CLUSTERS / "offhours" / "base" / "dashboards" / "offhours.json"
PROMETHEUS_RULE = fleet.CLUSTERS / "offhours" / "base" / "prometheusrule.yaml"

# Grafana variables used in the dashboard's queries and the value each takes when the query is
# run outside Grafana: the rate window, a one-hour dashboard range, every policy and namespace.
GRAFANA_SUBSTITUTIONS = {
    "$__rate_interval": "5m",
    "$__range": "1h",
    "$policy": ".*",
    "$namespace": ".*",
}
PANELS_WITHOUT_QUERIES = frozenset({"row", "text"})
METRIC = re.compile(r"\b((?:offhours|kepler|kube)_[a-z0-9_]+)\b")


@dataclass(frozen=True)
class Query:
    """One expression and where it lives (panel or alert), before and after substitution."""

    source: str
    expr: str

    @property
    def promql(self) -> str:
        """The expression with Grafana variables replaced (unchanged for alerts)."""
        text = self.expr
        for variable, value in GRAFANA_SUBSTITUTIONS.items():
            text = text.replace(variable, value)
        return text

    @property
    def metrics(self) -> frozenset[str]:
        """The offhours_/kepler_/kube_ metric names the expression reads."""
        return frozenset(METRIC.findall(self.expr))


def dashboard() -> dict[str, Any]:
    """The dashboard JSON model."""
    body = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(body, dict)
    return body


def data_panels() -> list[dict[str, Any]]:
    """Panels that show data (everything but rows and text), nested rows flattened."""
    flat: list[dict[str, Any]] = []
    for panel in dashboard()["panels"]:
        flat.append(panel)
        flat.extend(panel.get("panels", []))
    return [p for p in flat if p["type"] not in PANELS_WITHOUT_QUERIES]


def dashboard_queries() -> list[Query]:
    """Every target expression of every data panel."""
    return [
        Query(f"panel {p['id']} {p['title']!r} target {t['refId']}", t["expr"])
        for p in data_panels()
        for t in p.get("targets", [])
    ]


def variable_queries() -> list[Query]:
    """The metric selector inside each ``label_values(selector, label)`` template variable."""
    found = []
    for variable in dashboard()["templating"]["list"]:
        if variable["type"] != "query":
            continue
        match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", variable["query"]["query"])
        assert match, f"variable {variable['name']}: unexpected query"
        found.append(Query(f"variable {variable['name']}", match.group(1)))
    return found


def rule_groups() -> list[dict[str, Any]]:
    """``spec.groups`` of the offhours PrometheusRule: a promtool rules file body."""
    body = yaml.safe_load(PROMETHEUS_RULE.read_text(encoding="utf-8"))
    groups = body["spec"]["groups"]
    assert isinstance(groups, list)
    return groups


def alert_rules() -> list[dict[str, Any]]:
    """Every alerting rule of the PrometheusRule."""
    return [rule for group in rule_groups() for rule in group["rules"] if "alert" in rule]


def alert_queries() -> list[Query]:
    """Every alert expression."""
    return [Query(f"alert {r['alert']}", r["expr"]) for r in alert_rules()]


def recording_rules_file(queries: list[Query], path: Path) -> Path:
    """Write expressions as recording rules so that promtool parses each one."""
    rules = [
        {"record": f"offhours_check:query_{n}", "expr": q.promql} for n, q in enumerate(queries)
    ]
    path.write_text(yaml.safe_dump({"groups": [{"name": "checks", "rules": rules}]}), "utf-8")
    return path


def promtool() -> str:
    """Path of promtool; skipped when absent unless OFFHOURS_REQUIRE_PROMETHEUS=1 (make test)."""
    found = shutil.which("promtool")
    if found:
        return found
    if os.environ.get("OFFHOURS_REQUIRE_PROMETHEUS") == "1":
        pytest.fail("promtool not found but OFFHOURS_REQUIRE_PROMETHEUS=1")
    pytest.skip("promtool not installed (make prometheus)")


def check_rules(path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``promtool check rules`` on one file."""
    return subprocess.run(
        [promtool(), "check", "rules", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
