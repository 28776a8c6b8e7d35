"""HelmRelease ``scale``, proven with the real helm and kustomize: whatever the chart, the
post-renderer offhours appends turns off what the release renders, and wake restores it.

Each case is a HelmRelease from ``tests/data/engines/helmreleases`` (charts from
``tests/data/charts``) in a tiny repository with one policy; offhours' planner puts it to sleep
at night and wakes it by day, and every state is rendered as helm-controller does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scheduler.core.changes import Action
from tests.engines import Engines
from tests.integration.engines.cycle import Cycle, Rule, assert_asleep, run_cycle
from tests.integration.engines.flux import Key, helm_release_render
from tests.integration.engines.tinyrepo import DATA, TinyRepo, policy

FILE = "apps/dev/release.yaml"
RUNNER_RULES = """\
renderedFields:
  - {kind: AutoscalingRunnerSet, group: actions.github.com, field: spec.minRunners, sleepValue: 0}
  - kind: AutoscalingRunnerSet
    field: metadata.annotations["example.com/sleeping"]
    sleepValue: "yes"
"""


@dataclass(frozen=True, slots=True)
class Case:
    """A HelmRelease file, the keys its policy target adds, and what sleep must change."""

    manifest: str
    changed: frozenset[Key]
    target: str = ""
    #: the ``renderedFields`` rules, as the render must show them
    fields: tuple[Rule, ...] = ()


APP = frozenset(
    {
        ("Deployment", "echo"),
        ("Deployment", "echo-api"),
        ("StatefulSet", "echo-worker"),
        ("CronJob", "echo-nightly"),
    }
)
CASES = {
    "app-template": Case("app-template.yaml", APP),
    "own-post-renderer": Case(
        "app-template-post-renderer.yaml", APP - {("Deployment", "echo-api")}
    ),
    "rendered-kinds": Case(
        "app-template.yaml",
        frozenset({("Deployment", "echo"), ("Deployment", "echo-api")}),
        target="renderedKinds: [Deployment]",
    ),
    "rendered-fields": Case(
        "app-template-runners.yaml",
        frozenset(
            {
                ("Deployment", "ci-cache"),
                ("CronJob", "ci-cleanup"),
                ("AutoscalingRunnerSet", "ci-runners"),
            }
        ),
        target=RUNNER_RULES,
        fields=(
            ("AutoscalingRunnerSet", ("spec", "minRunners"), 0),
            ("AutoscalingRunnerSet", ("metadata", "annotations", "example.com/sleeping"), "yes"),
        ),
    ),
    "server-values-path": Case("server.yaml", frozenset({("Deployment", "shop-server")})),
    "flow-style": Case("server-flow.yaml", frozenset({("Deployment", "shop-server")})),
    "server-autoscaled": Case(
        "server-autoscaled.yaml", frozenset({("Deployment", "shop-live-server")})
    ),
    "keda": Case(
        "keda-worker.yaml", frozenset({("Deployment", "queue"), ("ScaledObject", "queue")})
    ),
    "keda-annotated": Case(
        "keda-worker-annotated.yaml",
        frozenset({("Deployment", "jobs-queue"), ("ScaledObject", "jobs-queue")}),
    ),
}


def release_cycle(engines: Engines, root: Path, manifest: str, policy_text: str) -> Cycle:
    """The cycle of a HelmRelease file in a repository of its own, rendered as
    helm-controller does."""
    repo = TinyRepo(root / "repo")
    repo.write(FILE, (DATA / "helmreleases" / manifest).read_text())
    repo.write("policies/dev.yaml", policy_text)

    def render(release: Mapping[str, Any], work: Path) -> str:
        return helm_release_render(engines, release, work=work)

    return run_cycle(repo, FILE, "HelmRelease", render=render, work=root)


@pytest.fixture(scope="module")
def cycle(
    engines: Engines, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, int], Cycle]:
    """The cycle of a case at a sleep replica count, run once per module and worker."""
    done: dict[tuple[str, int], Cycle] = {}

    def get(case: str, replicas: int) -> Cycle:
        if (case, replicas) not in done:
            spec = CASES[case]
            text = policy(kind="HelmRelease", replicas=replicas, target=spec.target)
            root = tmp_path_factory.mktemp(f"{case}-{replicas}")
            done[case, replicas] = release_cycle(engines, root, spec.manifest, text)
        return done[case, replicas]

    return get


@pytest.mark.parametrize("replicas", [0, 1])
@pytest.mark.parametrize("case", list(CASES))
def test_scale_turns_off_what_the_chart_renders(
    cycle: Callable[[str, int], Cycle], case: str, replicas: int
) -> None:
    """Asleep, the render differs from the awake one exactly by the sleep patches."""
    spec, run = CASES[case], cycle(case, replicas)
    assert_asleep(run, changed=spec.changed, replicas=replicas, rules=spec.fields)
    assert [c.action for c in run.night.changes] == [Action.SLEEP]


@pytest.mark.parametrize("replicas", [0, 1])
@pytest.mark.parametrize("case", list(CASES))
def test_wake_restores_the_file_and_the_render_byte_for_byte(
    cycle: Callable[[str, int], Cycle], case: str, replicas: int
) -> None:
    """By day the HelmRelease file and what helm-controller renders are as before the night."""
    run = cycle(case, replicas)
    assert run.asleep_file != run.original
    assert [c.action for c in run.day.changes] == [Action.WAKE]
    assert run.woken_file == run.original
    assert run.woken == run.awake


def test_the_hpa_keeps_its_settings_while_its_deployment_sleeps(
    cycle: Callable[[str, int], Cycle],
) -> None:
    """A chart that leaves replicas to an HPA gets replicas 0; the HPA itself is untouched."""
    run = cycle("server-autoscaled", 0)
    awake, asleep = run.objects("awake"), run.objects("asleep")
    deployment, hpa = (
        ("Deployment", "shop-live-server"),
        ("HorizontalPodAutoscaler", "shop-live-server"),
    )
    assert "replicas" not in awake[deployment]["spec"]
    assert asleep[deployment]["spec"]["replicas"] == 0
    assert asleep[hpa] == awake[hpa]
    assert asleep[hpa]["spec"]["minReplicas"] == 2


def test_own_post_renderer_runs_first_and_keeps_working(
    cycle: Callable[[str, int], Cycle],
) -> None:
    """The release's own image override stays; its replicas pin is overridden by offhours'."""
    run = cycle("own-post-renderer", 0)
    awake, asleep = run.objects("awake"), run.objects("asleep")
    worker = ("StatefulSet", "echo-worker")
    assert awake[worker]["spec"]["replicas"] == 3
    assert asleep[worker]["spec"]["replicas"] == 0
    images = {c["image"] for o in asleep.values() for c in containers(o)}
    assert images == {"ghcr.io/example/app:1.1.0"}


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers of a workload's pod template (none for other kinds)."""
    spec = obj.get("spec", {})
    template = spec.get("jobTemplate", {}).get("spec", spec).get("template", {})
    return list(template.get("spec", {}).get("containers", []))


def test_values_action_is_a_no_op_for_a_chart_without_that_key(
    engines: Engines, tmp_path: Path
) -> None:
    """action: values sets replicaCount, which app-template ignores: nothing renders differently."""
    target = "action: values\nvaluesPath: replicaCount"
    text = policy(kind="HelmRelease", replicas=0, target=target)
    run = release_cycle(engines, tmp_path, "app-template.yaml", text)
    warnings = "\n".join(str(d) for d in run.night.diagnostics)
    assert "action values would insert spec.values.replicaCount" in warnings
    assert "replicaCount: 0" in run.asleep_file
    assert run.objects("asleep") == run.objects("awake")
    assert run.objects("asleep")["Deployment", "echo"]["spec"]["replicas"] == 2
    assert run.objects("asleep")["StatefulSet", "echo-worker"]["spec"]["replicas"] == 1
