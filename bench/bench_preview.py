"""Preview speed: evaluate N generated policies over a range and render the JSON preview.

Target: 1,000 policies over 31 days in <= 2 s on a 2-core machine (evaluation + JSON).
Parsing is timed separately. ``--quick`` runs 100 policies over 7 days (a CI smoke test).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime

from scheduler.core import preview
from scheduler.core.policy import load_policies

ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
)
COUNTRIES = ("DE", "GB", "US", "AU", "JP", "IN", "BR", "FR", "NL", "ZA")
START = datetime(2026, 10, 15, tzinfo=UTC)  # the range crosses the October/November DST changes
NOW = datetime(2026, 10, 1, tzinfo=UTC).timestamp()


def _window(rng: random.Random) -> str:
    first = rng.choice(("Mon", "Tue", "Sat"))
    last = rng.choice(("Fri", "Sun", "Mon"))
    start, end = rng.randrange(0, 24), rng.randrange(0, 25)
    return f"{first}-{last} {start:02d}:{rng.choice((0, 30)):02d}-{end:02d}:00"


def _spec(rng: random.Random, index: int) -> dict[str, object]:
    spec: dict[str, object] = {
        "timeZone": rng.choice(ZONES),
        "targets": [{"namespaces": [f"ns-{index}"]}],
    }
    kind = rng.random()
    if kind < 0.6:
        spec["uptime"] = [_window(rng) for _ in range(rng.randint(1, 3))]
    elif kind < 0.8:
        spec["downtime"] = ", ".join(_window(rng) for _ in range(rng.randint(1, 2)))
    elif kind < 0.95:
        spec["sleep"] = f"{rng.choice((0, 30))} {rng.randrange(17, 23)} * * 1-5"
        spec["wake"] = f"{rng.choice((0, 15))} {rng.randrange(5, 9)} * * 1-5"
    else:
        spec["uptime"] = "always"
    if rng.random() < 0.3:
        spec["holidays"] = {"country": rng.choice(COUNTRIES)}
    if rng.random() < 0.3:
        spec["offDays"] = ["2026-10-30", "2026-11-05..2026-11-07"]
    if rng.random() < 0.1:
        spec["overrides"] = [
            {"state": "on", "from": "2026-10-20T18:00:00Z", "until": "2026-10-21T02:00:00Z"}
        ]
    return spec


def generate(count: int, *, seed: int = 7) -> str:
    """``count`` policy documents in one multi-document YAML text."""
    rng = random.Random(seed)
    docs = [
        json.dumps(
            {
                "apiVersion": "offhours.dev/v1alpha1",
                "kind": "OffHoursPolicy",
                "metadata": {"name": f"policy-{i}"},
                "spec": _spec(rng, i),
            }
        )
        for i in range(count)
    ]
    return "\n---\n".join(docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 policies over 7 days")
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--days", type=int, default=31)
    args = parser.parse_args()
    count, days = (100, 7) if args.quick else (args.policies, args.days)

    text = generate(count)
    t0 = time.perf_counter()
    load = load_policies([("bench.yaml", text)], now=NOW)
    t1 = time.perf_counter()
    if load.errors:
        raise SystemExit(f"generated policies are invalid: {load.errors[0]}")

    start = START.timestamp()
    end = start + days * 86400
    timings = []
    for _ in range(2):  # first pass fills the zone-transition and holiday caches
        t2 = time.perf_counter()
        result = preview.build(load.policies, start=start, end=end)
        rendered = preview.render_json(result)
        timings.append(time.perf_counter() - t2)
    off_hours = sum(p.off_seconds for p in result.policies) / 3600

    print(f"preview bench: {count} policies over {days} days ({len(rendered) / 1e6:.1f} MB JSON)")
    print(f"  parse+validate: {t1 - t0:6.3f} s  ({(t1 - t0) / count * 1e6:7.0f} us/policy)")
    for label, seconds in zip(("cold", "warm"), timings, strict=True):
        per = seconds / count * 1e6
        print(f"  evaluate+JSON ({label}): {seconds:6.3f} s  ({per:7.0f} us/policy)")
    if not args.quick:
        verdict = "OK" if timings[0] <= 2.0 else "OVER"
        share = timings[0] / 2.0
        print(f"  target <= 2.0 s for evaluate+JSON (cold): {verdict} ({share:.2f}x of budget)")
    print(f"  sanity: {off_hours:,.0f} off hours in total")


if __name__ == "__main__":
    main()
