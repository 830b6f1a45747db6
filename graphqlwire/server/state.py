"""What every connection of one server shares: the app, the config, the live connections.

Kept apart from `server.py` so that the protocol modules depend only on this small object,
never on the listener or signal handling.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any, Protocol

from ..types import ASGIApp
from .accesslog import AccessLog, make_access_log
from .config import Config
from .headcache import HeadCache
from .wsframe import GOING_AWAY

__all__ = [
    "RESTART_CLOSE",
    "SHUTDOWN_CLOSE",
    "ClientConnection",
    "ClientDisconnected",
    "Lifecycle",
    "ServerState",
    "logger",
    "wake",
]

logger = logging.getLogger("graphqlwire.server")

#: The close code and reason WebSockets get when the server shuts down, and when it is being
#: replaced by another process (a rolling restart: 1012 Service Restart tells clients to
#: reconnect, RFC 6455 §7.4.1 as registered by IANA).
SHUTDOWN_CLOSE = (GOING_AWAY, "server shutting down")
RESTART_CLOSE = (1012, "server restarting")

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(seconds: float) -> str:
    """RFC 9110 §5.6.7 IMF-fixdate, e.g. ``Sun, 06 Nov 1994 08:49:37 GMT``.

    Built by hand (English names whatever the locale) so that the server does not import
    ``email.utils`` just for this.
    """
    t = time.gmtime(seconds)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


def wake(waiter: asyncio.Future[None] | None) -> None:
    """Let whoever awaits `waiter` (the app waiting for input, or for the socket) go on."""
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class ClientDisconnected(OSError):
    """Raised by ``send`` when the client has gone away.

    An ``OSError`` (ASGI 2.4: "send ... raise an exception that is a subclass of OSError") so
    that applications can tell a vanished client from their own bugs. The server never logs
    it as an error.
    """


class ClientConnection(Protocol):
    """What a request cycle, a WebSocket session or the scope may ask of their connection.

    `HttpProtocol` implements it; the modules that serve one request depend on this
    instead of on `connection`, so no server module imports another in a circle.
    """

    state: ServerState
    config: Config
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    scheme: str
    client: tuple[str, int] | None
    server: tuple[str, int | None] | None
    write_paused: bool

    def write(self, data: bytes) -> None:
        """Queue bytes for the client."""

    async def drain(self) -> None:
        """Wait until the transport's write buffer is below its high-water mark."""

    def resume_body(self) -> None:
        """The app consumed the buffered body: read more."""

    def cycle_done(self, cycle: Any) -> None:
        """The response of `cycle` was fully written."""

    def abort_cycle(self, cycle: Any) -> None:
        """`cycle` cannot finish its response: drop the connection."""


class Lifecycle:
    """What an application may learn about the server's life: whether it is draining.

    Every scope carries the server's one instance in its ``extensions`` under
    ``LIFECYCLE_KEY`` (``graphqlwire.lifecycle``), so a health check can answer 503 from the
    moment a shutdown begins (graphqlwire's ASGI app does).
    """

    __slots__ = ("draining",)

    def __init__(self) -> None:
        #: True from the start of a graceful shutdown (SIGTERM) on.
        self.draining = False


class ServerState:
    """Shared, mutable state of one running server."""

    __slots__ = (
        "access_log",
        "app",
        "config",
        "connections",
        "date_header",
        "heads",
        "lifecycle",
        "lifespan_state",
        "loop",
        "shutting_down",
        "tasks",
        "ws_shutdown_close",
    )

    def __init__(self, app: ASGIApp, config: Config, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.config = config
        self.loop = loop
        self.connections: set[Any] = set()  # (HttpProtocol, which imports this module)
        #: Tasks running the application (one per request cycle or WebSocket).
        self.tasks: set[asyncio.Task[None]] = set()
        #: Filled by the lifespan startup; each connection scope gets a shallow copy.
        self.lifespan_state: dict[str, Any] = {}
        self.shutting_down = False
        #: What `WebSocketSession.shutdown` closes with (`RESTART_CLOSE` in a rolling restart).
        self.ws_shutdown_close = SHUTDOWN_CLOSE
        self.access_log: AccessLog | None = make_access_log(
            config.access_log, config.access_log_format
        )
        self.lifecycle = Lifecycle()
        #: Request heads h11 parsed on any connection, for keep-alive clients resending them.
        self.heads = HeadCache()
        self.date_header = b""
        self.refresh_date()

    def start(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run an application coroutine as a task the shutdown can wait for."""
        task = self.loop.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def refresh_date(self) -> None:
        """Re-render the cached ``date`` response header (called once a second)."""
        self.date_header = b"date: " + http_date(time.time()).encode() + b"\r\n"
