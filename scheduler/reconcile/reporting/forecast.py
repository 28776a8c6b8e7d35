"""The savings estimate of ``offhours preview``: per policy, recent history over its schedule.

Targets come from the repository's manifests (``--repo``; a URL is cloned into the cache),
resolved against the previewed policies (a target several policies select counts under the
first, as the planner would sleep it). One energy read gives every target's hour-of-week
profile of the history before the preview starts; ``forecast.forecast_week`` applies it to the
policy's off intervals in the previewed range. Raises ``SchedulerError`` on any failure: the
caller drops the estimate with a note.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from scheduler.adapters import gitrepo
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core import targets as resolution
from scheduler.core import zones as tzones
from scheduler.core.energy import baseline, forecast
from scheduler.core.manifests import ManifestIndex
from scheduler.core.policy import Policy
from scheduler.core.preview import Preview
from scheduler.core.preview.savings import PolicySavings
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import ConfigError
from scheduler.reconcile import workspace
from scheduler.reconcile.reporting.profiles import HistorySpan, read_profiles
from scheduler.settings import Settings

__all__ = ["preview_savings"]


@contextlib.contextmanager
def _index(settings: Settings, repo: str) -> Iterator[ManifestIndex]:
    if gitrepo.is_url(repo):
        with gitrepo.open_checkout(settings.git, repo=repo) as checkout:
            folder = workspace.policies_folder(checkout.path, settings.policies)
            yield workspace.index_manifests(checkout.path, skip=folder)[0]
        return
    root = Path(repo)
    if not root.is_dir():
        raise ConfigError(f"repository folder {repo!r} does not exist")
    yield workspace.index_manifests(root, skip=workspace.policies_folder(root, settings.policies))[
        0
    ]


def _targets(policies: Sequence[Policy], index: ManifestIndex) -> dict[str, list[WorkloadRef]]:
    claims = resolution.resolve(policies, index)
    out: dict[str, list[WorkloadRef]] = {p.name: [] for p in policies}
    for obj in index.objects:
        found = claims.claims_on(obj)
        if found:
            out[found[0].policy.name].append(obj.ref)
    return out


def preview_savings(
    settings: Settings,
    *,
    policies: Sequence[Policy],
    preview: Preview,
    history_seconds: float,
    now: datetime,
) -> tuple[PolicySavings, ...]:
    """The estimate per previewed policy, from history up to ``min(preview start, now)``."""
    with _index(settings, settings.git.repo) as index:
        by_policy = _targets(policies, index)
    zone_of = {p.name: tzones.get_zone(p.zone) for p in policies}
    zones = {t: zone_of[name] for name, refs in by_policy.items() for t in refs}
    end = min(float(preview.start), now.timestamp())
    with PrometheusClient(settings.prometheus) as client:
        profiles = read_profiles(
            client,
            targets=tuple(zones),
            zones=zones,
            span=HistorySpan(end, history_seconds),
            settle_seconds=settings.energy.baseline_settle_minutes * 60.0,
        )
    out = []
    for item in preview.policies:
        name = item.policy.name
        options = baseline.BaselineOptions.from_config(settings.energy, tz=zone_of[name])
        rows = [
            forecast.forecast_week(profiles.get(t), off=item.off, options=options)
            for t in by_policy.get(name, [])
        ]
        out.append(
            PolicySavings(
                policy=name,
                targets=len(rows),
                estimated=sum(1 for r in rows if r.joules is not None),
                forecast=forecast.combine(rows),
                range_seconds=preview.seconds,
                history_seconds=history_seconds,
            )
        )
    return tuple(out)
