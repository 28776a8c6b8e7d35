"""Prometheus adapter (httpx): the PromQL client and the Kepler energy readers built on it.

``client.PrometheusClient`` is the only code that talks HTTP to a metrics store;
``kepler`` turns its answers into per-workload energy grids with the pure
``scheduler.core.kepler`` modules; ``offstate`` reads when workloads were scaled to zero.
"""
