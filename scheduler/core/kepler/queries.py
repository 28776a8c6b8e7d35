"""PromQL that reads Kepler energy exactly, in a number of queries independent of workloads.

The central idea: a ``query_range`` at the grid step S of ``last_over_time(counter[L])``,
grouped ``max by`` the labels that identify one pod (0.10) or container (0.4-0.9), returns at
every grid point the **last raw counter sample** at or before it, looked back over L >= S (the
lookback, a few scrape intervals: a grid finer than the scrape interval still sees every
series at every point):

* ``last_over_time`` reads raw samples only, so no extrapolation (unlike ``increase()``), no
  5-minute lookback beyond L (a stale or backfilled series lingers at most L after its last
  sample, adding 0 J), and the final sample of a pod that ended inside a step is still seen;
* ``max by`` drops the labels that split one counter into several series without adding energy
  (0.10 ``state`` running/terminated, 0.5 ``command``, scrape-target labels, duplicate HA
  replicas); taking the maximum never double counts;
* client-side differences of consecutive points are then exact sums of raw sample deltas: the
  step ``(t(j-1), t(j)]`` gets the deltas of the samples inside it.

Node energy, the node count (``kube_node_info``) and the <=0.3 gauges (summed per step) use the
same points; ``kube_pod_start_time`` travels with the pod counters (``part="pod_start"``) so
the edge rules (``edges``) can tell a pod that started inside the period from one that was
merely unobserved. Labels ``zone``/``part`` are attached with ``label_replace`` so that several
metrics travel in one response joined with ``or``. ``scrape_probe`` counts samples to measure
the scrape interval. Pure string building.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from scheduler.core.kepler.releases import FLUX_LABELS, LABEL_METRICS
from scheduler.core.kepler.schema import KeplerSchema

__all__ = [
    "FLUX_KINDS",
    "NAMESPACE_LABEL",
    "OFF_STATE_METRICS",
    "PSEUDO_PODS",
    "Reach",
    "Selection",
    "duration",
    "names_matcher",
    "node_query",
    "off_state_query",
    "one_of",
    "ownership_matchers",
    "pod_start_query",
    "scrape_probe",
    "string_literal",
    "workload_query",
]

PSEUDO_PODS = ("system_processes", "kernel_processes")
NAMESPACE_LABEL = {
    KeplerSchema.V0_10: "pod_namespace",
    KeplerSchema.V0_7: "container_namespace",
    KeplerSchema.V0_3: "pod_namespace",
}
_WORKLOAD_KEYS = {
    KeplerSchema.V0_10: ("pod_namespace", "pod_name", "pod_id", "zone"),
    KeplerSchema.V0_7: (
        "container_namespace",
        "pod_name",
        "container_name",
        "container_id",
        "mode",
    ),
    KeplerSchema.V0_3: ("pod_namespace", "pod_name", "command"),
}
_RE2_META = set("\\.+*?()|[]{}^$")
FLUX_KINDS = ("HelmRelease", "Kustomization")
OFF_STATE_METRICS = (
    "kube_deployment_spec_replicas",
    "kube_statefulset_replicas",
    "kube_cronjob_spec_suspend",
    "gotk_resource_info",
    "flux_resource_info",
    "gotk_suspend_status",
    *LABEL_METRICS,
)
#: the replicas/suspend metric of each kube-state-metrics labels metric, and its "off" test
_RENDERED_STATE = {
    "kube_deployment_labels": ("kube_deployment_spec_replicas", "== bool 0"),
    "kube_statefulset_labels": ("kube_statefulset_replicas", "== bool 0"),
    "kube_cronjob_labels": ("kube_cronjob_spec_suspend", "> bool 0"),
}


def string_literal(value: str) -> str:
    """``value`` as a double-quoted PromQL string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def one_of(values: Sequence[str]) -> str:
    """An RE2 alternation matching exactly ``values`` (metacharacters escaped)."""
    return "|".join("".join("\\" + c if c in _RE2_META else c for c in v) for v in values)


def duration(seconds: float) -> str:
    """A PromQL duration in whole milliseconds (``300000ms``)."""
    return f"{max(1, round(seconds * 1000))}ms"


def _selector(metric: str, matchers: Sequence[str]) -> str:
    return f"{metric}{{{','.join(matchers)}}}" if matchers else metric


def _tagged(expr: str, label: str, value: str) -> str:
    return f'label_replace({expr}, "{label}", "{value}", "", "")'


def _joined(parts: Sequence[str]) -> str:
    return " or ".join(f"({p})" for p in parts)


def names_matcher(names: Collection[str]) -> str:
    """A series matcher selecting any of the metric ``names``."""
    return f"{{__name__=~{string_literal(one_of(sorted(names)))}}}"


@dataclass(frozen=True)
class Selection:
    """Which pods to read: namespaces (empty = all), a pod-name regex, pseudo-containers."""

    namespaces: tuple[str, ...] = ()
    pod_regex: str | None = None
    include_pseudo: bool = False

    def matchers(self, namespace_label: str) -> list[str]:
        """Label matchers for a Kepler workload selector."""
        out = []
        if self.namespaces:
            out.append(f"{namespace_label}=~{string_literal(one_of(sorted(self.namespaces)))}")
        if self.pod_regex:
            out.append(f"pod_name=~{string_literal(self.pod_regex)}")
        if not self.include_pseudo:
            out.append(f"pod_name!~{string_literal(one_of(PSEUDO_PODS))}")
        return out


def _last_sample(
    metric: str, matchers: Sequence[str], *, keys: Sequence[str], lookback: float
) -> str:
    selector = _selector(metric, matchers)
    return f"max by ({', '.join(keys)}) (last_over_time({selector}[{duration(lookback)}]))"


def _open_window(window: float) -> str:
    """A range of one step open at its start: ``(t - window, t]`` (Prometheus 2 ranges are
    closed at both ends, so a sample on a grid point would be in two steps)."""
    return duration(window - 0.001)


def _window_sum(metric: str, matchers: Sequence[str], *, keys: Sequence[str], window: float) -> str:
    selector = _selector(metric, matchers)
    return f"max by ({', '.join(keys)}) (sum_over_time({selector}[{_open_window(window)}]))"


@dataclass(frozen=True)
class Reach:
    """How far each grid point looks: ``window`` (the step: gauges are summed over it) and
    ``lookback`` (counters' last sample; at least the step, None: the step)."""

    window: float
    lookback: float | None = None

    @property
    def counters(self) -> float:
        """The counters' lookback in seconds."""
        return max(self.window, self.lookback or self.window)


def pod_start_query(selection: Selection, *, lookback: float) -> str:
    """``kube_pod_start_time`` per pod (kube-state-metrics labels), tagged ``part="pod_start"``."""
    matchers = [f"namespace=~{string_literal(one_of(sorted(selection.namespaces)))}"]
    if not selection.namespaces:
        matchers = []
    if selection.pod_regex:
        matchers.append(f"pod=~{string_literal(selection.pod_regex)}")
    expr = _last_sample(
        "kube_pod_start_time", matchers, keys=("namespace", "pod"), lookback=lookback
    )
    return _tagged(expr, "part", "pod_start")


def workload_query(
    schema: KeplerSchema,
    *,
    selection: Selection,
    reach: Reach,
    zones: Sequence[str],
    container_total: bool = False,
    pod_starts: bool = False,
) -> str:
    """Per pod (0.10, 0.3) or container (0.7) energy at each point, one series per zone.

    0.10 and 0.7 return the last counter sample within the lookback (joules); 0.3 returns the
    sum of the millijoule-per-3-s gauge samples in each step. ``container_total`` (0.7 only)
    reads ``kepler_container_joules_total`` (zone ``total``) when the component metrics are
    missing. ``pod_starts`` adds ``pod_start_query`` (counters only).
    """
    parts = _workload_parts(
        schema, selection=selection, reach=reach, zones=zones, container_total=container_total
    )
    if pod_starts and schema is not KeplerSchema.V0_3:
        parts.append(pod_start_query(selection, lookback=reach.counters))
    return parts[0] if len(parts) == 1 else _joined(parts)


def _workload_parts(
    schema: KeplerSchema,
    *,
    selection: Selection,
    reach: Reach,
    zones: Sequence[str],
    container_total: bool,
) -> list[str]:
    keys = _WORKLOAD_KEYS[schema]
    matchers = selection.matchers(NAMESPACE_LABEL[schema])
    if schema is KeplerSchema.V0_10:
        zone = f"zone=~{string_literal(one_of(zones))}"
        metric = "kepler_pod_cpu_joules_total"
        return [_last_sample(metric, [*matchers, zone], keys=keys, lookback=reach.counters)]
    if schema is KeplerSchema.V0_7:
        metrics = (
            {"total": "kepler_container_joules_total"}
            if container_total
            else {z: f"kepler_container_{z}_joules_total" for z in zones}
        )
        dynamic = [*matchers, 'mode=~"dynamic|"']
        return [
            _tagged(_last_sample(m, dynamic, keys=keys, lookback=reach.counters), "zone", z)
            for z, m in metrics.items()
        ]
    names = {"package": "pkg", "dram": "dram"}
    return [
        _tagged(
            _window_sum(
                f"pod_curr_energy_in_{names[z]}_millijoule",
                matchers,
                keys=keys,
                window=reach.window,
            ),
            "zone",
            z,
        )
        for z in zones
    ]


def _node_count(window: float, resolution: float) -> str:
    inner = "count(group by (node) (kube_node_info))"
    expr = f"avg_over_time({inner}[{duration(window)}:{duration(resolution)}])"
    return _tagged(expr, "part", "node_count")


def _node_counters(schema: KeplerSchema, *, zones: Sequence[str], lookback: float) -> list[str]:
    zone = f"zone=~{string_literal(one_of(zones))}"
    if schema is KeplerSchema.V0_10:
        keys = ("node_name", "zone")
        metrics = {"active": "cpu_active", "idle": "cpu_idle", "raw": "cpu"}
        return [
            _tagged(
                _last_sample(f"kepler_node_{m}_joules_total", [zone], keys=keys, lookback=lookback),
                "part",
                p,
            )
            for p, m in metrics.items()
        ]
    socket_keys = ("instance", "exported_instance", "package", "mode")
    parts = [
        _tagged(
            _last_sample(f"kepler_node_{z}_joules_total", [], keys=socket_keys, lookback=lookback),
            "component",
            z,
        )
        for z in zones
    ]
    platform = _last_sample(
        "kepler_node_platform_joules_total",
        [],
        keys=("instance", "exported_instance", "mode"),
        lookback=lookback,
    )
    parts.append(_tagged(platform, "component", "platform"))
    return parts


def _node_gauges(*, zones: Sequence[str], window: float) -> list[str]:
    names = {"package": "pkg", "dram": "dram"}
    keys = ("instance", "exported_instance")
    parts = [
        _tagged(
            _window_sum(f"node_curr_energy_in_{names[z]}_joule", [], keys=keys, window=window),
            "zone",
            z,
        )
        for z in zones
    ]
    samples = f"max(count_over_time(pod_curr_energy_in_pkg_millijoule[{_open_window(window)}]))"
    parts.append(_tagged(samples, "part", "samples"))
    return parts


def node_query(
    schema: KeplerSchema,
    *,
    reach: Reach,
    zones: Sequence[str],
    node_count_resolution: float | None = None,
) -> str:
    """Node energy per node, zone/component and mode at each point, plus the node count.

    0.10: ``active`` and ``idle`` counters per zone (``part`` label), and ``raw``, the hardware
    RAPL counter they are split from (cross-checks them across Kepler restarts). 0.7: package
    and dram per socket and mode, and the platform meter (``component`` label). 0.3: the node
    gauges and ``part="samples"``, the largest number of pod-gauge samples any series had in the
    step (the scrape-count reference for gauge integration). With ``node_count_resolution``,
    the mean number of ``kube_node_info`` nodes in each step is added as ``part="node_count"``.
    """
    if schema is KeplerSchema.V0_3:
        parts = _node_gauges(zones=zones, window=reach.window)
    else:
        parts = _node_counters(schema, zones=zones, lookback=reach.counters)
    if node_count_resolution is not None:
        parts.append(_node_count(reach.window, node_count_resolution))
    return _joined(parts)


def scrape_probe(metric: str, *, span: float) -> str:
    """The largest number of samples any ``metric`` series has in the ``span`` seconds before
    the evaluation instant, that instant included and its start not (``span / count`` is the
    scrape interval)."""
    return f"max(count_over_time({metric}[{duration(span - 0.001)}]))"


def _scope(namespaces: Sequence[str]) -> list[str]:
    return [f"namespace=~{string_literal(one_of(sorted(namespaces)))}"] if namespaces else []


def ownership_matchers(namespaces: Sequence[str], *, flux_labels: bool = False) -> list[str]:
    """``/api/v1/series`` matchers for kube-state-metrics pod, ReplicaSet and Job owners and,
    with ``flux_labels``, the Deployment/StatefulSet/CronJob labels series that carry a Flux
    label (one request either way: the series API takes any number of matchers)."""
    scope = _scope(namespaces)
    owners = ("kube_pod_owner", "kube_replicaset_owner", "kube_job_owner")
    out = [_selector(m, scope) for m in owners]
    if flux_labels:
        out += [
            _selector(metric, [*scope, f'{name}!=""'])
            for metric in LABEL_METRICS
            for name, _ in FLUX_LABELS.values()
        ]
    return out


def _renamed(expr: str, kind: str, name_label: str) -> str:
    named = f'label_replace({expr}, "name", "$1", "{name_label}", "(.+)")'
    return f"max by (kind, namespace, name) ({_tagged(named, 'kind', kind)})"


def _recent(metric: str, matchers: Sequence[str], resolution: float) -> str:
    """The series' last sample of the past ``resolution`` seconds: a state that stopped being
    exported ends within one sampling interval, with or without staleness markers."""
    return f"last_over_time({_selector(metric, matchers)}[{duration(resolution)}])"


def _flux_info(metric: str, kind_label: str, resolution: float) -> str:
    kinds = f"{kind_label}=~{string_literal(one_of(FLUX_KINDS))}"

    def normalised(matchers: list[str]) -> str:
        expr = _recent(metric, matchers, resolution)
        if kind_label != "kind":
            expr = f'label_replace({expr}, "kind", "$1", "{kind_label}", "(.+)")'
        expr = f'label_replace({expr}, "namespace", "$1", "exported_namespace", "(.+)")'
        return f"max by (kind, namespace, name) ({expr})"

    suspended = normalised([kinds, 'suspended=~"(?i)true"'])
    return f"({suspended}) or (0 * {normalised([kinds])})"


def off_state_query(
    *, window: float, resolution: float, namespaces: Sequence[str], available: Collection[str]
) -> str | None:
    """The fraction of each window a workload spent scaled to zero or suspended.

    One series per ``(kind, namespace, name)``, built from whichever of these exist:
    ``kube_deployment_spec_replicas == 0``, ``kube_statefulset_replicas == 0``,
    ``kube_cronjob_spec_suspend``, and for Flux HelmRelease/Kustomization
    ``gotk_resource_info{suspended}`` (kube-state-metrics custom resource state, Flux >= 2.1),
    ``flux_resource_info{suspended}`` (Flux Operator) or ``gotk_suspend_status`` (Flux < 2.1).
    With ``kube_<kind>_labels`` carrying Flux labels, each HelmRelease/Kustomization also gets a
    series labelled ``via="rendered"``: off while every workload labelled with it is at zero
    or suspended (what ``action: scale`` does). Flux objects are filtered by namespace
    client-side. Samples are taken with
    ``last_over_time(...[resolution])``, so a state series that stops (a ``suspended`` label
    flipping to a new series) ends within ``resolution`` even without staleness markers
    (backfilled data, remote storage). None if nothing is available.
    """
    scope = _scope(namespaces)
    parts = []
    ksm = (
        ("kube_deployment_spec_replicas", "Deployment", "deployment", "== bool 0"),
        ("kube_statefulset_replicas", "StatefulSet", "statefulset", "== bool 0"),
        ("kube_cronjob_spec_suspend", "CronJob", "cronjob", "> bool 0"),
    )
    for metric, kind, label, test in ksm:
        if metric in available:
            parts.append(_renamed(f"{_recent(metric, scope, resolution)} {test}", kind, label))
    if "gotk_resource_info" in available:
        parts.append(_flux_info("gotk_resource_info", "customresource_kind", resolution))
    if "flux_resource_info" in available:
        parts.append(_flux_info("flux_resource_info", "kind", resolution))
    if "gotk_suspend_status" in available:
        kinds = f"kind=~{string_literal(one_of(FLUX_KINDS))}"
        expr = (
            f"label_replace({_recent('gotk_suspend_status', [kinds], resolution)}, "
            '"namespace", "$1", "exported_namespace", "(.+)")'
        )
        parts.append(f"max by (kind, namespace, name) ({expr}) > bool 0")
    parts += _rendered_parts(scope, resolution=resolution, available=available)
    if not parts:
        return None
    return f"avg_over_time(({_joined(parts)})[{duration(window)}:{duration(resolution)}])"


def _rendered_off(
    labels_metric: str, *, flux_name: str, scope: Sequence[str], resolution: float
) -> str:
    """1 while a workload labelled with ``flux_name`` is at zero (suspended), else 0; labels:
    the workload's and its Flux labels. The labels side may hold several series per workload
    (a relabelled object), the state side one: many-to-one never fails."""
    state, test = _RENDERED_STATE[labels_metric]
    key = LABEL_METRICS[labels_metric][1]
    flux_keys = next(k for k in FLUX_LABELS.values() if k[0] == flux_name)
    labelled = _recent(labels_metric, [*scope, f'{flux_name}!=""'], resolution)
    left = f"max by (namespace, {key}, {', '.join(flux_keys)}) ({labelled})"
    right = f"(max by (namespace, {key}) ({_recent(state, scope, resolution)}) {test})"
    return f"{left} * on (namespace, {key}) group_left () {right}"


def _rendered_parts(
    scope: Sequence[str], *, resolution: float, available: Collection[str]
) -> list[str]:
    """Per Flux object (label ``via="rendered"``): 1 while everything it renders or applies
    that kube-state-metrics labels with it is at zero or suspended (the minimum over them)."""
    families = [
        m for m, (state, _) in _RENDERED_STATE.items() if m in available and state in available
    ]
    parts = []
    for kind, (name, namespace) in FLUX_LABELS.items():
        if not families:
            break
        each = _joined(
            [_rendered_off(m, flux_name=name, scope=scope, resolution=resolution) for m in families]
        )
        expr = f"min by ({namespace}, {name}) ({each})"
        expr = f'label_replace({expr}, "namespace", "$1", "{namespace}", "(.+)")'
        expr = f'label_replace({expr}, "name", "$1", "{name}", "(.+)")'
        expr = _tagged(_tagged(expr, "kind", kind), "via", "rendered")
        parts.append(f"max by (kind, namespace, name, via) ({expr})")
    return parts
