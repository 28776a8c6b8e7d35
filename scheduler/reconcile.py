"""The reconcile step shared by the CLI and the daemon: observe, plan, apply, report."""
