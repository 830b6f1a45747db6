"""graphqlwire.observability: health checks, Prometheus metrics, what handlers report.

The ``GraphQL`` ASGI app uses it for ``health_path=`` (``/health`` by default) and
``metrics=True`` (``/metrics``); nothing here imports an optional dependency.

- ``metrics``: `Metrics`, the registry of one process, and the sum over ``--workers``
  (each worker's samples in a file under ``GRAPHQLWIRE_METRICS_DIR``);
- ``exposition``: the Prometheus text format;
- ``observer``: `OperationObserver`, what handlers call with each operation's result;
- ``endpoints``: the ``/health`` and ``/metrics`` ASGI endpoints;
- ``instruments``: what the app wraps around its handlers;
- ``paths``: where the app serves health checks and metrics by default.

Public names are loaded on first use, so the command line reads `DEFAULT_HEALTH_PATH`
without importing graphql-core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from .paths import DEFAULT_HEALTH_PATH, METRICS_PATH

__all__ = [
    "DEFAULT_HEALTH_PATH",
    "METRICS_DIR_ENV",
    "METRICS_PATH",
    "HealthEndpoint",
    "Instruments",
    "Metrics",
    "MetricsEndpoint",
    "OperationObserver",
    "Sample",
    "aggregate",
    "configured_pubsub",
    "shared_directory",
    "transport_of",
]

if TYPE_CHECKING:
    from .endpoints import HealthEndpoint, MetricsEndpoint, configured_pubsub
    from .instruments import Instruments
    from .metrics import METRICS_DIR_ENV, Metrics, Sample, aggregate, shared_directory
    from .observer import OperationObserver, transport_of

__getattr__ = lazy_exports(
    __name__,
    {
        "HealthEndpoint": ".endpoints",
        "MetricsEndpoint": ".endpoints",
        "configured_pubsub": ".endpoints",
        "Instruments": ".instruments",
        "METRICS_DIR_ENV": ".metrics",
        "Metrics": ".metrics",
        "Sample": ".metrics",
        "aggregate": ".metrics",
        "shared_directory": ".metrics",
        "OperationObserver": ".observer",
        "transport_of": ".observer",
    },
)
