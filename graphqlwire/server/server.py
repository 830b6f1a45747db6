"""Listening sockets, start-up, graceful shutdown and signals.

Three ways in, from the most to the least control:

- ``server = Server(app, Config(port=0))``; ``await server.start()`` (lifespan startup,
  then listen); read ``server.port`` / ``server.host`` / ``server.url`` / ``server.sockets``;
  ``await server.shutdown()`` (stop accepting, let in-flight requests finish within
  ``shutdown_timeout``, close WebSockets with 1001, lifespan shutdown). ``Server`` is also
  an async context manager.
- ``await serve(app, config)``: the same plus SIGINT/SIGTERM handling; returns after the
  shutdown. A second signal skips the grace period. `on_started` is called with the
  started `Server` (tests use it to learn the port).
- ``run(app, **config)``: blocking; ``serve`` on a new event loop (asyncio's unless
  ``loop`` says ``uvloop``, or ``auto`` and uvloop is installed).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import signal
import socket
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

from ..types import ASGIApp
from .config import LOG_LEVELS, Config
from .connection import HttpProtocol
from .lifespan import Lifespan
from .state import ServerState, logger

__all__ = ["Server", "run", "serve"]

#: Seconds the shutdown waits for the tasks it cancelled to finish their cleanup.
CANCEL_GRACE = 1.0


def _bind_numeric(host: str, port: int) -> socket.socket | None:
    """A socket bound to `host` when it is a numeric address, else None.

    The event loop would resolve even ``127.0.0.1`` with ``getaddrinfo`` in a thread pool
    (asyncio's executor, or libuv's four threads under uvloop): threads and about half a MiB
    of memory kept for the life of the server, for an address that needs no resolving.
    """
    if not host:
        return None  # every interface, of every address family: the loop binds them all
    try:  # (bytes: a str host would import the IDNA codec, unicodedata and all, for nothing)
        infos = socket.getaddrinfo(
            host.encode("ascii"),
            port,
            type=socket.SOCK_STREAM,
            flags=socket.AI_PASSIVE | socket.AI_NUMERICHOST,
        )
    except (socket.gaierror, UnicodeError):
        return None  # a host name (or none): the loop resolves it
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:  # (as asyncio does: IPv6 only, "::" is not also IPv4)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise OSError(
            error.errno, f"error while attempting to bind on address {address!r}: {error.strerror}"
        ) from None
    return sock


class Server:
    """One listening server for one ASGI application."""

    def __init__(self, app: ASGIApp, config: Config | None = None, **options: Any) -> None:
        if config is None:
            config = Config(**options)
        elif options:
            config = config.with_overrides(**options)
        self.app = app
        self.config = config
        self.state: ServerState | None = None
        self.lifespan: Lifespan | None = None
        self._servers: list[asyncio.Server] = []
        self._date_timer: asyncio.TimerHandle | None = None
        self._force = asyncio.Event()
        self.started = False

    # --- addresses --------------------------------------------------------------------------
    @property
    def sockets(self) -> list[socket.socket]:
        """The listening sockets (after `start`)."""
        return [sock for srv in self._servers for sock in srv.sockets]

    @property
    def host(self) -> str:
        name = self.sockets[0].getsockname()
        return name if isinstance(name, str) else str(name[0])

    @property
    def port(self) -> int:
        """The bound TCP port (useful after listening on port 0); 0 for a Unix socket."""
        name = self.sockets[0].getsockname()
        return 0 if isinstance(name, str) else int(name[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.config.ssl_certfile else "http"
        if self.config.uds:
            return f"{scheme}+unix://{self.config.uds}"
        host = self.host
        return (
            f"{scheme}://[{host}]:{self.port}" if ":" in host else f"{scheme}://{host}:{self.port}"
        )

    # --- life cycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Run the lifespan startup, then start listening.

        Raises `LifespanFailure` when the app reports ``lifespan.startup.failed``.
        """
        loop = asyncio.get_running_loop()
        config = self.config
        state = self.state = ServerState(self.app, config, loop)
        self.lifespan = Lifespan(self.app, config.lifespan, state.lifespan_state)
        await self.lifespan.startup()

        def factory() -> HttpProtocol:
            return HttpProtocol(state)

        try:
            ssl_context = config.ssl_context()
            if config.uds:
                server = await loop.create_unix_server(
                    factory, config.uds, ssl=ssl_context, backlog=config.backlog
                )
            else:
                sock = _bind_numeric(config.host, config.port)
                if sock is not None:
                    server = await loop.create_server(
                        factory, sock=sock, ssl=ssl_context, backlog=config.backlog
                    )
                else:
                    server = await loop.create_server(
                        factory,
                        config.host,
                        config.port,
                        ssl=ssl_context,
                        backlog=config.backlog,
                        reuse_address=True,
                    )
        except BaseException:
            # (Address in use, bad certificate, ...): the app started up, so shut it down.
            await self.lifespan.shutdown(config.shutdown_timeout, self._force)
            raise
        self._servers.append(server)
        self._tick()
        self.started = True

    def _tick(self) -> None:
        assert self.state is not None
        self.state.refresh_date()
        self._date_timer = self.state.loop.call_later(1.0, self._tick)

    def force_exit(self) -> None:
        """Cut the grace period of a running `shutdown` short."""
        self._force.set()

    async def shutdown(self) -> None:
        """Stop accepting, drain in-flight work (bounded), close everything, lifespan off."""
        state = self.state
        if state is None or state.shutting_down:
            return
        state.shutting_down = True
        for server in self._servers:
            server.close()
        for connection in list(state.connections):
            connection.shutdown()
        loop = state.loop
        deadline = loop.time() + self.config.shutdown_timeout
        while (state.connections or state.tasks) and not self._force.is_set():
            remaining = deadline - loop.time()
            if remaining <= 0:
                logger.warning(
                    "shutdown timeout: closing %d connection(s), cancelling %d task(s)",
                    len(state.connections),
                    len(state.tasks),
                )
                break
            # Bounded wait: wakes early on a forced exit, otherwise re-checks every 50 ms.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._force.wait(), min(remaining, 0.05))
        cancelled = [task for task in state.tasks if not task.done()]
        for task in cancelled:
            task.cancel()
        for connection in list(state.connections):
            connection.transport.abort()
        if self._date_timer is not None:
            self._date_timer.cancel()
        # Let the cancelled tasks run their cleanup (finally blocks, on_disconnect) before
        # the lifespan shutdown tears down what they may use; bounded, and cut by a force.
        await self._wait_unless_forced(cancelled, CANCEL_GRACE)
        if self.lifespan is not None and not self._force.is_set():
            await self.lifespan.shutdown(self.config.shutdown_timeout, self._force)

    async def _wait_unless_forced(self, tasks: list[asyncio.Task[None]], timeout: float) -> None:
        """Wait (at most `timeout` s) for all `tasks`; return at once on a forced exit."""
        if not tasks or self._force.is_set():
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        pending: set[asyncio.Future[Any]] = set(tasks)
        force = asyncio.ensure_future(self._force.wait())
        try:
            while pending and not force.done():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    logger.warning("%d cancelled task(s) still running", len(pending))
                    break
                done, _ = await asyncio.wait(
                    pending | {force}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                )
                pending -= done
        finally:
            force.cancel()

    async def __aenter__(self) -> Server:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()


def configure_logging(level: str | None) -> None:
    """Set the ``graphqlwire`` loggers' level; add a stderr handler if logging is unset."""
    if level is None:
        return
    root = logging.getLogger("graphqlwire")
    root.setLevel(LOG_LEVELS[level.lower()])
    if not logging.getLogger().handlers and not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        root.addHandler(handler)


async def serve(
    app: ASGIApp,
    config: Config | None = None,
    *,
    on_started: Callable[[Server], Any] | None = None,
    **options: Any,
) -> None:
    """Serve `app` until SIGINT/SIGTERM (or cancellation), then shut down gracefully."""
    server = Server(app, config, **options)
    configure_logging(server.config.log_level)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal(signum: int) -> None:
        if stop.is_set():
            logger.warning("second signal: forcing exit")
            server.force_exit()
        else:
            logger.info("shutting down (%s)", signal.Signals(signum).name)
            stop.set()

    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, on_signal, signum)
            installed.append(signum)
        except (ValueError, RuntimeError, NotImplementedError):
            pass  # not the main thread, or no signal support: rely on cancellation
    try:
        await server.start()
        # Everything created so far lives as long as the server: keep it out of the
        # collector's way (fewer and shorter GC pauses under load). No full collection
        # first: it would delay the first answer by ~10 ms for little garbage.
        gc.freeze()
        logger.info("graphqlwire listening on %s (press CTRL+C to quit)", server.url)
        if on_started is not None:
            on_started(server)
        await stop.wait()
    finally:
        await asyncio.shield(server.shutdown())
        for signum in installed:
            loop.remove_signal_handler(signum)


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop constructor for ``Config.loop`` (None: asyncio's default)."""
    if choice == "asyncio":
        return None
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        if choice == "uvloop":
            raise RuntimeError("loop='uvloop' needs the uvloop package") from None
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(
    app: ASGIApp,
    config: Config | None = None,
    *,
    on_started: Callable[[Server], Any] | None = None,
    **options: Any,
) -> None:
    """Serve `app` (with `config`, or ``Config(**options)``), blocking until a signal."""
    if config is None:
        config = Config(**options)
    elif options:
        config = config.with_overrides(**options)
    factory = loop_factory(config.loop)
    if sys.version_info >= (3, 11):
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(serve(app, config, on_started=on_started))
    else:  # pragma: no cover - Python 3.10
        loop = factory() if factory is not None else asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(serve(app, config, on_started=on_started))
        finally:
            asyncio.set_event_loop(None)
            loop.close()
