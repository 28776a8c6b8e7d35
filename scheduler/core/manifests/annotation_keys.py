"""Every annotation key offhours reads or writes on a manifest, in one place.

offhours keeps its restore state in Git, on the object it changed: each sleep writes one
``offhours.dev/original-*`` annotation recording what the changed field held before, and each
wake reads it back, restores the field and removes the annotation. This module owns the key
names and the marker for an absent field; it does not read or write YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "ABSENT",
    "EXCLUDE",
    "KEDA_PAUSED_REPLICAS",
    "ORIGINAL_FIELD",
    "ORIGINAL_PATCHES",
    "ORIGINAL_PAUSED_REPLICAS",
    "ORIGINAL_POST_RENDERERS",
    "ORIGINAL_REPLICAS",
    "ORIGINAL_SUSPEND",
    "ORIGINAL_VALUES",
    "PREFIX",
    "STATE_KEYS",
    "holds_state",
    "is_excluded",
]

#: The domain prefix of every key offhours writes.
PREFIX: Final = "offhours.dev/"

#: ``spec.replicas`` before sleep (Deployment, StatefulSet, ReplicaSet): a number or ``absent``.
ORIGINAL_REPLICAS: Final = PREFIX + "original-replicas"
#: ``spec.suspend`` before sleep (CronJob and Flux objects): ``true``, ``false`` or ``absent``.
ORIGINAL_SUSPEND: Final = PREFIX + "original-suspend"
#: HelmRelease ``spec.values`` paths before sleep, as JSON: ``{"replicaCount": 3}``.
ORIGINAL_VALUES: Final = PREFIX + "original-values"
#: Any other field set by a ``field`` target, as JSON: ``{"spec.minRunners": 2}``.
ORIGINAL_FIELD: Final = PREFIX + "original-field"
#: KEDA's paused-replicas annotation before sleep (usually ``absent``).
ORIGINAL_PAUSED_REPLICAS: Final = PREFIX + "original-paused-replicas"

#: HelmRelease ``spec.postRenderers`` before offhours appended its sleep patch: the number of
#: entries, or ``absent`` (wake then removes the key once offhours' entry is gone).
ORIGINAL_POST_RENDERERS: Final = PREFIX + "original-post-renderers"
#: Flux Kustomization ``spec.patches`` before offhours appended its sleep patches (as above).
ORIGINAL_PATCHES: Final = PREFIX + "original-patches"

#: ``offhours.dev/exclude: "true"`` keeps offhours away from an object, whatever the policies say.
EXCLUDE: Final = PREFIX + "exclude"

#: KEDA pauses a ScaledObject at this many replicas while the annotation is present.
KEDA_PAUSED_REPLICAS: Final = "autoscaling.keda.sh/paused-replicas"

#: The recorded value of a field that did not exist before sleep.
ABSENT: Final = "absent"

#: The annotations whose presence means "asleep, with this to restore".
STATE_KEYS: Final = (
    ORIGINAL_REPLICAS,
    ORIGINAL_SUSPEND,
    ORIGINAL_VALUES,
    ORIGINAL_FIELD,
    ORIGINAL_PAUSED_REPLICAS,
    ORIGINAL_POST_RENDERERS,
    ORIGINAL_PATCHES,
)


_STATE_SET: Final = frozenset(STATE_KEYS)


def holds_state(annotations: Mapping[str, str]) -> bool:
    """True when a state annotation is present: offhours put the object to sleep."""
    return bool(annotations) and not _STATE_SET.isdisjoint(annotations)


def is_excluded(annotations: Mapping[str, str]) -> bool:
    """True when the object opts out with ``offhours.dev/exclude: "true"``."""
    return annotations.get(EXCLUDE, "").strip().lower() == "true"
