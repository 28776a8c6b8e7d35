"""Flux Kustomization ``scale``, proven with the real kustomize: the patches offhours appends
to ``spec.patches`` turn off everything the Kustomization applies, from a folder of the
repository or from an artifact offhours cannot read, and wake restores it.

Each case is a Kustomization from ``tests/data/engines/kustomizations`` in a tiny repository
with one policy; its manifests are ``tests/data/engines/apps-dev`` (copied into the repository
at ``spec.path``) or ``tests/data/engines/oci-artifact`` (kept outside it, as an OCI artifact
is); every state is built as kustomize-controller does.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scheduler.core.changes import Action
from tests.engines import Engines
from tests.integration.engines.cycle import Cycle, assert_asleep, run_cycle
from tests.integration.engines.flux import Key, kustomization_build
from tests.integration.engines.tinyrepo import DATA, TinyRepo, policy

FILE = "clusters/dev/apps.yaml"
ROOT = "clusters/dev/flux-system/gotk-sync.yaml"


@dataclass(frozen=True, slots=True)
class Case:
    """A Kustomization file, the folder of its manifests, and what sleep must change."""

    manifest: str
    folder: str
    #: True when the manifests are in the repository (a GitRepository source)
    in_repo: bool
    changed: frozenset[Key]


APPS = frozenset(
    {
        ("Deployment", "web"),
        ("Deployment", "consumer"),
        ("StatefulSet", "db"),
        ("CronJob", "report"),
        ("ScaledObject", "consumer"),
    }
)
CASES = {
    "git-folder": Case("apps.yaml", "apps-dev", in_repo=True, changed=APPS),
    "user-patches": Case("apps-user-patch.yaml", "apps-dev", in_repo=True, changed=APPS),
    "oci-artifact": Case(
        "billing-oci.yaml",
        "oci-artifact",
        in_repo=False,
        changed=frozenset(
            {("Deployment", "billing"), ("CronJob", "invoices"), ("ScaledObject", "billing")}
        ),
    ),
}


def kustomization_cycle(engines: Engines, root: Path, case: Case, replicas: int) -> Cycle:
    """The cycle of a Kustomization in a repository of its own, built as
    kustomize-controller does."""
    repo = TinyRepo(root / "repo")
    repo.write(ROOT, (DATA / "kustomizations" / "gotk-sync.yaml").read_text())
    repo.write(FILE, (DATA / "kustomizations" / case.manifest).read_text())
    meta, spec = (repo.manifest(FILE, "Kustomization")[k] for k in ("metadata", "spec"))
    if case.in_repo:
        shutil.copytree(DATA / case.folder, repo.root / spec["path"])
    target = f"names: [{meta['name']}]\naction: scale"
    repo.write("policies/dev.yaml", policy(kind="Kustomization", replicas=replicas, target=target))
    folder = (repo.root / spec["path"]) if case.in_repo else DATA / case.folder

    def render(kustomization: Mapping[str, Any], work: Path) -> str:
        return kustomization_build(engines, kustomization, folder=folder, work=work)

    return run_cycle(repo, FILE, "Kustomization", render=render, work=root)


@pytest.fixture(scope="module")
def cycle(
    engines: Engines, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, int], Cycle]:
    """The cycle of a case at a sleep replica count, run once per module and worker."""
    done: dict[tuple[str, int], Cycle] = {}

    def get(case: str, replicas: int) -> Cycle:
        if (case, replicas) not in done:
            root = tmp_path_factory.mktemp(f"{case}-{replicas}")
            done[case, replicas] = kustomization_cycle(engines, root, CASES[case], replicas)
        return done[case, replicas]

    return get


@pytest.mark.parametrize("replicas", [0, 1])
@pytest.mark.parametrize("case", list(CASES))
def test_scale_turns_off_everything_the_kustomization_applies(
    cycle: Callable[[str, int], Cycle], case: str, replicas: int
) -> None:
    """Asleep, the build differs from the awake one exactly by the sleep patches."""
    run = cycle(case, replicas)
    assert_asleep(run, changed=CASES[case].changed, replicas=replicas)
    assert [c.action for c in run.night.changes] == [Action.SLEEP]


@pytest.mark.parametrize("replicas", [0, 1])
@pytest.mark.parametrize("case", list(CASES))
def test_wake_restores_the_file_and_the_build_byte_for_byte(
    cycle: Callable[[str, int], Cycle], case: str, replicas: int
) -> None:
    """By day the Kustomization file and what kustomize-controller builds are as before."""
    run = cycle(case, replicas)
    assert run.asleep_file != run.original
    assert [c.action for c in run.day.changes] == [Action.WAKE]
    assert run.woken_file == run.original
    assert run.woken == run.awake


def test_user_patches_keep_working_and_the_sleep_patch_comes_last(
    cycle: Callable[[str, int], Cycle],
) -> None:
    """The user's label patch stays applied; its replicas pin is overridden while asleep."""
    run = cycle("user-patches", 0)
    awake, asleep = run.objects("awake"), run.objects("asleep")
    assert awake["StatefulSet", "db"]["spec"]["replicas"] == 2
    assert asleep["StatefulSet", "db"]["spec"]["replicas"] == 0
    for key in (("Deployment", "web"), ("Deployment", "consumer"), ("StatefulSet", "db")):
        assert asleep[key]["metadata"]["labels"] == {"team": "payments"}, key


def test_hpa_and_service_are_untouched_while_their_deployment_sleeps(
    cycle: Callable[[str, int], Cycle],
) -> None:
    """The Deployment the HPA scales (no replicas in Git) gets 0; HPA and Service stay."""
    run = cycle("git-folder", 0)
    awake, asleep = run.objects("awake"), run.objects("asleep")
    assert "replicas" not in awake["Deployment", "web"]["spec"]
    assert asleep["Deployment", "web"]["spec"]["replicas"] == 0
    for key in (("HorizontalPodAutoscaler", "web"), ("Service", "web")):
        assert asleep[key] == awake[key], key


def test_patches_reach_an_artifact_offhours_cannot_read(
    cycle: Callable[[str, int], Cycle],
) -> None:
    """An OCI artifact's objects sleep too, keeping its namespace, labels and annotations."""
    run = cycle("oci-artifact", 0)
    asleep = run.objects("asleep")
    assert {o["metadata"]["namespace"] for o in asleep.values()} == {"billing"}
    scaled = asleep["ScaledObject", "billing"]["metadata"]
    assert scaled["annotations"] == {
        "autoscaling.keda.sh/paused-replicas": "0",
        "scaledobject.keda.sh/transfer-hpa-ownership": "true",
    }
    assert scaled["labels"] == {"app.kubernetes.io/part-of": "billing"}
    assert asleep["Deployment", "billing"]["spec"]["replicas"] == 0
