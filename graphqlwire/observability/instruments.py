"""`Instruments`: what the ``GraphQL`` app adds around its handlers to be observed.

Built once per app from its ``health_path=`` and ``metrics=`` options: the routes answered
before GraphQL (``/health``, ``/metrics``), the `OperationObserver` its handlers report to,
and, with metrics on, the timing of HTTP requests and the count of open WebSocket
connections and SSE streams (`RequestTimer`). With metrics off, a request costs one dict
lookup here.
"""

from __future__ import annotations

import time
from typing import Any

from ..types import ASGIApp, Receive, Scope, Send
from .endpoints import HealthEndpoint, MetricsEndpoint, configured_pubsub
from .metrics import Metrics
from .observer import TRANSPORT_KEY, OperationObserver, transport_of
from .paths import DEFAULT_HEALTH_PATH, METRICS_PATH

__all__ = ["Instruments", "RequestTimer"]


class RequestTimer:
    """Times HTTP requests into `metrics`, and counts SSE streams while they are open.

    Two plain calls around the handler (`begin`, `end`) rather than a wrapping coroutine:
    this runs on every request.
    """

    __slots__ = ("metrics",)

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def begin(self, scope: Scope) -> float:
        """An HTTP request starts: note its transport in the scope; the start time for `end`."""
        transport = scope[TRANSPORT_KEY] = transport_of(scope)
        if transport == "sse":
            self.metrics.connection_changed(transport, 1)
        return time.perf_counter()

    def end(self, scope: Scope, started: float) -> None:
        """The request `begin` started is over, however it ended: record its duration."""
        transport = scope[TRANSPORT_KEY]
        if transport == "sse":
            self.metrics.connection_changed(transport, -1)
        self.metrics.observe_duration(transport, time.perf_counter() - started)


class Instruments:
    """The health and metrics routes, the handlers' observer and the connection gauges.

    # Optional arguments

    `health_path`: where ``GET`` answers the health check (None or ``""``: nowhere).

    `metrics`: True for a new `Metrics` at ``/metrics``, or the `Metrics` to use; False
    (default) for none.
    """

    __slots__ = ("metrics", "observer", "routes", "timer")

    def __init__(
        self, *, health_path: str | None = DEFAULT_HEALTH_PATH, metrics: bool | Metrics = False
    ) -> None:
        self.routes: dict[str, ASGIApp] = {}
        if health_path:
            if not health_path.startswith("/"):
                raise ValueError(f"health_path must start with '/', not {health_path!r}")
            self.routes[health_path] = HealthEndpoint()
        self.metrics: Metrics | None = None
        if metrics is True:
            self.metrics = Metrics(pubsub=configured_pubsub)
        elif isinstance(metrics, Metrics):
            self.metrics = metrics
        #: Times HTTP requests; None with metrics off.
        self.timer: RequestTimer | None = None
        if self.metrics is not None:
            self.routes[METRICS_PATH] = MetricsEndpoint(self.metrics)
            self.timer = RequestTimer(self.metrics)
        self.observer = OperationObserver(self.metrics)

    def route(self, scope: Scope) -> ASGIApp | None:
        """The endpoint for the request's path (below its ``root_path``), or None."""
        routes = self.routes
        path: str = scope["path"]
        endpoint = routes.get(path)
        if endpoint is None:
            root: str = scope.get("root_path") or ""
            if root and path.startswith(root):
                endpoint = routes.get(path[len(root) :])
        return endpoint

    async def websocket(self, app: Any, scope: Scope, receive: Receive, send: Send) -> None:
        """Run `app` for a WebSocket connection, counted as open while it runs."""
        metrics = self.metrics
        if metrics is None:
            await app(scope, receive, send)
            return
        metrics.connection_changed("websocket", 1)
        try:
            await app(scope, receive, send)
        finally:
            metrics.connection_changed("websocket", -1)

    def shutdown(self) -> None:
        """The app is shutting down: share the last values with the other workers."""
        if self.metrics is not None:
            self.metrics.flush()
