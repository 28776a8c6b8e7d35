"""PromQL building: escaping, selections and the shape of each schema's queries."""

from __future__ import annotations

import pytest

from scheduler.core.kepler import queries
from scheduler.core.kepler.schema import KeplerSchema


def test_string_literal_and_regex_escaping() -> None:
    """Quotes and backslashes are escaped; RE2 metacharacters in names are literal."""
    assert queries.string_literal('a"b\\c') == '"a\\"b\\\\c"'
    assert queries.one_of(["flux-system", "a.b", "x+y"]) == "flux-system|a\\.b|x\\+y"
    assert queries.duration(300) == "300000ms"
    assert queries.duration(0.5) == "500ms"


def test_selection_matchers() -> None:
    """Namespaces, a pod regex and the pseudo-container exclusion become label matchers."""
    selection = queries.Selection(("flux-system", "dev"), pod_regex="web-.*")
    assert selection.matchers("pod_namespace") == [
        'pod_namespace=~"dev|flux-system"',
        'pod_name=~"web-.*"',
        'pod_name!~"system_processes|kernel_processes"',
    ]
    assert queries.Selection(include_pseudo=True).matchers("container_namespace") == []


def test_v010_workload_query_reads_raw_counters_per_pod() -> None:
    """last_over_time over the lookback, max by the pod identity and zone; only requested
    zones."""
    query = queries.workload_query(
        KeplerSchema.V0_10,
        selection=queries.Selection(("dev",)),
        reach=queries.Reach(window=30, lookback=75),
        zones=("package", "dram"),
    )
    assert query == (
        "max by (pod_namespace, pod_name, pod_id, zone) (last_over_time("
        'kepler_pod_cpu_joules_total{pod_namespace=~"dev",'
        'pod_name!~"system_processes|kernel_processes",zone=~"package|dram"}[75000ms]))'
    )


def test_lookback_is_never_shorter_than_the_step() -> None:
    """A lookback below the step (or none) reads back one step: no sample is skipped."""
    assert queries.Reach(window=300, lookback=120).counters == 300
    assert queries.Reach(window=300).counters == 300
    assert queries.Reach(window=3, lookback=7.5).counters == 7.5


def test_pod_start_times_travel_with_the_counters() -> None:
    """With kube-state-metrics, kube_pod_start_time of the selected pods joins the workload
    query as part="pod_start" (same request); gauges (<=0.3) never need it."""
    selection = queries.Selection(("dev",), pod_regex="job-.*")
    reach = queries.Reach(window=30, lookback=75)
    query = queries.workload_query(
        KeplerSchema.V0_10, selection=selection, reach=reach, zones=("package",), pod_starts=True
    )
    assert (
        "label_replace(max by (namespace, pod) (last_over_time(kube_pod_start_time"
        '{namespace=~"dev",pod=~"job-.*"}[75000ms])), "part", "pod_start", "", "")'
    ) in query
    assert query.count(" or ") == 1
    gauges = queries.workload_query(
        KeplerSchema.V0_3, selection=selection, reach=reach, zones=("package",), pod_starts=True
    )
    assert "kube_pod_start_time" not in gauges


def test_scrape_probe_counts_samples() -> None:
    """The probe counts the densest series' samples over a span open at its start (a sample on
    both bounds would count one interval twice)."""
    assert queries.scrape_probe("kepler_node_cpu_active_joules_total", span=3600) == (
        "max(count_over_time(kepler_node_cpu_active_joules_total[3599999ms]))"
    )


def test_v07_workload_query_is_dynamic_components_only() -> None:
    """Package and dram components, mode dynamic (or absent, v0.4.0), tagged by zone."""
    query = queries.workload_query(
        KeplerSchema.V0_7,
        selection=queries.Selection(),
        reach=queries.Reach(window=60),
        zones=("package", "dram"),
    )
    assert query.count("last_over_time(") == 2
    assert 'mode=~"dynamic|"' in query
    assert "idle" not in query
    assert "kepler_container_joules_total" not in query
    assert (
        "label_replace(max by (container_namespace, pod_name, container_name, container_id, mode)"
        in query
    )
    total = queries.workload_query(
        KeplerSchema.V0_7,
        selection=queries.Selection(),
        reach=queries.Reach(window=60),
        zones=("package",),
        container_total=True,
    )
    assert "kepler_container_joules_total" in total
    assert '"zone", "total"' in total


def test_v03_workload_query_sums_gauges() -> None:
    """<=0.3 reads the curr gauges with sum_over_time over the step open at its start (a sample
    on a grid point is in one step only; never the lookback) and never the total_* counters."""
    query = queries.workload_query(
        KeplerSchema.V0_3,
        selection=queries.Selection(),
        reach=queries.Reach(window=60, lookback=150),
        zones=("package", "dram"),
    )
    assert "[59999ms]" in query
    assert "sum_over_time(pod_curr_energy_in_pkg_millijoule" in query
    assert "sum_over_time(pod_curr_energy_in_dram_millijoule" in query
    assert "total" not in query


@pytest.mark.parametrize(
    ("schema", "needles"),
    [
        (
            KeplerSchema.V0_10,
            (
                "kepler_node_cpu_active_joules_total",
                "kepler_node_cpu_idle_joules_total",
                "kepler_node_cpu_joules_total",
            ),
        ),
        (
            KeplerSchema.V0_7,
            (
                "kepler_node_package_joules_total",
                "kepler_node_dram_joules_total",
                "kepler_node_platform_joules_total",
            ),
        ),
        (
            KeplerSchema.V0_3,
            (
                "node_curr_energy_in_pkg_joule",
                "max(count_over_time(pod_curr_energy_in_pkg_millijoule",
            ),
        ),
    ],
    ids=["0.10", "0.7", "0.3"],
)
def test_node_query_parts(schema: KeplerSchema, needles: tuple[str, ...]) -> None:
    """Each schema's node energy metrics, plus the node count subquery when asked."""
    query = queries.node_query(
        schema, reach=queries.Reach(window=300), zones=("package", "dram"), node_count_resolution=30
    )
    for needle in needles:
        assert needle in query
    assert "avg_over_time(count(group by (node) (kube_node_info))[300000ms:30000ms])" in query


def test_ownership_matchers_are_scoped_to_namespaces() -> None:
    """One series request carries the three kube-state-metrics owner metrics."""
    assert queries.ownership_matchers(("dev",)) == [
        'kube_pod_owner{namespace=~"dev"}',
        'kube_replicaset_owner{namespace=~"dev"}',
        'kube_job_owner{namespace=~"dev"}',
    ]
    assert queries.ownership_matchers(()) == [
        "kube_pod_owner",
        "kube_replicaset_owner",
        "kube_job_owner",
    ]


def test_off_state_query_uses_only_available_metrics() -> None:
    """Missing metrics are left out; nothing available means no query at all."""
    query = queries.off_state_query(
        window=300, resolution=30, namespaces=("dev",), available={"kube_deployment_spec_replicas"}
    )
    assert query is not None
    assert query.startswith("avg_over_time((")
    assert (
        'last_over_time(kube_deployment_spec_replicas{namespace=~"dev"}[30000ms]) == bool 0'
        in query
    )
    assert "gotk" not in query
    assert (
        queries.off_state_query(window=300, resolution=30, namespaces=(), available=set()) is None
    )


def test_ownership_matchers_add_flux_labels_in_the_same_request() -> None:
    """With placed Flux targets, the labels metrics with a Flux label join the owner matchers."""
    matchers = queries.ownership_matchers(("staging",), flux_labels=True)
    assert matchers[:3] == queries.ownership_matchers(("staging",))
    assert matchers[3:] == [
        f'{metric}{{namespace=~"staging",label_{tool}_toolkit_fluxcd_io_name!=""}}'
        for metric in ("kube_deployment_labels", "kube_statefulset_labels", "kube_cronjob_labels")
        for tool in ("helm", "kustomize")
    ]


def test_off_state_query_adds_rendered_flux_objects_with_labels() -> None:
    """A Flux object is off while everything labelled with it is at zero (min over them)."""
    available = {"kube_deployment_spec_replicas", "kube_deployment_labels"}
    query = queries.off_state_query(
        window=300, resolution=30, namespaces=("staging",), available=available
    )
    assert query is not None
    assert "label_replace(" in query
    assert '"via", "rendered"' in query
    assert (
        "min by (label_helm_toolkit_fluxcd_io_namespace, label_helm_toolkit_fluxcd_io_name)"
        in query
    )
    assert "group_left ()" in query
    assert "kube_statefulset_labels" not in query
    without_state = queries.off_state_query(
        window=300, resolution=30, namespaces=(), available={"kube_deployment_labels"}
    )
    assert without_state is None
