"""The ``/health`` and ``/metrics`` endpoints, as small ASGI apps the ``GraphQL`` app routes to.

``/health`` answers 200 ``{"status": "ok"}``, or 503 while the server is draining
(``{"status": "draining"}``: graphqlwire's server says so through the scope extension
``graphqlwire.lifecycle`` from the moment a graceful shutdown starts) or while the
configured pub/sub backend is unreachable (``{"status": "unavailable"}``). Other ASGI
servers do not tell applications that they drain: there the check turns 503 for the pub/sub
only, and the server itself stops accepting connections once it drains.

``/metrics`` answers the Prometheus text format of `Metrics`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from typing import Any

from ..types import Receive, Scope, Send
from .exposition import CONTENT_TYPE, render
from .metrics import Metrics

__all__ = ["LIFECYCLE_KEY", "HealthEndpoint", "MetricsEndpoint", "configured_pubsub"]

#: The scope extension carrying graphqlwire's server `Lifecycle` (see ``server.scope``).
LIFECYCLE_KEY = "graphqlwire.lifecycle"
_READ_METHODS = ("GET", "HEAD")
#: Seconds a check waits for a pub/sub backend that is not connected (yet).
PUBSUB_CONNECT_WAIT = 0.5


def configured_pubsub() -> Any:
    """The process's pub/sub backend when one is configured (``GRAPHQLWIRE_PUBSUB``), else None.

    The in-memory default is not "configured": it cannot be unreachable.
    """
    from ..pubsub import PUBSUB_ENV, get_pubsub

    return get_pubsub() if os.environ.get(PUBSUB_ENV) else None


async def respond(
    send: Send, status: int, body: bytes, content_type: str, *, head: bool = False
) -> None:
    """Send a whole response that no cache may keep."""
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", b"%d" % len(body)),
        (b"cache-control", b"no-store"),
    ]
    if status == 405:
        headers.append((b"allow", b"GET, HEAD"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


async def _refuse_method(scope: Scope, send: Send) -> bool:
    """Answer 405 (JSON) unless the request reads: True when it was refused."""
    if scope["method"] in _READ_METHODS:
        return False
    message = {"errors": [{"message": f"{scope['method']} is not allowed here: use GET."}]}
    await respond(send, 405, _json(message), "application/json")
    return True


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


class HealthEndpoint:
    """``GET /health``: 200 while the server takes traffic, 503 while it should not get any.

    # Optional arguments

    `pubsub`: returns the pub/sub backend to check, or None (default: `configured_pubsub`).
    """

    def __init__(self, pubsub: Callable[[], Any] = configured_pubsub) -> None:
        self.pubsub = pubsub

    def status(self, scope: Scope) -> tuple[int, dict[str, Any]]:
        """The status code and the JSON body for a check made with `scope`."""
        lifecycle = (scope.get("extensions") or {}).get(LIFECYCLE_KEY)
        body: dict[str, Any] = {"status": "ok"}
        try:
            pubsub = self.pubsub()
        except Exception as error:  # (a bad GRAPHQLWIRE_PUBSUB: say so, do not answer 500)
            body["pubsub"] = "disconnected"
            body["error"] = str(error)
        else:
            if pubsub is not None:
                body["pubsub"] = "connected" if pubsub.connected else "disconnected"
        if getattr(lifecycle, "draining", False):
            body["status"] = "draining"
        elif body.get("pubsub") == "disconnected":
            body["status"] = "unavailable"
        return (200 if body["status"] == "ok" else 503), body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if await _refuse_method(scope, send):
            return
        await self._let_pubsub_connect()
        status, body = self.status(scope)
        encoded = _json(body)
        await respond(send, status, encoded, "application/json", head=scope["method"] == "HEAD")

    async def _let_pubsub_connect(self) -> None:
        """Give a backend that is not connected `PUBSUB_CONNECT_WAIT` seconds to connect.

        The Redis backend opens its connection on first use: without the wait, the first
        check of a fresh worker would report an outage that is not there. During a real one
        a check answers 503 after the wait.
        """
        try:
            pubsub = self.pubsub()
        except Exception:
            return  # (`status` reports it)
        connect = getattr(pubsub, "connect", None)
        if connect is None or pubsub.connected:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(connect(), PUBSUB_CONNECT_WAIT)


class MetricsEndpoint:
    """``GET /metrics``: the Prometheus text format of `metrics` (every worker's, summed)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if await _refuse_method(scope, send):
            return
        body = render(self.metrics.collect()).encode()
        await respond(send, 200, body, CONTENT_TYPE, head=scope["method"] == "HEAD")
