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
  ``loop`` says ``uvloop``, or ``auto`` and uvloop is installed). ``run(app, workers=N)``
  runs N worker processes under a supervisor instead (`supervisor`, `worker`), which
  serve with `Server.start` on the supervisor's sockets.
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
from collections.abc import Callable, Coroutine, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..types import ASGIApp
from .config import LOG_LEVELS, Config
from .connection import HttpProtocol
from .lifespan import Lifespan
from .listeners import bind_numeric
from .state import RESTART_CLOSE, ServerState, logger

if TYPE_CHECKING:
    from .acceptor import LoadBoard, SharedListener

__all__ = ["Server", "serve"]

#: Seconds the shutdown waits for the tasks it cancelled to finish their cleanup.
CANCEL_GRACE = 1.0


def listen_url(config: Config, sockets: Sequence[socket.socket]) -> str:
    """The URL clients reach `sockets`, listening as `config` says, at."""
    scheme = "https" if config.ssl_certfile else "http"
    if config.uds:
        return f"{scheme}+unix://{config.uds}"
    host, port = sockets[0].getsockname()[:2]
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


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
        self._servers: list[asyncio.Server | SharedListener] = []
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
        return listen_url(self.config, self.sockets)

    # --- life cycle -------------------------------------------------------------------------
    async def start(
        self,
        sockets: Sequence[socket.socket] | None = None,
        board: tuple[LoadBoard, int] | None = None,
    ) -> None:
        """Run the lifespan startup, then start listening.

        `sockets`: listening sockets bound elsewhere to serve on instead of binding the
        configured address (a supervisor's, shared by all its workers; `board` and this
        worker's entry in it spread their connections evenly, see `acceptor`).
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
            if sockets is not None:
                from .acceptor import SharedListener

                for listening in sockets:
                    self._servers.append(
                        SharedListener(
                            loop, listening, factory, ssl_context, state.connections, board
                        )
                    )
            elif config.uds:
                server = await loop.create_unix_server(
                    factory, config.uds, ssl=ssl_context, backlog=config.backlog
                )
            else:
                sock = bind_numeric(config.host, config.port)
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
            if sockets is None:
                self._servers.append(server)
        except BaseException:
            # (Address in use, bad certificate, ...): the app started up, so shut it down.
            for started in self._servers:
                started.close()
            await self.lifespan.shutdown(config.shutdown_timeout, self._force)
            raise
        self._tick()
        self.started = True

    def _tick(self) -> None:
        state = self.state
        if state is None:  # (stopped: no more ticks)
            return
        state.refresh_date()
        self._date_timer = state.loop.call_later(1.0, self._tick)

    def force_exit(self) -> None:
        """Cut the grace period of a running `shutdown` short."""
        self._force.set()

    async def shutdown(self, *, restart: bool = False) -> None:
        """Stop accepting, drain in-flight work (bounded), close everything, lifespan off.

        `restart`: another worker process takes over (a supervisor's rolling restart), so
        there is no drain delay and WebSockets close with 1012 Service Restart, which tells
        clients to reconnect, instead of 1001.
        """
        state = self.state
        if state is None or state.lifecycle.draining:
            return
        state.lifecycle.draining = True
        if restart:
            state.ws_shutdown_close = RESTART_CLOSE
        elif self.config.drain_delay > 0:
            # Still serving: health checks answer 503 so load balancers stop sending traffic.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._force.wait(), self.config.drain_delay)
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


def configure_logging(level: str | None, *, with_pid: bool = False) -> None:
    """Set the ``graphqlwire`` loggers' level; add a stderr handler if logging is unset.

    `with_pid`: put the process id in each line (a supervisor and its workers share stderr).
    """
    if level is None:
        return
    root = logging.getLogger("graphqlwire")
    root.setLevel(LOG_LEVELS[level.lower()])
    if not logging.getLogger().handlers and not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        pid = "[%(process)d] " if with_pid else ""
        handler.setFormatter(logging.Formatter(f"%(levelname)s: {pid}%(message)s"))
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


def run_on_new_loop(main: Callable[[], Coroutine[Any, Any, None]], loop: str) -> None:
    """Run ``main()`` to the end on a new event loop of the `loop` kind (see `Config`)."""
    factory = loop_factory(loop)
    if sys.version_info >= (3, 11):
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(main())
    else:  # pragma: no cover - Python 3.10
        event_loop = factory() if factory is not None else asyncio.new_event_loop()
        asyncio.set_event_loop(event_loop)
        try:
            event_loop.run_until_complete(main())
        finally:
            asyncio.set_event_loop(None)
            event_loop.close()
