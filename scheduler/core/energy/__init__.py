"""Energy accounting: per-workload energy on a time grid, baselines and savings (pure)."""
