"""The live check of a target committed asleep: expectation, Flux labels, judgement (pure)."""

from __future__ import annotations

import pytest

from scheduler.core import planner, sleepcheck, targets
from scheduler.core.changes import Action, Change
from scheduler.core.manifests import ScaleRendered, sleeppatches
from scheduler.core.observations import LiveWorkload
from scheduler.core.sleepcheck import Expectation
from scheduler.core.workloads import WorkloadRef
from tests.unit.core.test_planner import NIGHT, apply_plan, index, policies, policy_text

HR = WorkloadRef("HelmRelease", "media", "arr")
KS = WorkloadRef("Kustomization", "flux-system", "previews")
ALL = Expectation(0, ("Deployment", "StatefulSet", "ReplicaSet", "CronJob", "ScaledObject"))


def sleep_change(target: WorkloadRef, method: ScaleRendered, field: str) -> Change:
    return Change(
        target, "apps/x.yaml", "p", Action.SLEEP, field, None, sleeppatches.summary(method)
    )


def scaled(kind: str, name: str, *, spec: int, running: int, **extra: object) -> LiveWorkload:
    return LiveWorkload(
        ref=WorkloadRef(kind, "media", name),
        spec_replicas=spec,
        replicas=running,
        ready_replicas=running,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            sleep_change(HR, ScaleRendered(), "spec.postRenderers"), ALL, id="release-default"
        ),
        pytest.param(
            sleep_change(KS, ScaleRendered(1, ("Deployment", "CronJob")), "spec.patches"),
            Expectation(1, ("Deployment", "CronJob")),
            id="kustomization-narrowed",
        ),
        pytest.param(
            sleep_change(HR, ScaleRendered(2, ("ScaledObject",)), "spec.postRenderers"),
            Expectation(2, ("ScaledObject",)),
            id="paused-only-keeps-its-count",
        ),
        pytest.param(
            sleep_change(KS, ScaleRendered(), "spec.postRenderers"), None, id="wrong-field"
        ),
        pytest.param(
            Change(HR, "f", "p", Action.WAKE, "spec.postRenderers", "x", None), None, id="wake"
        ),
        pytest.param(
            Change(
                WorkloadRef("Deployment", "m", "w"), "f", "p", Action.SLEEP, "spec.replicas", 2, 0
            ),
            None,
            id="workload",
        ),
    ],
)
def test_expectation_of_change(change: Change, expected: Expectation | None) -> None:
    """A sleep that appends offhours' patches expects its summary's replicas and kinds."""
    assert sleepcheck.expectation_of_change(change) == expected


def test_label_selector_uses_flux_labels() -> None:
    """HelmReleases by helm-controller's labels, Kustomizations by kustomize-controller's."""
    assert sleepcheck.label_selector(HR) == (
        "helm.toolkit.fluxcd.io/name=arr,helm.toolkit.fluxcd.io/namespace=media"
    )
    assert sleepcheck.label_selector(KS) == (
        "kustomize.toolkit.fluxcd.io/name=previews,"
        "kustomize.toolkit.fluxcd.io/namespace=flux-system"
    )
    assert sleepcheck.label_selector(WorkloadRef("Deployment", "m", "w")) is None


def test_deployer_reads_the_owner_back_from_flux_labels() -> None:
    """One selector per controller finds everything; the labels say which owner it is."""
    assert sleepcheck.label_key("HelmRelease") == "helm.toolkit.fluxcd.io/name"
    assert sleepcheck.label_key("Deployment") is None
    helm = {"helm.toolkit.fluxcd.io/name": "arr", "helm.toolkit.fluxcd.io/namespace": "media"}
    assert sleepcheck.deployer("HelmRelease", helm) == HR
    kustomize = {
        "kustomize.toolkit.fluxcd.io/name": "previews",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    }
    assert sleepcheck.deployer("Kustomization", kustomize) == KS
    assert sleepcheck.deployer("Kustomization", helm) is None
    assert sleepcheck.deployer("Deployment", helm) is None


def test_everything_asleep_is_one_settled_line() -> None:
    """Replicas and pods at the sleep count, CronJob suspended, ScaledObject paused: settled."""
    live = [
        scaled("Deployment", "sonarr", spec=0, running=0),
        LiveWorkload(ref=WorkloadRef("CronJob", "media", "backup"), suspend=True),
        LiveWorkload(ref=WorkloadRef("ScaledObject", "media", "q"), paused_replicas=0),
    ]
    check = sleepcheck.judge(HR, live, ALL)
    assert check.settled
    assert check.line == "asleep: 3 rendered workloads at 0"


def test_still_running_workloads_are_listed() -> None:
    """Workloads not yet asleep are named with their state, sorted; the others are not."""
    live = [
        scaled("StatefulSet", "db", spec=1, running=1),
        scaled("Deployment", "sonarr", spec=1, running=1),
        scaled("Deployment", "radarr", spec=0, running=0),
    ]
    check = sleepcheck.judge(HR, live, ALL)
    assert not check.settled
    assert check.line == (
        "asleep in Git, 2 workloads still running: Deployment/media/sonarr 1/1, "
        "StatefulSet/media/db 1/1"
    )


@pytest.mark.parametrize(
    ("workload", "state"),
    [
        pytest.param(
            scaled("Deployment", "w", spec=0, running=2), "spec.replicas 0, 2 pods left", id="pods"
        ),
        pytest.param(
            LiveWorkload(ref=WorkloadRef("CronJob", "media", "w"), suspend=False, active_jobs=1),
            "not suspended, 1 running job",
            id="cronjob",
        ),
        pytest.param(
            LiveWorkload(ref=WorkloadRef("ScaledObject", "media", "w")),
            "not paused",
            id="keda-not-paused",
        ),
        pytest.param(
            LiveWorkload(ref=WorkloadRef("ScaledObject", "media", "w"), paused_replicas=1),
            "paused at 1, want 0",
            id="keda-other-count",
        ),
    ],
)
def test_each_kind_says_why_it_still_runs(workload: LiveWorkload, state: str) -> None:
    """Pods still terminating, an active CronJob and an unpaused ScaledObject are running."""
    (running,) = sleepcheck.judge(HR, [workload], ALL).running
    assert running.state == state


def test_replica_sets_of_deployments_and_other_kinds_are_left_out() -> None:
    """A Deployment's ReplicaSet counts through its Deployment; unlisted kinds are not judged."""
    deployment = WorkloadRef("Deployment", "media", "sonarr")
    live = [
        scaled("ReplicaSet", "sonarr-abc", spec=1, running=1, owner=deployment),
        scaled("ReplicaSet", "bare", spec=0, running=0),
        LiveWorkload(ref=WorkloadRef("CronJob", "media", "backup"), suspend=False),
    ]
    check = sleepcheck.judge(HR, live, Expectation(0, ("ReplicaSet",)))
    assert [w.ref.name for w in check.workloads] == ["bare"]
    assert check.settled


def test_nothing_found_is_settled_and_says_so() -> None:
    """No deployed workload of the listed kinds: nothing runs, and the line says none found."""
    check = sleepcheck.judge(KS, [], Expectation(0, ("Deployment",)))
    assert check.settled
    assert check.line == "asleep: no rendered workloads (Deployment) found"


SONARR = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: sonarr
  namespace: media
spec:
  interval: 30m
  chartRef: {kind: OCIRepository, name: app-template}
"""


def test_expectations_in_git_come_from_the_claiming_method() -> None:
    """A HelmRelease asleep with offhours' post-renderer expects its policy's replicas and
    kinds; before the sleep is committed nothing is expected."""
    entry = (
        "    - kinds: [HelmRelease]\n      action: scale\n      sleepReplicas: 1\n"
        "      renderedKinds: [Deployment, CronJob]\n"
    )
    pols = policies(policy_text("p", targets=entry))
    awake = index(apps__media__sonarr_yaml=SONARR)
    assert sleepcheck.expectations_in_git(awake, targets.resolve(pols, awake)) == {}
    asleep = apply_plan(awake, planner.plan(pols, awake, at=NIGHT))
    found = sleepcheck.expectations_in_git(asleep, targets.resolve(pols, asleep))
    assert found == {
        WorkloadRef("HelmRelease", "media", "sonarr"): Expectation(1, ("Deployment", "CronJob"))
    }
