"""The long-running loop around the reconcile step: scheduling, signals, health."""
