"""Small JSON schemas for the custom resources the Kubernetes schemas do not know.

Owns: the accepted apiVersion of each CRD kind the fleet may use (Flux GA APIs only, Prometheus
Operator v1, KEDA v1alpha1) and the fields each must have. The schemas check what breaks a
reconcile or a scrape (a missing ``prune``, both ``chart`` and ``chartRef``, a URL of the wrong
scheme), not every optional field. It must not accept deprecated Flux APIs: new manifests are
written for Flux 2.7+, where ``helm.toolkit.fluxcd.io/v2beta*`` and ``source…/v1beta2`` are gone.
"""

from __future__ import annotations

from typing import Any

import jsonschema

DURATION = {"type": "string", "pattern": r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"}
NAME = {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 253}
METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": NAME, "namespace": NAME},
}
SELECTOR = {
    "type": "object",
    "minProperties": 1,
    "properties": {"matchLabels": {"type": "object", "minProperties": 1}},
}
NAMESPACE_SELECTOR = {
    "type": "object",
    "properties": {"matchNames": {"type": "array", "items": NAME, "minItems": 1}},
}


def _object(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {"metadata": METADATA, "spec": spec},
    }


def _ref(kinds: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["kind", "name"],
        "additionalProperties": False,
        "properties": {
            "kind": {"enum": kinds},
            "name": NAME,
            "namespace": NAME,
            "apiVersion": {"type": "string"},
        },
    }


KUSTOMIZATION = _object(
    {
        "type": "object",
        "required": ["interval", "sourceRef", "path", "prune"],
        "properties": {
            "interval": DURATION,
            "retryInterval": DURATION,
            "timeout": DURATION,
            "sourceRef": _ref(["GitRepository", "OCIRepository", "Bucket", "ExternalArtifact"]),
            "path": {"type": "string", "pattern": r"^\./"},
            "prune": {"type": "boolean"},
            "wait": {"type": "boolean"},
            "suspend": {"type": "boolean"},
            "dependsOn": {
                "type": "array",
                "items": {"type": "object", "required": ["name"], "properties": {"name": NAME}},
            },
        },
    }
)

HELM_RELEASE = _object(
    {
        "type": "object",
        "required": ["interval"],
        "oneOf": [{"required": ["chart"]}, {"required": ["chartRef"]}],
        "properties": {
            "interval": DURATION,
            "timeout": DURATION,
            "suspend": {"type": "boolean"},
            "maxHistory": {"type": "integer", "minimum": 0},
            "chart": {
                "type": "object",
                "required": ["spec"],
                "properties": {
                    "spec": {
                        "type": "object",
                        "required": ["chart", "sourceRef"],
                        "properties": {
                            "chart": {"type": "string", "minLength": 1},
                            "version": {"type": "string", "minLength": 1},
                            "interval": DURATION,
                            "sourceRef": _ref(["HelmRepository", "GitRepository", "Bucket"]),
                        },
                    }
                },
            },
            "chartRef": _ref(["OCIRepository", "HelmChart", "ExternalArtifact"]),
            "values": {"type": "object"},
            "valuesFrom": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "name"],
                    "properties": {"kind": {"enum": ["ConfigMap", "Secret"]}, "name": NAME},
                },
            },
            "install": {"type": "object"},
            "upgrade": {"type": "object"},
        },
    }
)

GIT_REPOSITORY = _object(
    {
        "type": "object",
        "required": ["url", "interval"],
        "properties": {
            "url": {"type": "string", "pattern": r"^(http|https|ssh)://"},
            "interval": DURATION,
            "ref": {
                "type": "object",
                "minProperties": 1,
                "properties": {
                    k: {"type": "string"} for k in ("branch", "tag", "semver", "commit")
                },
            },
            "secretRef": {"type": "object", "required": ["name"]},
            "ignore": {"type": "string"},
        },
    }
)

OCI_REPOSITORY = _object(
    {
        "type": "object",
        "required": ["url", "interval", "ref"],
        "properties": {
            "url": {"type": "string", "pattern": r"^oci://"},
            "interval": DURATION,
            "ref": {
                "type": "object",
                "minProperties": 1,
                "properties": {k: {"type": "string"} for k in ("tag", "semver", "digest")},
            },
            "layerSelector": {
                "type": "object",
                "required": ["mediaType"],
                "properties": {"operation": {"enum": ["extract", "copy"]}},
            },
        },
    }
)

HELM_REPOSITORY = _object(
    {
        "type": "object",
        "required": ["url", "interval"],
        "properties": {
            "url": {"type": "string", "pattern": r"^(https?|oci)://"},
            "interval": DURATION,
            "type": {"enum": ["default", "oci"]},
        },
    }
)

SERVICE_MONITOR = _object(
    {
        "type": "object",
        "required": ["selector", "endpoints"],
        "properties": {
            "selector": SELECTOR,
            "namespaceSelector": NAMESPACE_SELECTOR,
            "endpoints": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["port"],
                    "properties": {"port": {"type": "string"}, "interval": DURATION},
                },
            },
        },
    }
)

POD_MONITOR = _object(
    {
        "type": "object",
        "required": ["selector", "podMetricsEndpoints"],
        "properties": {
            "selector": SELECTOR,
            "namespaceSelector": NAMESPACE_SELECTOR,
            "podMetricsEndpoints": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["port"],
                    "properties": {"port": {"type": "string"}, "interval": DURATION},
                },
            },
        },
    }
)

RULE = {
    "type": "object",
    "required": ["expr"],
    "oneOf": [{"required": ["alert"]}, {"required": ["record"]}],
    "properties": {"expr": {"type": "string", "minLength": 1}, "for": DURATION},
}
PROMETHEUS_RULE = _object(
    {
        "type": "object",
        "required": ["groups"],
        "properties": {
            "groups": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["name", "rules"],
                    "properties": {"rules": {"type": "array", "minItems": 1, "items": RULE}},
                },
            }
        },
    }
)

SCALED_OBJECT = _object(
    {
        "type": "object",
        "required": ["scaleTargetRef", "triggers"],
        "properties": {
            "scaleTargetRef": {"type": "object", "required": ["name"]},
            "minReplicaCount": {"type": "integer", "minimum": 0},
            "triggers": {"type": "array", "minItems": 1},
        },
    }
)

SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): KUSTOMIZATION,
    ("helm.toolkit.fluxcd.io/v2", "HelmRelease"): HELM_RELEASE,
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): GIT_REPOSITORY,
    ("source.toolkit.fluxcd.io/v1", "OCIRepository"): OCI_REPOSITORY,
    ("source.toolkit.fluxcd.io/v1", "HelmRepository"): HELM_REPOSITORY,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR,
    ("monitoring.coreos.com/v1", "PodMonitor"): POD_MONITOR,
    ("monitoring.coreos.com/v1", "PrometheusRule"): PROMETHEUS_RULE,
    ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT,
}

# API groups served only by CRDs: an object in one of them must match a schema above.
CRD_GROUPS = frozenset(
    {
        "kustomize.toolkit.fluxcd.io",
        "helm.toolkit.fluxcd.io",
        "source.toolkit.fluxcd.io",
        "notification.toolkit.fluxcd.io",
        "image.toolkit.fluxcd.io",
        "monitoring.coreos.com",
        "keda.sh",
    }
)


def group_of(api_version: str) -> str:
    """``apps`` for ``apps/v1``, the empty string for the core ``v1``."""
    return api_version.rpartition("/")[0]


def problems(body: dict[str, Any]) -> list[str]:
    """What is wrong with one custom resource (empty when it is valid)."""
    key = (str(body.get("apiVersion")), str(body.get("kind")))
    schema = SCHEMAS.get(key)
    if schema is None:
        known = sorted(f"{a} {k}" for a, k in SCHEMAS if k == key[1])
        return [f"unexpected apiVersion/kind {key[0]} {key[1]} (expected one of {known})"]
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    ]
