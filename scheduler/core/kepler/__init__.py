"""Kepler energy, pure: schemas, PromQL, counter and gauge integration, pod attribution.

``schema`` tells the three Kepler generations apart, ``queries`` builds the PromQL,
``counters``/``gauges`` turn answers into joules per grid step, ``owners`` maps pods to
workloads and ``releases`` hands rendered workloads to the Flux target that scales them,
``nodes``/``pods`` keep per-node and per-pod tallies, ``offstate`` turns "fraction
of the step at zero" into intervals, and ``reading`` holds the request and result types.
Nothing here does I/O; ``scheduler.adapters.prometheus`` feeds it.
"""
