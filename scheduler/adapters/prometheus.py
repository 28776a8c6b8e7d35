"""Prometheus adapter (httpx): instant and range queries against any PromQL endpoint."""
