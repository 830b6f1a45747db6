"""One worker process of a supervisor: import the app, serve on the inherited sockets, drain.

`worker_main` runs in the child right after the supervisor's ``os.fork``. The app is
imported here, after the fork, so that each worker has its own event loop, its own
connections and its own state: an app that opens a database pool or a Redis client at import
time must not share those sockets between processes. (The parent imported the server and, for
the command line, graphql-core: they open nothing, and the workers share them copy-on-write.)

The supervisor talks to a worker over two pipes. On the control pipe it writes one byte per
command: `STOP` (drain, WebSockets close with 1001), `RESTART` (drain, WebSockets close with
1012: a rolling restart replaces this worker) or `FORCE` (skip the grace period); end of file
means the supervisor is gone, and the worker drains and exits (so does a SIGTERM, and on Linux
the kernel sends one when the supervisor dies). On the status pipe the worker writes `READY`
once it listens. SIGINT and SIGHUP are ignored: a terminal sends them to the whole process
group, and the supervisor decides what they mean.
"""

from __future__ import annotations

import asyncio
import gc
import math
import os
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from ..types import ASGIApp
from .acceptor import LoadBoard
from .config import Config
from .lifespan import LifespanFailure
from .server import Server, run_on_new_loop
from .state import logger

__all__ = [
    "FORCE",
    "READY",
    "RESTART",
    "STOP",
    "Listening",
    "Worker",
    "exit_description",
    "import_app",
    "worker_main",
]

STOP, RESTART, FORCE = b"T", b"R", b"F"
READY = b"!"
#: Exit status of a worker whose app reported ``lifespan.startup.failed`` (as the CLI's).
LIFESPAN_FAILED = 3
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class Listening:
    """What a worker accepts from: the supervisor's sockets, and its entry on the board of
    open connections that spreads them evenly over the workers."""

    sockets: Sequence[socket.socket]
    board: LoadBoard
    entry: int


def import_app(spec: str) -> ASGIApp:
    """The ASGI app named by ``"module:attribute"``; a schema is served by ``GraphQL``."""
    from graphql import GraphQLSchema

    from .loader import load_app

    target = load_app(spec)
    if isinstance(target, GraphQLSchema):
        from ..asgi import GraphQL

        return GraphQL(target)
    app: ASGIApp = target
    return app


def worker_main(
    load: Callable[[], ASGIApp],
    config: Config,
    listening: Listening,
    control: int,
    status: int,
    parent: int,
) -> int:
    """The whole life of one worker process; returns its exit status.

    `load` imports the app; `control` and `status` are this end of the two pipes; `parent`
    is the supervisor's process id.
    """
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    _die_with(parent)
    try:
        app = load()
        run_on_new_loop(partial(_serve, app, config, listening, control, status), config.loop)
    except SystemExit as exit_:  # (a usage error: argparse has printed why)
        return exit_.code if isinstance(exit_.code, int) else 1
    except LifespanFailure as error:
        logger.error("worker %d: %s", os.getpid(), error)
        return LIFESPAN_FAILED
    except BaseException:
        logger.exception("worker %d failed", os.getpid())
        return 1
    return 0


def _die_with(parent: int) -> None:
    """Have the kernel send SIGTERM when the supervisor dies (Linux), even mid-import.

    Elsewhere the control pipe's end of file is the only notice, read once the loop runs.
    """
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the prctl call
        os.kill(os.getpid(), signal.SIGTERM)


async def _serve(
    app: ASGIApp, config: Config, listening: Listening, control: int, status: int
) -> None:
    """Serve until the supervisor (or a SIGTERM) says stop, then drain as it asked."""
    loop = asyncio.get_running_loop()
    server = Server(app, config)
    stop = asyncio.Event()
    restart = False

    def on_command() -> None:
        nonlocal restart
        try:
            data = os.read(control, 64)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(control)
            if not stop.is_set():
                logger.warning("worker %d: the supervisor is gone, shutting down", os.getpid())
        if FORCE in data:
            server.force_exit()
        if not stop.is_set():
            restart = RESTART in data
            stop.set()

    loop.add_reader(control, on_command)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await server.start(listening.sockets, (listening.board, listening.entry))
        # As `serve` does: the start-up objects live as long as the worker. The collector
        # was off since the fork (importing the app frees almost nothing).
        gc.freeze()
        gc.enable()
        os.write(status, READY)
        await stop.wait()
    finally:
        await asyncio.shield(server.shutdown(restart=restart))
        loop.remove_signal_handler(signal.SIGTERM)


@dataclass(eq=False)
class Worker:
    """One worker process, as the supervisor sees it."""

    slot: int  # which of the N places it fills (a replacement takes over the same slot)
    entry: int  # its entry on the `LoadBoard`
    pid: int
    control: int  # write end of the command pipe
    status: int  # read end of the status pipe (-1 once closed)
    started: float
    ready: bool = False
    stopping: bool = False  # told to stop: its exit is expected
    kill_at: float = math.inf


def exit_description(code: int) -> str:
    """``exit status 1`` or ``killed by SIGKILL``, from ``os.waitstatus_to_exitcode``."""
    if code >= 0:
        return f"exit status {code}"
    try:
        return f"killed by {signal.Signals(-code).name}"
    except ValueError:
        return f"killed by signal {-code}"
