"""Pure predicates over live observations: has a workload settled at its target?"""

from __future__ import annotations

import pytest

from scheduler.core.observations import (
    Condition,
    ConditionStatus,
    FluxObject,
    FluxSnapshot,
    GitReference,
    LiveTarget,
    LiveWorkload,
    progress,
)
from scheduler.core.workloads import WorkloadRef

WEB = WorkloadRef("Deployment", "dev", "web")


def deployment(**fields: object) -> LiveWorkload:
    base: dict[str, object] = {
        "ref": WEB,
        "generation": 2,
        "observed_generation": 2,
        "spec_replicas": 0,
        "replicas": 0,
        "ready_replicas": 0,
    }
    return LiveWorkload(**(base | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "reached", "detail"),
    [
        pytest.param({}, True, "0/0 ready", id="scaled-down"),
        pytest.param(
            {"replicas": 2, "ready_replicas": 2}, False, "2/0 ready, 2 running", id="pods-left"
        ),
        pytest.param(
            {"observed_generation": 1}, False, "generation 2 not yet observed", id="stale"
        ),
        pytest.param({"spec_replicas": 3}, False, "spec.replicas is 3, want 0", id="not-applied"),
    ],
)
def test_scale_down_progress(fields: dict[str, object], reached: bool, detail: str) -> None:
    """Scale-down is reached only when spec, observed generation and pods all agree."""
    result = progress(deployment(**fields), LiveTarget(replicas=0))
    assert result.reached is reached
    assert detail in result.detail


def test_scale_up_needs_every_replica_ready() -> None:
    """Scale-up to 3 is reached with 3 ready replicas, not before."""
    up = deployment(spec_replicas=3, replicas=3, ready_replicas=2)
    assert progress(up, LiveTarget(replicas=3)).detail == "2/3 ready, 3 running"
    done = deployment(spec_replicas=3, replicas=3, ready_replicas=3)
    assert progress(done, LiveTarget(replicas=3)).reached


def test_cronjob_and_keda_targets() -> None:
    """CronJob suspend and KEDA paused-replicas are compared as flags."""
    cron = LiveWorkload(ref=WorkloadRef("CronJob", "dev", "r"), suspend=False)
    assert progress(cron, LiveTarget(suspend=True)).detail == "suspend is False, want True"
    keda = LiveWorkload(ref=WorkloadRef("ScaledObject", "dev", "w"), paused_replicas=0)
    assert progress(keda, LiveTarget(paused_replicas=0)).detail == "paused at 0"


def test_flux_object_readiness() -> None:
    """Ready needs a Ready=True condition; the message explains a missing one."""
    ref = WorkloadRef("Kustomization", "flux-system", "apps")
    bare = FluxObject(ref=ref, api_version="kustomize.toolkit.fluxcd.io/v1", generation=1)
    assert not bare.ready
    assert bare.ready_message == "no Ready condition reported yet"
    ready = FluxObject(
        ref=ref,
        api_version="kustomize.toolkit.fluxcd.io/v1",
        generation=1,
        observed_generation=1,
        conditions=(Condition("Ready", ConditionStatus.TRUE, message="Applied"),),
    )
    assert ready.ready
    assert ready.up_to_date
    assert FluxSnapshot(kustomizations=(ready,)).find(ref) is ready


@pytest.mark.parametrize(
    ("reference", "text", "pinned"),
    [
        (GitReference(), "branch master", False),
        (GitReference(branch="main"), "branch main", False),
        (GitReference(branch="main", tag="v1"), "tag v1", True),
        (GitReference(commit="abc"), "commit abc", True),
    ],
)
def test_git_reference(reference: GitReference, text: str, pinned: bool) -> None:
    """A GitRepository ref prints what Flux follows (Flux's default branch is master)."""
    assert (str(reference), reference.pinned) == (text, pinned)
