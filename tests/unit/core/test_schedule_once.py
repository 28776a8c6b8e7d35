"""The preview evaluates each policy once: ``off_and_transitions`` gives exactly what
``off_intervals`` and ``transitions`` give separately."""

from __future__ import annotations

import json
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_preview import START, generate
from scheduler.core import schedule
from scheduler.core.policy import Policy, load_policies

NOW = START.timestamp()
EXTRA = [
    {"uptime": ["Mon-Fri 08:00-18:00"], "enabled": False},
    {"downtime": "Sat-Sun 00:00-24:00", "onDays": ["2026-10-31"], "timeZone": "Europe/London"},
    {"sleep": "0 0 1 1 *", "wake": "0 0 1 7 *", "timeZone": "America/New_York"},
    {"uptime": "always", "overrides": [{"state": "off", "until": "2026-11-02T00:00:00Z"}]},
    {
        "uptime": ["Mon-Fri 09:00-17:00 Asia/Kolkata"],
        "holidays": {"country": "DE", "subdivision": "BE"},
        "timeZone": "Australia/Sydney",
    },
]


@cache
def policies() -> tuple[Policy, ...]:
    docs = [
        json.dumps(
            {
                "apiVersion": "offhours.dev/v1alpha1",
                "kind": "OffHoursPolicy",
                "metadata": {"name": f"extra-{i}"},
                "spec": {**spec, "targets": [{"namespaces": ["dev"]}]},
            }
        )
        for i, spec in enumerate(EXTRA)
    ]
    load = load_policies(
        [("generated.yaml", generate(150, seed=3)), ("extra.yaml", "\n---\n".join(docs))], now=NOW
    )
    assert not load.errors, [str(d) for d in load.errors]
    return load.policies


@settings(max_examples=300, deadline=None)
@given(
    index=st.integers(min_value=0),
    offset=st.integers(-400 * 86400, 400 * 86400),
    length=st.sampled_from([1, 2, 59, 3600, 86400, 7 * 86400, 31 * 86400, 400 * 86400])
    | st.integers(1, 40 * 86400),
)
def test_one_evaluation_gives_the_off_intervals_and_the_transitions(
    index: int, offset: int, length: int
) -> None:
    """Over any range, near the DST changes or not, for every schedule form."""
    policy = policies()[index % len(policies())]
    start = int(NOW) + offset
    off, changes = schedule.off_and_transitions(policy, start, start + length)
    assert off == schedule.off_intervals(policy, start, start + length)
    assert changes == schedule.transitions(policy, start, start + length)
