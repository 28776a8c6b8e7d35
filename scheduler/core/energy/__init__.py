"""Energy accounting: per-workload energy on a time grid, baselines and savings (pure).

- ``grid``: ``EnergyGrid``, joules per step (NaN = no data), from the Kepler readers.
- ``quantiles``, ``weekhours``: sample quantiles; local hour-of-week and day-type hours.
- ``baseline``: on-time history, hour-of-week / trailing baselines, storable profiles.
- ``savings``: figure (1) per target: baseline minus residual over the off windows.
- ``targets``: per-target rows and totals per policy, namespace and overall.
- ``nodes``: figures (2) node energy off vs on, (3) energy of nodes actually removed.
- ``overhead``: energy of offhours and Flux; ``report``: the three figures, net, JSON.
- ``conversions``: kWh, PUE, CO2e, cost; ``ccf``: the no-Kepler CCF estimate (+ its data).
- ``forecast``: expected weekly savings of a schedule for ``offhours preview``.
"""
