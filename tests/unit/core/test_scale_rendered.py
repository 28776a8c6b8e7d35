"""``scale`` on HelmReleases and Flux Kustomizations, from policy text to plan."""

from __future__ import annotations

import pytest

from scheduler.core import planner, scalecheck, targets
from scheduler.core.manifests import (
    HelmValues,
    RenderedField,
    ScaleRendered,
    ScaleReplicas,
    sleeppatches,
)
from scheduler.core.policy import load_policies
from tests.unit.core.test_planner import (
    DAY,
    NIGHT,
    PREVIEWS_KS,
    apply_plan,
    index,
    policies,
    policy_text,
)

SONARR = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: sonarr
  namespace: media
spec:
  interval: 30m
  chartRef: {kind: OCIRepository, name: app-template}
  values:
    controllers:
      sonarr:
        containers:
          app:
            image: {repository: ghcr.io/home-operations/sonarr}
"""
ROOT = PREVIEWS_KS.replace("name: previews", "name: flux-system").replace(
    "path: ./apps/previews", "path: ./clusters"
)
APPS_KS = PREVIEWS_KS.replace("name: previews", "name: apps").replace(
    "path: ./apps/previews", "path: ./apps"
)
OFFHOURS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: offhours
  namespace: offhours
  labels: {app.kubernetes.io/name: offhours}
spec:
  replicas: 2
"""
FLUX_CONTROLLER = OFFHOURS.replace(
    "name: offhours\n  namespace: offhours", "name: helm-controller\n  namespace: flux-system"
).replace("app.kubernetes.io/name: offhours", "app.kubernetes.io/part-of: flux")


def method_of(targets_yaml: str, manifest: str = SONARR) -> object:
    """The sleep method the first policy's claim gives the first object."""
    pols = policies(policy_text("p", targets=targets_yaml))
    idx = index(apps__media__sonarr_yaml=manifest)
    (obj,) = idx.objects
    (claim,) = targets.resolve(pols, idx).claims_on(obj)
    return targets.sleep_method(obj, claim)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param("    - kinds: [HelmRelease]\n", ScaleRendered(), id="default-is-scale"),
        pytest.param(
            "    - kinds: [HelmRelease]\n      valuesPath: controllers.sonarr.replicas\n",
            HelmValues(("controllers.sonarr.replicas",)),
            id="valuesPath-means-values",
        ),
        pytest.param(
            "    - kinds: [HelmRelease]\n      action: scale\n      sleepReplicas: 1\n"
            "      renderedKinds: [Deployment, CronJob]\n",
            ScaleRendered(1, ("Deployment", "CronJob")),
            id="narrowed",
        ),
        pytest.param(
            "    - kinds: [HelmRelease]\n      renderedFields:\n"
            "        - {kind: AutoscalingRunnerSet, group: actions.github.com,"
            " field: spec.minRunners, sleepValue: 0}\n",
            ScaleRendered(
                0,
                ScaleRendered().kinds,
                (
                    RenderedField(
                        "AutoscalingRunnerSet", ("spec", "minRunners"), 0, "actions.github.com"
                    ),
                ),
            ),
            id="field-rule",
        ),
    ],
)
def test_helmrelease_sleep_methods(entry: str, expected: object) -> None:
    """A HelmRelease sleeps with scale unless the entry asks for values."""
    assert method_of(entry) == expected


def test_scale_on_a_deployment_stays_replicas() -> None:
    """action: scale on a plain Deployment is the replicas edit, not a patch."""
    deployment = OFFHOURS.replace("namespace: offhours", "namespace: media")
    assert method_of("    - kinds: [Deployment]\n      action: scale\n", deployment) == (
        ScaleReplicas(0)
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param(
            "      action: suspend\n      renderedKinds: [Deployment]\n",
            "p.yaml:10:22: spec.targets[0].renderedKinds: only applies to action scale (got action "
            "suspend) (got a list; expected action: scale on a HelmRelease or Kustomization, or no "
            "action)",
            id="wrong-action",
        ),
        pytest.param(
            "      renderedKinds: [Service]\n",
            "p.yaml:9:23: spec.targets[0].renderedKinds[0]: not a kind scale can patch (got "
            '"Service"; expected one of Deployment, StatefulSet, ReplicaSet, CronJob, '
            "ScaledObject; for other kinds use renderedFields such as {kind: "
            "AutoscalingRunnerSet, field: spec.minRunners, sleepValue: 0})",
            id="unknown-kind",
        ),
        pytest.param(
            "      renderedKinds: [deployment]\n",
            "p.yaml:9:23: spec.targets[0].renderedKinds[0]: not a kind scale can patch (got "
            '"deployment"; expected Deployment (kinds are case-sensitive))',
            id="kind-case",
        ),
        pytest.param(
            "      renderedFields: [{kind: Foo, field: status.x, sleepValue: 0}]\n",
            "p.yaml:9:43: spec.targets[0].renderedFields[0].field: must be a path of mapping keys "
            'under spec (or metadata.annotations) (got "status.x"; expected spec.minRunners)',
            id="field-root",
        ),
        pytest.param(
            "      renderedFields: [{kind: Foo, field: spec.x}]\n",
            "p.yaml:9:24: spec.targets[0].renderedFields[0].sleepValue: is required (got "
            "nothing; expected {kind: AutoscalingRunnerSet, field: spec.minRunners, "
            "sleepValue: 0})",
            id="field-needs-value",
        ),
        pytest.param(
            "      valuesPath: replicaCount\n      renderedKinds: [Deployment]\n",
            "p.yaml:10:22: spec.targets[0].renderedKinds: cannot be combined with valuesPath "
            "(valuesPath means action values) (got a list; expected either valuesPath (action "
            "values) or renderedKinds/renderedFields)",
            id="with-valuesPath",
        ),
    ],
)
def test_rendered_keys_errors(entry: str, message: str) -> None:
    """Mistakes in renderedKinds/renderedFields are located and say what was expected."""
    text = policy_text("p", targets="    - kinds: [HelmRelease]\n" + entry)
    load = load_policies([("p.yaml", text)], now=NIGHT)
    assert [str(d) for d in load.errors] == [message]


def test_helmrelease_sleeps_and_wakes_through_the_planner() -> None:
    """At night the release gets offhours' post-renderer; in the morning the file is back."""
    pols = policies(
        policy_text("media", targets="    - namespaces: [media]\n      kinds: [HelmRelease]\n")
    )
    idx = index(apps__media__sonarr_yaml=SONARR)
    night = planner.plan(pols, idx, at=NIGHT)
    (change,) = night.changes
    assert (change.field, change.before) == ("spec.postRenderers", None)
    assert sleeppatches.parse_summary(str(change.after)) == sleeppatches.Sleeping(
        0, ScaleRendered().kinds
    )
    asleep = apply_plan(idx, night)
    assert planner.plan(pols, asleep, at=NIGHT).is_empty
    morning = planner.plan(pols, asleep, at=DAY)
    assert apply_plan(asleep, morning).texts == idx.texts


def test_values_action_warns_when_the_key_is_not_set() -> None:
    """action: values on a key the release does not set warns, naming scale."""
    text = policy_text("media", targets="    - kinds: [HelmRelease]\n      action: values\n")
    plan = planner.plan(policies(text), index(apps__media__sonarr_yaml=SONARR), at=DAY)
    (warning,) = [str(d) for d in plan.diagnostics]
    assert "action values would insert spec.values.replicaCount" in warning
    assert "action scale (the default for HelmReleases)" in warning
    ok = policy_text(
        "media",
        targets="    - kinds: [HelmRelease]\n      valuesPath: controllers.sonarr.containers\n",
    )
    assert not planner.plan(
        policies(ok), index(apps__media__sonarr_yaml=SONARR), at=DAY
    ).diagnostics


def _machinery_index(**extra: str) -> object:
    return index(
        clusters__flux_system__sync_yaml=ROOT,
        clusters__apps_yaml=APPS_KS,
        apps__media__sonarr_yaml=SONARR,
        **extra,
    )


@pytest.mark.parametrize(
    ("extra", "name", "reason"),
    [
        pytest.param({}, "flux-system", "applies its own manifest", id="self-managing"),
        pytest.param(
            {"apps__offhours__deploy_yaml": OFFHOURS}, "apps", "offhours itself", id="offhours"
        ),
        pytest.param(
            {"apps__flux__controllers_yaml": FLUX_CONTROLLER},
            "apps",
            "the Flux controllers",
            id="flux-controllers",
        ),
    ],
)
def test_scale_refuses_kustomizations_that_apply_the_machinery(
    extra: dict[str, str], name: str, reason: str
) -> None:
    """scale never patches offhours, the Flux controllers or a self-managing Kustomization."""
    text = policy_text(
        "p", targets=f"    - kinds: [Kustomization]\n      names: [{name}]\n      action: scale\n"
    )
    plan = planner.plan(policies(text), _machinery_index(**extra), at=NIGHT)
    assert plan.is_empty
    assert any(reason in r for r in plan.refused), plan.refused


def test_kustomization_scale_says_what_it_does_not_reach() -> None:
    """The HelmReleases a scaled Kustomization applies are named: helm-controller renders them."""
    text = policy_text(
        "p", targets="    - kinds: [Kustomization]\n      names: [apps]\n      action: scale\n"
    )
    idx = _machinery_index()
    plan = planner.plan(policies(text), idx, at=NIGHT)
    (change,) = plan.changes
    assert change.field == "spec.patches"
    notes = [str(d) for d in plan.diagnostics]
    assert any("1 HelmRelease(s) (media/sonarr; helm-controller renders them" in n for n in notes)
    assert scalecheck.kustomization_scale_refusal(idx, idx.objects[1]) is None  # type: ignore[attr-defined]
