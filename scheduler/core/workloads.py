"""Identity of the objects offhours acts on: ``kind/namespace/name``.

The same key names a manifest object in Git, a live object in the cluster, a ledger entry
in a commit trailer and a row of an energy report.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WorkloadRef"]


@dataclass(frozen=True, slots=True, order=True)
class WorkloadRef:
    """A Kubernetes object by kind, namespace and name (namespace ``""`` when unknown)."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace or '-'}/{self.name}"

    @classmethod
    def parse(cls, text: str) -> WorkloadRef:
        """Parse ``kind/namespace/name`` (``-`` for an unknown namespace)."""
        parts = text.strip().split("/")
        if len(parts) != 3 or not parts[0] or not parts[2]:
            raise ValueError(
                f"not a target reference: {text!r}; expected kind/namespace/name, "
                "e.g. Deployment/dev/web"
            )
        namespace = "" if parts[1] == "-" else parts[1]
        return cls(parts[0], namespace, parts[2])
