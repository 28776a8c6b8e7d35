"""The PromQL of ``offhours suggest``: one query per activity signal, for every pod at once.

Four queries (joining them with ``or`` makes Prometheus slower than sending them apart), per
slot of ``window`` seconds (the query_range step, so slots do not overlap):

- ``cpu``: ``rate(container_cpu_usage_seconds_total{container!="", container!="POD"}[window])``
  summed per pod: the containers' own cgroups only (the pod cgroup, ``container=""``, is their
  sum and the pause container is not the workload);
- ``network``: ``rate(container_network_receive_bytes_total[window])`` per pod (cAdvisor reports
  the pod sandbox's interfaces);
- ``restarts``: ``increase(kube_pod_container_status_restarts_total[window])`` per pod;
- ``replicas``: ``changes()`` of ``kube_deployment_spec_replicas``, ``kube_statefulset_replicas``
  and ``kube_cronjob_spec_suspend`` per workload (its presence also tells when the workload
  existed).

A user's activity expression (``--activity-metric``) is read as its maximum over each slot
(``max_over_time((expr)[window:resolution])``), so one burst of requests marks the slot.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.core.kepler import queries as kepler_queries

__all__ = [
    "CPU_METRIC",
    "NETWORK_METRIC",
    "PROBE_METRICS",
    "REPLICA_METRICS",
    "RESTARTS_METRIC",
    "SIGNAL_LABEL",
    "activity_queries",
    "custom_query",
    "workload_matchers",
]

CPU_METRIC = "container_cpu_usage_seconds_total"
NETWORK_METRIC = "container_network_receive_bytes_total"
RESTARTS_METRIC = "kube_pod_container_status_restarts_total"
SIGNAL_LABEL = "offhours_signal"
#: kube-state-metrics desired-state metric -> (workload kind, label naming the workload)
REPLICA_METRICS = {
    "kube_deployment_spec_replicas": ("Deployment", "deployment"),
    "kube_statefulset_replicas": ("StatefulSet", "statefulset"),
    "kube_cronjob_spec_suspend": ("CronJob", "cronjob"),
}
PROBE_METRICS = (CPU_METRIC, NETWORK_METRIC, RESTARTS_METRIC, *REPLICA_METRICS)


def _scope(namespaces: Sequence[str], *extra: str) -> str:
    matchers = list(extra)
    if namespaces:
        literal = kepler_queries.string_literal(kepler_queries.one_of(sorted(namespaces)))
        matchers.append(f"namespace=~{literal}")
    return "{" + ",".join(matchers) + "}"


def _tag(expr: str, signal: str) -> str:
    return f'label_replace({expr}, "{SIGNAL_LABEL}", "{signal}", "", "")'


def _per_pod(function: str, metric: str, scope: str, *, window: str) -> str:
    return f"sum by (namespace, pod) ({function}({metric}{scope}[{window}]))"


def _replicas(namespaces: Sequence[str], window: str) -> list[str]:
    out = []
    for metric, (kind, label) in REPLICA_METRICS.items():
        expr = f"max by (namespace, {label}) (changes({metric}{_scope(namespaces)}[{window}]))"
        named = f'label_replace({expr}, "workload", "$1", "{label}", "(.+)")'
        kinded = f'label_replace({named}, "workload_kind", "{kind}", "", "")'
        out.append(_tag(f"max by (namespace, workload, workload_kind) ({kinded})", "replicas"))
    return out


def activity_queries(namespaces: Sequence[str], *, window: float) -> list[str]:
    """Every pod's CPU, network and restarts, and every workload's replica changes, per slot
    (one query each, tagged with ``SIGNAL_LABEL``)."""
    span = kepler_queries.duration(window)
    containers = _scope(namespaces, 'container!=""', 'container!="POD"')
    return [
        _tag(_per_pod("rate", CPU_METRIC, containers, window=span), "cpu"),
        _tag(_per_pod("rate", NETWORK_METRIC, _scope(namespaces), window=span), "network"),
        _tag(_per_pod("increase", RESTARTS_METRIC, _scope(namespaces), window=span), "restarts"),
        " or ".join(f"({p})" for p in _replicas(namespaces, span)),
    ]


def custom_query(expression: str, *, window: float, resolution: float) -> str:
    """The user's activity expression at its maximum within each slot."""
    span = kepler_queries.duration(window)
    return f"max_over_time(({expression})[{span}:{kepler_queries.duration(resolution)}])"


def workload_matchers(namespaces: Sequence[str]) -> list[str]:
    """``/api/v1/series`` matchers: pod, ReplicaSet and Job owners and Flux labels."""
    return kepler_queries.ownership_matchers(list(namespaces), flux_labels=True)
