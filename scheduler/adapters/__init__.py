"""Thin adapters, one library each: git, Prometheus, Kubernetes, the file system.

Each adapter translates its library's exceptions into `scheduler.errors` at the boundary;
adapters never import each other (import-linter enforces it).
"""
