"""Flux awareness: revisions, applied detection, ownership and delivery warnings (pure core)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from scheduler.core import flux
from scheduler.core.flux import inventory, paths, selectors, sources
from scheduler.core.observations import (
    Condition,
    ConditionStatus,
    FluxObject,
    FluxSnapshot,
    GitReference,
    IgnoreRule,
    InventoryEntry,
    LiveWorkload,
    PatchRule,
    Selector,
    ValuesReference,
)
from scheduler.core.workloads import WorkloadRef

SHA = "1eabc9a41ca088515cab83f1cce49eb43e84b67f"
OTHER_SHA = "450796ddb2ab6724ee1cc32a4be56da032d1cca0"
WEB = WorkloadRef("Deployment", "dev", "web")
FLUX_SYSTEM = WorkloadRef("GitRepository", "flux-system", "flux-system")
APPS = WorkloadRef("Kustomization", "flux-system", "apps")
PUSH = flux.PushTarget(git_repository=FLUX_SYSTEM, branch="main")


def ready(status: ConditionStatus = ConditionStatus.TRUE, **kw: str) -> Condition:
    return Condition("Ready", status, kw.get("reason", ""), kw.get("message", ""))


def kustomization(**changes: object) -> FluxObject:
    base = FluxObject(
        ref=APPS,
        api_version="kustomize.toolkit.fluxcd.io/v1",
        generation=3,
        observed_generation=3,
        conditions=(ready(message=f"Applied revision: main@sha1:{SHA}"),),
        source=FLUX_SYSTEM,
        path="./apps",
        last_applied_revision=f"main@sha1:{SHA}",
        last_attempted_revision=f"main@sha1:{SHA}",
        inventory=(InventoryEntry("dev", "web", "apps", "Deployment", "v1"),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def git_repository(**changes: object) -> FluxObject:
    base = FluxObject(
        ref=FLUX_SYSTEM,
        api_version="source.toolkit.fluxcd.io/v1",
        generation=1,
        observed_generation=1,
        conditions=(ready(),),
        url="ssh://git@github.com/acme/fleet.git",
        git_ref=GitReference(branch="main"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def context(
    *objects: FluxObject, push: flux.PushTarget = PUSH, **kw: object
) -> flux.DeliveryContext:
    snapshot = FluxSnapshot(
        kustomizations=tuple(o for o in objects if o.ref.kind == "Kustomization"),
        helm_releases=tuple(o for o in objects if o.ref.kind == "HelmRelease"),
        sources=tuple(o for o in objects if o.ref.kind not in ("Kustomization", "HelmRelease")),
        unavailable=kw.get("unavailable", ()),  # type: ignore[arg-type]
    )
    return flux.DeliveryContext(snapshot, push, kw.get("autoscalers", ()))  # type: ignore[arg-type]


def codes(warnings: tuple[flux.DeliveryWarning, ...]) -> list[tuple[str, str]]:
    return [(w.code.value, w.severity.value) for w in warnings]


# --- revisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pointer", "algorithm", "checksum"),
    [
        pytest.param(f"main@sha1:{SHA}", "main", "sha1", SHA, id="branch"),
        pytest.param(f"sha1:{SHA}", "", "sha1", SHA, id="commit-only"),
        pytest.param(
            f"refs/heads/feature/x@sha1:{SHA}", "refs/heads/feature/x", "sha1", SHA, id="slashes"
        ),
        pytest.param(f"team@acme/main@sha1:{SHA}", "team@acme/main", "sha1", SHA, id="at-in-name"),
        pytest.param("v1.2.3@sha256:" + "ab" * 32, "v1.2.3", "sha256", "ab" * 32, id="oci-tag"),
        pytest.param("latest@sha256:3b6cdcc7", "latest", "sha256", "3b6cdcc7", id="oci-short"),
        pytest.param("sha256:" + "cd" * 32, "", "sha256", "cd" * 32, id="bucket"),
        pytest.param("1.2.3", "1.2.3", "", "", id="chart-version"),
        pytest.param("6.5.0+3b6cdcc7f2a1", "6.5.0+3b6cdcc7f2a1", "", "", id="chart-from-oci"),
        pytest.param(f"main/{SHA}", "main", "sha1", SHA, id="legacy-branch"),
        pytest.param(SHA, "", "sha1", SHA, id="legacy-bare"),
        pytest.param("name@notadigest", "name@notadigest", "", "", id="at-without-digest"),
        pytest.param("", "", "", "", id="empty"),
    ],
)
def test_parse_revision(text: str, pointer: str, algorithm: str, checksum: str) -> None:
    """The digest follows the last @; the pointer keeps any / and @ on its left."""
    assert flux.parse_revision(text) == flux.Revision(pointer, algorithm, checksum)


def test_revision_round_trips_and_shortens() -> None:
    """A parsed revision prints as written and shortens to 7 checksum characters."""
    revision = flux.parse_revision(f"main@sha1:{SHA}")
    assert str(revision) == f"main@sha1:{SHA}"
    assert revision.short() == "main@sha1:1eabc9a"


@pytest.mark.parametrize(
    ("text", "commit", "expected"),
    [
        pytest.param(f"main@sha1:{SHA}", SHA, True, id="exact"),
        pytest.param(f"main@sha1:{SHA.upper()}", SHA, True, id="case"),
        pytest.param("main@sha1:1eabc9a", SHA, True, id="truncated"),
        pytest.param("main@sha1:1eabc9", SHA, False, id="too-short"),
        pytest.param(f"main@sha1:{OTHER_SHA}", SHA, False, id="other"),
        pytest.param("latest@sha256:" + "ab" * 32, SHA, False, id="oci"),
        pytest.param("1.2.3", SHA, False, id="no-digest"),
    ],
)
def test_revision_names_commit(text: str, commit: str, expected: bool) -> None:
    """Only a sha1/sha256 digest equal to the commit (>= 7 chars) names it."""
    assert flux.parse_revision(text).names_commit(commit) is expected


# --- applied detection -----------------------------------------------------------------------


def test_applied_when_revision_ready_and_generation_match() -> None:
    """Checksum equal, Ready=True and observedGeneration == generation: applied."""
    check = flux.check_applied(kustomization(), SHA)
    assert check.status is flux.ApplyStatus.APPLIED
    assert check.final


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"last_applied_revision": f"main@sha1:{OTHER_SHA}"}, id="older-revision"),
        pytest.param({"observed_generation": 2}, id="generation-behind"),
        pytest.param({"conditions": (ready(ConditionStatus.UNKNOWN),)}, id="ready-unknown"),
        pytest.param({"conditions": ()}, id="no-conditions"),
    ],
)
def test_not_applied_until_every_signal_agrees(changes: dict[str, object]) -> None:
    """Any missing signal (revision, generation, Ready) keeps the object progressing."""
    check = flux.check_applied(kustomization(**changes), SHA)
    assert check.status is flux.ApplyStatus.PROGRESSING
    assert SHA[:7] in check.message


def test_applied_through_a_descendant_commit() -> None:
    """A later applied commit counts when the caller says it contains ours."""
    obj = kustomization(last_applied_revision=f"main@sha1:{OTHER_SHA}")
    check = flux.check_applied(obj, SHA, includes=lambda sha: sha == OTHER_SHA)
    assert check.status is flux.ApplyStatus.APPLIED


def test_failed_attempt_reports_the_condition_message() -> None:
    """Ready=False after attempting our commit is a failure carrying Flux's message."""
    obj = kustomization(
        last_applied_revision=f"main@sha1:{OTHER_SHA}",
        conditions=(ready(ConditionStatus.FALSE, message="kustomize build failed: boom"),),
    )
    check = flux.check_applied(obj, SHA)
    assert check.status is flux.ApplyStatus.FAILED
    assert "kustomize build failed: boom" in check.message


def test_failure_while_retrying_is_still_reported() -> None:
    """Reconciling=ProgressingWithRetry does not hide a failed attempt."""
    retry = Condition("Reconciling", ConditionStatus.TRUE, "ProgressingWithRetry")
    obj = kustomization(
        last_applied_revision=f"main@sha1:{OTHER_SHA}",
        conditions=(ready(ConditionStatus.FALSE, message="health check failed"), retry),
    )
    assert flux.check_applied(obj, SHA).status is flux.ApplyStatus.FAILED


def test_suspended_is_reported_instead_of_waited_for() -> None:
    """A suspended Kustomization is final, with the command that resumes it."""
    check = flux.check_applied(kustomization(suspended=True), SHA)
    assert check.status is flux.ApplyStatus.SUSPENDED
    assert "flux resume kustomization apps -n flux-system" in check.message


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        pytest.param({}, flux.ApplyStatus.APPLIED, id="caught-up"),
        pytest.param({"observed_generation": 2}, flux.ApplyStatus.PROGRESSING, id="behind"),
        pytest.param(
            {"conditions": (ready(ConditionStatus.FALSE, message="upgrade failed"),)},
            flux.ApplyStatus.FAILED,
            id="failed",
        ),
        pytest.param({"suspended": True}, flux.ApplyStatus.SUSPENDED, id="suspended"),
    ],
)
def test_helm_release_reconciled(changes: dict[str, object], status: flux.ApplyStatus) -> None:
    """A HelmRelease has caught up when its generation is observed and Ready=True."""
    release = replace(kustomization(), ref=WorkloadRef("HelmRelease", "dev", "web"), **changes)  # type: ignore[arg-type]
    assert flux.check_reconciled(release).status is status


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(datetime(2026, 8, 3, 22, 0, tzinfo=UTC), "2026-08-03T22:00:00Z", id="whole"),
        pytest.param(
            datetime(2026, 8, 3, 22, 0, 0, 120000, tzinfo=UTC), "2026-08-03T22:00:00.12Z", id="frac"
        ),
        pytest.param(
            datetime(2026, 8, 4, 0, 30, tzinfo=timezone(timedelta(hours=2))),
            "2026-08-03T22:30:00Z",
            id="offset",
        ),
    ],
)
def test_requested_at_is_rfc3339nano_utc(now: datetime, expected: str) -> None:
    """The reconcile annotation value is RFC3339Nano in UTC, zeros trimmed."""
    assert flux.requested_at(now) == expected
    assert flux.reconcile_patch(now) == {
        "metadata": {"annotations": {flux.REQUESTED_AT_ANNOTATION: expected}}
    }


def test_requested_at_refuses_naive_datetimes() -> None:
    """A naive datetime is a programming error, named in the message."""
    with pytest.raises(ValueError, match="aware datetime"):
        flux.requested_at(datetime(2026, 8, 3, 22, 0))


# --- ownership -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry_id", "expected"),
    [
        pytest.param("dev_web_apps_Deployment", InventoryEntry("dev", "web", "apps", "Deployment")),
        pytest.param("_dev__Namespace", InventoryEntry("", "dev", "", "Namespace")),
        pytest.param(
            "flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization",
            InventoryEntry("flux-system", "apps", "kustomize.toolkit.fluxcd.io", "Kustomization"),
        ),
    ],
)
def test_parse_inventory_id(entry_id: str, expected: InventoryEntry) -> None:
    """Inventory ids split into namespace, name, group and kind."""
    assert flux.parse_inventory_id(entry_id) == expected


def test_parse_inventory_id_rejects_other_shapes() -> None:
    """A malformed id names itself and the expected shape."""
    with pytest.raises(ValueError, match=r"'web_Deployment'.*<namespace>_<name>_<group>_<kind>"):
        flux.parse_inventory_id("web_Deployment")


def test_owner_found_in_inventory() -> None:
    """The Kustomization listing the target in its inventory owns it; others do not."""
    other = kustomization(ref=WorkloadRef("Kustomization", "flux-system", "infra"), inventory=())
    assert flux.owners(WEB, [other, kustomization()]) == (kustomization(),)


def test_owner_requires_matching_group() -> None:
    """A same-named object of another group is not the target."""
    obj = kustomization(inventory=(InventoryEntry("dev", "web", "extensions", "Deployment"),))
    assert flux.owners(WEB, [obj]) == ()


def test_owner_falls_back_to_kustomize_labels() -> None:
    """Before it shows up in an inventory, kustomize-controller's labels name the owner."""
    obj = kustomization(inventory=())
    labels = {
        inventory.KUSTOMIZE_NAME_LABEL: "apps",
        inventory.KUSTOMIZE_NAMESPACE_LABEL: "flux-system",
    }
    assert flux.owners(WEB, [obj], labels=labels) == (obj,)


# --- selectors and paths ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        pytest.param("app=web", {"app": "web"}, True, id="eq"),
        pytest.param("app==web,tier!=db", {"app": "web", "tier": "fe"}, True, id="eq-neq"),
        pytest.param("tier in (fe, be)", {"tier": "be"}, True, id="in"),
        pytest.param("tier notin (fe,be)", {"tier": "be"}, False, id="notin"),
        pytest.param("app", {"app": "x"}, True, id="exists"),
        pytest.param("!app", {"app": "x"}, False, id="not-exists"),
        pytest.param("app=web", {}, False, id="missing"),
    ],
)
def test_label_selector(selector: str, labels: dict[str, str], expected: bool) -> None:
    """Label selectors follow Kubernetes equality- and set-based semantics."""
    assert selectors.label_selector_matches(selector, labels) is expected


def test_selector_without_labels_is_maybe() -> None:
    """A label selector cannot be decided without the object's labels."""
    selector = Selector(kind="Deployment", label_selector="app=web")
    assert selectors.selector_matches(selector, WEB) is selectors.Match.MAYBE
    assert selectors.selector_matches(selector, WEB, labels={"app": "db"}) is selectors.Match.NO


def test_selector_names_are_anchored_regexes() -> None:
    """Names match as whole-value regular expressions."""
    assert selectors.selector_matches(Selector(name="we.*"), WEB) is selectors.Match.YES
    assert selectors.selector_matches(Selector(name="we"), WEB) is selectors.Match.NO


@pytest.mark.parametrize(
    ("field", "pointer"),
    [
        ("spec.replicas", "/spec/replicas"),
        ("spec.values.controllers.main.replicas", "/spec/values/controllers/main/replicas"),
        (
            "metadata.annotations.autoscaling.keda.sh/paused-replicas",
            "/metadata/annotations/autoscaling.keda.sh~1paused-replicas",
        ),
    ],
)
def test_field_pointer(field: str, pointer: str) -> None:
    """Change fields become JSON pointers; annotation keys stay one escaped segment."""
    assert paths.field_pointer(field) == pointer


def test_helm_path_handles_escapes_and_indexes() -> None:
    """Helm --set paths split on unescaped dots and [n] indexes."""
    assert paths.helm_path(r"a.b\.c.d[0].e") == ("a", "b.c", "d", "0", "e")


def test_url_normalisation_ignores_scheme_user_and_suffix() -> None:
    """ssh, scp-like and https URLs of one repository compare equal."""
    forms = [
        "ssh://git@github.com/acme/fleet.git",
        "git@github.com:acme/fleet.git",
        "https://GitHub.com/acme/fleet/",
    ]
    assert {sources.normalise_url(url) for url in forms} == {"github.com/acme/fleet"}


# --- delivery warnings -----------------------------------------------------------------------


def test_no_warnings_for_a_clean_setup() -> None:
    """An owned target, Ready owner, our GitRepository on our branch: nothing to say."""
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(kustomization(), git_repository())
    )
    assert warnings == ()


def test_flux_not_installed() -> None:
    """Without the Kustomization API the one warning says Flux is missing."""
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(unavailable=("Kustomization",))
    )
    assert codes(warnings) == [("flux-not-served", "warning")]


def test_not_managed() -> None:
    """A target in no inventory is flagged as possibly not applied by Flux."""
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(kustomization(inventory=()), git_repository())
    )
    assert codes(warnings) == [("not-managed", "warning")]


def test_rendered_by_helm_release() -> None:
    """An object rendered by a HelmRelease must be changed through its values."""
    labels = {inventory.HELM_NAME_LABEL: "web", inventory.HELM_NAMESPACE_LABEL: "dev"}
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(git_repository()), labels=labels
    )
    assert codes(warnings) == [("rendered-by-helm", "error")]
    assert "HelmRelease dev/web" in warnings[0].message


def test_owner_suspended() -> None:
    """A suspended owner means the change is not applied, with the resume command."""
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(kustomization(suspended=True), git_repository())
    )
    assert codes(warnings) == [("owner-suspended", "error")]
    assert "Kustomization flux-system/apps" in warnings[0].message
    assert "flux resume kustomization apps -n flux-system" in warnings[0].message


def test_owner_not_ready() -> None:
    """A failing owner is a warning carrying its Ready message."""
    owner = kustomization(conditions=(ready(ConditionStatus.FALSE, message="build failed"),))
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(owner, git_repository())
    )
    assert codes(warnings) == [("owner-not-ready", "warning")]
    assert "build failed" in warnings[0].message


@pytest.mark.parametrize(
    ("kind", "severity"),
    [("OCIRepository", "error"), ("Bucket", "error"), ("ExternalArtifact", "warning")],
)
def test_source_not_git(kind: str, severity: str) -> None:
    """A Kustomization reading an artifact source does not see Git commits directly."""
    owner = kustomization(source=WorkloadRef(kind, "flux-system", "apps"))
    warnings = flux.delivery_warnings(WEB, field="spec.replicas", context=context(owner))
    assert codes(warnings) == [("source-not-git", severity)]
    assert f"{kind} flux-system/apps" in warnings[0].message


def test_other_git_repository() -> None:
    """A Kustomization reading another repository never sees our commit."""
    tenant = WorkloadRef("GitRepository", "team-a", "tenant")
    other = git_repository(ref=tenant, url="https://github.com/acme/team-a")
    warnings = flux.delivery_warnings(
        WEB,
        field="spec.replicas",
        context=context(kustomization(source=tenant), other, git_repository()),
    )
    assert codes(warnings) == [("other-git-repository", "error")]
    assert "GitRepository team-a/tenant" in warnings[0].message


def test_other_git_repository_object_for_the_same_repo_is_fine() -> None:
    """A second GitRepository fetching the same URL and branch is as good as ours."""
    twin_ref = WorkloadRef("GitRepository", "team-a", "fleet")
    twin = git_repository(ref=twin_ref, url="git@github.com:acme/fleet.git")
    warnings = flux.delivery_warnings(
        WEB,
        field="spec.replicas",
        context=context(kustomization(source=twin_ref), twin, git_repository()),
    )
    assert warnings == ()


def test_other_repository_by_url() -> None:
    """Without a configured GitRepository, the repository URL decides."""
    push = flux.PushTarget(url="https://github.com/acme/other.git")
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(kustomization(), git_repository(), push=push)
    )
    assert codes(warnings) == [("other-git-repository", "error")]


def test_source_suspended() -> None:
    """A suspended GitRepository fetches no new commits."""
    warnings = flux.delivery_warnings(
        WEB,
        field="spec.replicas",
        context=context(kustomization(), git_repository(suspended=True)),
    )
    assert codes(warnings) == [("source-suspended", "error")]


def test_source_pinned_to_a_tag() -> None:
    """A GitRepository following a tag never picks up a branch commit."""
    repo = git_repository(git_ref=GitReference(tag="v1.2.0"))
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(kustomization(), repo)
    )
    assert codes(warnings) == [("source-pinned", "error")]
    assert "tag v1.2.0" in warnings[0].message


def test_branch_mismatch() -> None:
    """Committing to another branch reaches the cluster only once merged."""
    push = flux.PushTarget(git_repository=FLUX_SYSTEM, branch="offhours/sleep")
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(kustomization(), git_repository(), push=push)
    )
    assert codes(warnings) == [("branch-mismatch", "warning")]
    assert "merged into main" in warnings[0].message


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(
            IgnoreRule(("/spec/replicas",), Selector(kind="Deployment")),
            [("field-ignored", "error")],
            id="kind",
        ),
        pytest.param(IgnoreRule(("/spec",), None), [("field-ignored", "error")], id="ancestor"),
        pytest.param(
            IgnoreRule(("/spec/replicas",), Selector(kind="Deployment", label_selector="app=web")),
            [("field-ignored", "warning")],
            id="label-unknown",
        ),
        pytest.param(
            IgnoreRule(("/spec/replicas",), Selector(kind="StatefulSet")), [], id="other-kind"
        ),
        pytest.param(IgnoreRule(("/spec/template",), None), [], id="other-path"),
    ],
)
def test_field_ignored(rule: IgnoreRule, expected: list[tuple[str, str]]) -> None:
    """spec.ignore covering /spec/replicas for the target means Git is not applied."""
    owner = kustomization(ignore=(rule,))
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(owner, git_repository())
    )
    assert codes(warnings) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(
            PatchRule(
                "- op: replace\n  path: /spec/replicas\n  value: 2\n", Selector(kind="Deployment")
            ),
            [("field-patched", "error")],
            id="json6902",
        ),
        pytest.param(
            PatchRule("kind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n"),
            [("field-patched", "error")],
            id="smp-self-targeted",
        ),
        pytest.param(
            PatchRule("kind: Deployment\nmetadata: {name: api}\nspec: {replicas: 3}\n"),
            [],
            id="smp-other-name",
        ),
        pytest.param(
            PatchRule("- op: add\n  path: /metadata/labels/x\n  value: y\n", None),
            [],
            id="other-field",
        ),
        pytest.param(
            PatchRule("{not yaml", Selector(kind="Deployment")),
            [("field-patched", "warning")],
            id="unreadable",
        ),
    ],
)
def test_field_patched(rule: PatchRule, expected: list[tuple[str, str]]) -> None:
    """spec.patches that set the edited field override the base file."""
    owner = kustomization(patches=(rule,))
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context(owner, git_repository())
    )
    assert codes(warnings) == expected


def test_self_managed_kustomization_suspend() -> None:
    """Suspending a Kustomization that applies itself leaves no way back through Git."""
    entry = InventoryEntry("flux-system", "apps", "kustomize.toolkit.fluxcd.io", "Kustomization")
    owner = kustomization(inventory=(entry,))
    warnings = flux.delivery_warnings(
        APPS, field="spec.suspend", context=context(owner, git_repository())
    )
    assert codes(warnings) == [("self-managed", "error")]


HR = WorkloadRef("HelmRelease", "dev", "web")


def helm_release(**changes: object) -> FluxObject:
    base = kustomization(
        ref=HR,
        api_version="helm.toolkit.fluxcd.io/v2",
        source=None,
        inventory=(),
        last_applied_revision="",
        last_attempted_revision="6.5.0",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def owner_of_hr() -> FluxObject:
    entry = InventoryEntry("dev", "web", "helm.toolkit.fluxcd.io", "HelmRelease")
    return kustomization(inventory=(entry,))


@pytest.mark.parametrize(
    ("values_from", "expected"),
    [
        pytest.param(
            ValuesReference("ConfigMap", "web-values", target_path="replicaCount"),
            [("values-overridden", "error")],
            id="exact",
        ),
        pytest.param(
            ValuesReference("Secret", "web-values", target_path="controllers.main"),
            [],
            id="other-branch",
        ),
        pytest.param(
            ValuesReference("ConfigMap", "web-values"), [], id="no-target-path-inline-wins"
        ),
    ],
)
def test_values_overridden(values_from: ValuesReference, expected: list[tuple[str, str]]) -> None:
    """A valuesFrom targetPath equal to the edited key overrides inline values."""
    release = helm_release(values_from=(values_from,))
    warnings = flux.delivery_warnings(
        HR,
        field="spec.values.replicaCount",
        context=context(owner_of_hr(), release, git_repository()),
    )
    assert codes(warnings) == expected


def test_values_may_be_overridden_by_an_ancestor_target_path() -> None:
    """A targetPath above the edited key may replace the whole subtree."""
    ref = ValuesReference(
        "ConfigMap", "main", values_key="main.yaml", target_path="controllers.main"
    )
    warnings = flux.delivery_warnings(
        HR,
        field="spec.values.controllers.main.replicas",
        context=context(owner_of_hr(), helm_release(values_from=(ref,)), git_repository()),
    )
    assert codes(warnings) == [("values-overridden", "warning")]
    assert "ConfigMap dev/main key main.yaml" in warnings[0].message


def test_release_suspended() -> None:
    """A suspended HelmRelease makes no new release from a values change."""
    warnings = flux.delivery_warnings(
        HR,
        field="spec.values.replicaCount",
        context=context(owner_of_hr(), helm_release(suspended=True), git_repository()),
    )
    assert codes(warnings) == [("release-suspended", "error")]


def test_release_suspend_edit_is_not_blocked_by_suspension() -> None:
    """Editing spec.suspend itself is how a suspended release is resumed."""
    warnings = flux.delivery_warnings(
        HR,
        field="spec.suspend",
        context=context(owner_of_hr(), helm_release(suspended=True), git_repository()),
    )
    assert warnings == ()


def test_post_renderer_patch_on_replicas() -> None:
    """A post-renderer patch setting replicas may override replicaCount."""
    patch = PatchRule(
        "- op: replace\n  path: /spec/replicas\n  value: 1\n", Selector(kind="Deployment")
    )
    warnings = flux.delivery_warnings(
        HR,
        field="spec.values.replicaCount",
        context=context(owner_of_hr(), helm_release(patches=(patch,)), git_repository()),
    )
    assert codes(warnings) == [("field-patched", "warning")]


def test_drift_ignore_is_informational() -> None:
    """driftDetection.ignore on replicas is noted, not an error."""
    rule = IgnoreRule(("/spec/values",), None)
    warnings = flux.delivery_warnings(
        HR,
        field="spec.values.replicaCount",
        context=context(owner_of_hr(), helm_release(drift_ignore=(rule,)), git_repository()),
    )
    assert codes(warnings) == [("drift-ignored", "info")]


@pytest.mark.parametrize(
    ("kind", "advice"),
    [("HorizontalPodAutoscaler", "stand down"), ("ScaledObject", "paused-replicas")],
)
def test_autoscaled(kind: str, advice: str) -> None:
    """An HPA or KEDA ScaledObject scaling the target is named with advice."""
    scaler = LiveWorkload(ref=WorkloadRef(kind, "dev", "web"), scale_target=WEB)
    warnings = flux.delivery_warnings(
        WEB,
        field="spec.replicas",
        context=context(kustomization(), git_repository(), autoscalers=(scaler,)),
    )
    assert codes(warnings) == [("autoscaled", "warning")]
    assert advice in warnings[0].message


def test_warning_prints_severity_target_and_code() -> None:
    """A warning prints as one line: severity, target, message, code."""
    warning = flux.DeliveryWarning(WEB, flux.WarningCode.NOT_MANAGED, flux.Severity.WARNING, "x")
    assert str(warning) == "warning: Deployment/dev/web: x [not-managed]"


def test_release_not_ready_is_an_error_naming_the_reason() -> None:
    """A HelmRelease target whose upgrade failed (Ready=False) is an error with Flux's reason,
    whatever field is edited, with the command to look further."""
    failed = ready(
        ConditionStatus.FALSE, reason="UpgradeFailed", message="Helm upgrade failed: timed out"
    )
    release = helm_release(conditions=(failed,))
    warnings = flux.delivery_warnings(
        HR, field="spec.postRenderers", context=context(owner_of_hr(), release, git_repository())
    )
    assert codes(warnings) == [("target-not-ready", "error")]
    assert "(UpgradeFailed: Helm upgrade failed: timed out)" in warnings[0].message
    assert "flux get helmreleases web -n dev" in warnings[0].message


@pytest.mark.parametrize(
    "conditions",
    [
        pytest.param((), id="no-condition-yet"),
        pytest.param((ready(ConditionStatus.UNKNOWN, reason="Progressing"),), id="progressing"),
        pytest.param((ready(),), id="ready"),
    ],
)
def test_release_not_failed_is_not_reported(conditions: tuple[Condition, ...]) -> None:
    """Only Ready=False counts: a release still progressing or not yet reconciled is fine."""
    warnings = flux.delivery_warnings(
        HR,
        field="spec.postRenderers",
        context=context(owner_of_hr(), helm_release(conditions=conditions), git_repository()),
    )
    assert warnings == ()


def test_kustomization_target_not_ready_is_reported() -> None:
    """A Kustomization target whose build fails is reported; its parent is not blamed."""
    child_ref = WorkloadRef("Kustomization", "flux-system", "previews")
    entry = InventoryEntry(
        "flux-system", "previews", "kustomize.toolkit.fluxcd.io", "Kustomization"
    )
    child = kustomization(
        ref=child_ref,
        inventory=(),
        conditions=(ready(ConditionStatus.FALSE, reason="BuildFailed", message="bad patch"),),
    )
    warnings = flux.delivery_warnings(
        child_ref,
        field="spec.patches",
        context=context(kustomization(inventory=(entry,)), child, git_repository()),
    )
    assert codes(warnings) == [("target-not-ready", "error")]
    assert "flux get kustomizations previews -n flux-system" in warnings[0].message
