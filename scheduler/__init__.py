"""offhours: a GitOps-native, energy-aware scale-to-zero scheduler for Kubernetes.

The package has a pure core (`scheduler.core`: policies, schedules, planning, manifest
edits, savings maths; no I/O, time passed in) and thin adapters (`scheduler.adapters`:
git, Prometheus, Kubernetes, files), glued by `scheduler.reconcile`, which the CLI
(`scheduler.cli`) and the daemon (`scheduler.daemon`) share.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
