"""Benchmark the savings maths: many workloads, a month, a 5-minute grid.

Grids are generated directly (a diurnal load with noise, nightly and weekend off windows in
Europe/Berlin, a few scrape gaps), then every target's savings are estimated with the default
options (hour-of-week: 14 days of always-on history before adoption) and the report is
serialised. Prints wall time per stage, the cost per workload and per grid step, and peak RSS.

    python bench/bench_savings.py            # 1,000 workloads x 30 days
    python bench/bench_savings.py --quick    # 50 workloads x 21 days (smoke test)
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import sys
import time
from array import array
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler.core.energy import baseline, conversions, overhead, report, savings, targets
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.workloads import WorkloadRef

BERLIN = ZoneInfo("Europe/Berlin")
STEP = 300.0


def nights(start: datetime, days: int) -> IntervalSet:
    """Weekday nights 20:00-07:00 and weekends, Berlin time."""
    pairs = []
    for d in range(-1, days + 1):
        day = (start + timedelta(days=d)).astimezone(BERLIN).date()
        if day.weekday() >= 5:
            continue
        wake = day + timedelta(days=3 if day.weekday() == 4 else 1)
        sleep_at = datetime(day.year, day.month, day.day, 20, tzinfo=BERLIN)
        wake_at = datetime(wake.year, wake.month, wake.day, 7, tzinfo=BERLIN)
        pairs.append((sleep_at.timestamp(), wake_at.timestamp()))
    return IntervalSet(pairs)


def shape(start: float, steps: int) -> array[float]:
    """Relative load per step: 1 at night, up to 3 in office hours on weekdays."""
    out = array("d")
    for i in range(steps):
        local = datetime.fromtimestamp(start + (i + 0.5) * STEP, BERLIN)
        office = local.weekday() < 5 and 8 <= local.hour < 18
        out.append(3.0 if office else 1.0)
    return out


def grid(rng: random.Random, load: array[float], *, off: bytearray, start: float) -> EnergyGrid:
    watts = rng.uniform(0.5, 5.0)
    rnd = rng.random
    joules = array(
        "d",
        (0.0 if off[i] else w * watts * STEP * (0.85 + 0.3 * rnd()) for i, w in enumerate(load)),
    )
    for _ in range(rng.randrange(0, 6)):
        at = rng.randrange(len(joules))
        gap = len(joules[at : at + rng.randrange(1, 8)])
        joules[at : at + gap] = array("d", [math.nan]) * gap
    return EnergyGrid(start, STEP, joules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 workloads x 21 days")
    args = parser.parse_args()
    workloads, days = (50, 21) if args.quick else (1000, 30)
    start_dt = datetime(2025, 3, 3, tzinfo=UTC)
    start, steps = start_dt.timestamp(), int(days * 86400 / STEP)
    adoption = start + 14 * 86400
    windows = nights(start_dt, days).clip(adoption, start + days * 86400)
    off = bytearray(steps)
    for s, e in windows.pairs:
        off[int((s - start) // STEP) + 1 : int((e - start) // STEP)] = b"\x01" * max(
            0, int((e - start) // STEP) - int((s - start) // STEP) - 1
        )
    print(
        f"savings bench: {workloads} workloads x {days} days at {STEP:.0f} s "
        f"({steps:,} steps each, {workloads * steps / 1e6:.1f} M steps)"
    )

    t0 = time.perf_counter()
    rng = random.Random(1)
    load = shape(start, steps)
    grids = [grid(rng, load, off=off, start=start) for _ in range(workloads)]
    t1 = time.perf_counter()
    options = baseline.BaselineOptions(tz=BERLIN)
    period = Interval(adoption, start + days * 86400)
    rows = tuple(
        targets.TargetSavings(
            WorkloadRef("Deployment", f"ns-{i % 20}", f"app-{i}"),
            f"policy-{i % 3}",
            savings.estimate_savings(g, windows=windows, period=period, options=options),
        )
        for i, g in enumerate(grids)
    )
    t2 = time.perf_counter()
    result = report.SavingsReport(
        period=period,
        kepler_schema="0.10+",
        zones=("package", "dram"),
        options=options,
        factors=conversions.ConversionFactors(),
        targets=rows,
        overhead=overhead.measure_overhead({"flux-system": grids[0]}, period=period),
    )
    text = json.dumps(result.to_json_dict(), allow_nan=False)
    t3 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    methods = {str(r.estimate.method) for r in rows}
    per = (t2 - t1) / workloads
    print(f"generate grids: {t1 - t0:.2f} s")
    print(
        f"estimate:       {t2 - t1:.2f} s ({per * 1e3:.2f} ms per workload, "
        f"{(t2 - t1) / (workloads * steps) * 1e6:.2f} us per step; methods {sorted(methods)})"
    )
    print(
        f"report JSON:    {t3 - t2:.2f} s ({len(text) / 1e6:.1f} MB, "
        f"{result.totals.saved_joules or 0.0:.3g} J saved)"
    )
    print(f"peak RSS:       {rss:.0f} MB (grid joules: {workloads * steps * 8 / 2**20:.0f} MB)")


if __name__ == "__main__":
    main()
