"""Where the ``GraphQL`` app serves health checks and metrics unless told otherwise."""

#: Health checks (``health_path=``, ``--health-path``).
DEFAULT_HEALTH_PATH = "/health"
#: Metrics, with ``metrics=True`` (``--metrics``).
METRICS_PATH = "/metrics"
