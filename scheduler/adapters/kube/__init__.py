"""Kubernetes adapter (kubernetes client): read workloads and Flux objects, Leases."""
