"""The savings estimate of ``offhours preview``: per policy, recent history over its schedule.

Targets come from the repository's manifests (``--repo``; a URL is cloned into the cache),
resolved against the previewed policies (a target several policies select counts under the
first, as the planner would sleep it). One energy read gives every target's hour-of-week
profile of the history before the preview starts; ``forecast.forecast_week`` applies it to the
policy's off intervals in the previewed range. Raises ``SchedulerError`` on any failure: the
caller drops the estimate with a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core import targets
from scheduler.core import zones as tzones
from scheduler.core.energy import baseline, forecast
from scheduler.core.policy import Policy
from scheduler.core.preview import Preview
from scheduler.core.preview.savings import PolicySavings
from scheduler.reconcile import workspace
from scheduler.reconcile.reporting.profiles import HistorySpan, read_profiles
from scheduler.settings import Settings

__all__ = ["preview_savings"]


def preview_savings(
    settings: Settings,
    *,
    policies: Sequence[Policy],
    preview: Preview,
    history_seconds: float,
    now: datetime,
) -> tuple[PolicySavings, ...]:
    """The estimate per previewed policy, from history up to ``min(preview start, now)``."""
    with workspace.repository_index(settings, settings.git.repo) as index:
        by_policy = targets.targets_by_policy(policies, index, first_only=True)
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
