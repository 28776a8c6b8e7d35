"""Real parts for tests: a bare Git remote, a Prometheus server on loopback, a Kubernetes API
stand-in on loopback. Shipped with the package so users can test their policies the same way."""
