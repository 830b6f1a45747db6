"""``--workers N``: a supervising parent process and N worker processes sharing its sockets.

The parent binds the listening sockets (TCP or Unix), then forks the workers, which inherit
them: one accept queue shared by every worker, so a worker that stops accepting (it is being
replaced, or it died) loses no queued connection, and an idle worker takes the next one. Each
worker imports the app itself, after the fork (see `worker`). The parent imports no app and
runs no event loop: a `selectors` loop over the workers' pipes and a self-pipe for signals.

- A worker that dies is replaced at once, logged at ERROR with its exit status or signal.
  One that exits before it is ready (the app fails to import, the lifespan start-up fails)
  is a failed start-up: the next one starts after a back-off that doubles from
  `BACKOFF_FIRST` to `BACKOFF_MAX` seconds with each failure in a row. When no worker is
  serving and `MAX_STARTUP_FAILURES` start-ups in a row failed (or one failed with exit
  status 2, a usage error: the APP or a flag is wrong), the supervisor gives up: it logs
  why and exits with the last worker's exit status (1 if it was killed by a signal).
- SIGTERM or SIGINT: the parent closes its copy of the sockets and tells every worker to
  drain (in-flight requests finish, WebSockets close with 1001); once every worker closed
  its copy too, new connections are refused. The parent exits 0 when all workers have
  exited; a worker still running after its grace period is killed. A second signal cuts
  the grace period short, as in one process.
- SIGHUP: a rolling restart. For each worker in turn, a new worker is started; once it is
  ready, the old one drains with 1012 (Service Restart: clients reconnect) while the next
  is started. The socket never stops accepting. If new workers cannot start, the rolling
  restart is abandoned and the old workers keep serving.
- Workers also exit when the parent dies (see `worker`): no orphans.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import selectors
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, NoReturn

from ..types import ASGIApp
from .acceptor import LoadBoard
from .config import Config
from .listeners import bind_listeners
from .server import CANCEL_GRACE, listen_url
from .signalpipe import SignalPipe
from .state import logger
from .worker import FORCE, READY, RESTART, STOP, Listening, Worker, exit_description, worker_main

__all__ = ["Supervisor"]

MAX_STARTUP_FAILURES = 5
BACKOFF_FIRST, BACKOFF_MAX = 0.1, 10.0
#: Seconds a worker may take beyond its own shutdown budget before it is killed.
KILL_GRACE = 5.0
#: Seconds left to the workers after a second SIGTERM/SIGINT.
FORCE_GRACE = 3.0
#: Exit status of a command-line usage error (argparse's).
USAGE_ERROR = 2
HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD)


class Supervisor:
    """Binds the sockets, runs `count` workers of the app `load` imports, and watches them."""

    def __init__(self, load: Callable[[], ASGIApp], config: Config, count: int) -> None:
        if count < 1:
            raise ValueError(f"workers must be at least 1, not {count}")
        if not hasattr(os, "fork"):
            raise RuntimeError("workers need os.fork (Linux, macOS, BSD)")
        self.load = load
        self.config = config
        self.count = count
        self.sockets: list[socket.socket] = []
        #: Every live worker process, by pid.
        self.workers: dict[int, Worker] = {}
        #: The worker serving (or starting in) each slot.
        self.slots: list[Worker | None] = [None] * count
        #: When to start the next worker of an empty slot.
        self.respawn_at: dict[int, float] = {}
        #: Rolling restart: the slots still to replace, the new worker starting for the
        #: current one, and when to start the next.
        self.rolling: deque[int] = deque()
        self.incoming: Worker | None = None
        self.roll_at: float | None = None
        self.failures = 0  # failed start-ups in a row
        self.stopping = False
        self.forced = False
        self.exit_status = 0
        #: Open connections per worker: N serving, 1 starting and up to N retiring ones.
        self.board = LoadBoard(2 * count + 1)
        self._selector = selectors.DefaultSelector()
        self._signal_pipe = SignalPipe(HANDLED_SIGNALS)
        #: What a worker may take to drain: the server's grace periods plus some slack.
        self.drain_budget = (
            2 * config.shutdown_timeout + config.drain_delay + CANCEL_GRACE + KILL_GRACE
        )

    @property
    def url(self) -> str:
        """Where the workers listen (after `run` bound the sockets)."""
        return listen_url(self.config, self.sockets)

    @property
    def port(self) -> int:
        """The bound TCP port (useful with port 0); 0 for a Unix socket."""
        name = self.sockets[0].getsockname()
        return 0 if isinstance(name, str) else int(name[1])

    # --- the loop ---------------------------------------------------------------------------
    def run(self, on_started: Callable[[Supervisor], Any] | None = None) -> int:
        """Serve until stopped; returns the exit status (0, or why no worker could start)."""
        try:
            self.config.ssl_context()  # a bad certificate fails here, not in every worker
            self.sockets = bind_listeners(self.config)
            with self._signal_pipe:
                self._selector.register(
                    self._signal_pipe.fileno(), selectors.EVENT_READ, self._on_signals
                )
                logger.info(
                    "graphqlwire listening on %s with %d workers (press CTRL+C to quit)",
                    self.url,
                    self.count,
                )
                if on_started is not None:
                    on_started(self)
                # What the parent imported (the server, graphql-core for the command line)
                # is shared with the workers copy-on-write; frozen, their collector never
                # writes to it (measured with the demo: 9 MiB private memory per worker).
                gc.freeze()
                for slot in range(self.count):
                    self._spawn(slot)
                while self.workers or not self.stopping:
                    self._step()
        finally:
            self._close()
        return self.exit_status

    def _step(self) -> None:
        now = time.monotonic()
        deadlines = [*self.respawn_at.values(), *(w.kill_at for w in self.workers.values())]
        if self.roll_at is not None:
            deadlines.append(self.roll_at)
        timeout = min([1.0, *(deadline - now for deadline in deadlines)])
        for key, _ in self._selector.select(max(timeout, 0.0)):
            key.data()
        self._reap()
        self._run_due(time.monotonic())

    def _on_signals(self) -> None:
        for signum in self._signal_pipe.received():
            if signum in (signal.SIGTERM, signal.SIGINT):
                self.stop(signal.Signals(signum).name)
            elif signum == signal.SIGHUP:
                self.roll()

    def _close(self) -> None:
        """Release the parent's sockets, pipes and (a Unix socket's) file."""
        for sock in self.sockets:
            sock.close()
        if self.config.uds and self.sockets:
            with contextlib.suppress(OSError):
                os.unlink(self.config.uds)
        self._selector.close()
        self._signal_pipe.close()

    # --- workers ----------------------------------------------------------------------------
    def _spawn(self, slot: int, *, incoming: bool = False) -> None:
        """Fork a worker for `slot` (the replacement of its worker when `incoming`)."""
        taken = {worker.entry for worker in self.workers.values()}
        entry = min(set(range(len(self.board.counts))) - taken)
        listening = Listening(self.sockets, self.board, entry)
        control_read, control_write = os.pipe()
        status_read, status_write = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError as error:  # (out of processes or memory: the others keep serving)
            for fd in (control_read, control_write, status_read, status_write):
                os.close(fd)
            logger.error("cannot start a worker: %s; trying again in %.0f s", error, BACKOFF_MAX)
            if incoming:
                self.rolling.appendleft(slot)
                self.roll_at = time.monotonic() + BACKOFF_MAX
            else:
                self.respawn_at[slot] = time.monotonic() + BACKOFF_MAX
            return
        if pid == 0:  # the child: never returns
            self._become_worker(
                listening, control_read, status_write, parent, (control_write, status_read)
            )
        os.close(control_read)
        os.close(status_write)
        worker = Worker(slot, entry, pid, control_write, status_read, time.monotonic())
        self.workers[pid] = worker
        if incoming:
            self.incoming = worker
        else:
            self.slots[slot] = worker
        self._selector.register(status_read, selectors.EVENT_READ, partial(self._on_status, worker))
        logger.debug("worker %d starting (slot %d)", pid, slot)

    def _become_worker(
        self, listening: Listening, control: int, status: int, parent: int, unused: tuple[int, int]
    ) -> NoReturn:
        """In the forked child: drop the parent's descriptors and signals, serve, exit."""
        exit_status = 1
        try:
            gc.disable()  # (importing the app frees almost nothing; on again once ready)
            signal.set_wakeup_fd(-1)
            self._selector.close()
            self._signal_pipe.close()
            for fd in unused:
                os.close(fd)
            for worker in self.workers.values():  # (or EOF would never reach a sibling)
                os.close(worker.control)
                if worker.status >= 0:
                    os.close(worker.status)
            exit_status = worker_main(self.load, self.config, listening, control, status, parent)
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(exit_status)

    def _on_status(self, worker: Worker) -> None:
        try:
            data = os.read(worker.status, 64)
        except OSError:
            data = b""
        if not data:  # the worker exited (waitpid tells how)
            self._selector.unregister(worker.status)
            os.close(worker.status)
            worker.status = -1
        elif READY in data and not worker.ready:
            worker.ready = True
            self._ready(worker)

    def _ready(self, worker: Worker) -> None:
        self.failures = 0
        if worker is not self.incoming:
            logger.info("worker %d ready (slot %d)", worker.pid, worker.slot)
            return
        old = self.slots[worker.slot]
        self.slots[worker.slot] = worker
        self.incoming = None
        if old is not None:
            logger.info("worker %d replaces worker %d", worker.pid, old.pid)
            self._tell(old, RESTART)
        self.roll_at = time.monotonic()

    def _tell(self, worker: Worker, command: bytes) -> None:
        """Send `command` (`STOP`, `RESTART`, `FORCE`) once; the worker's exit is expected."""
        if worker.stopping and command != FORCE:
            return
        worker.stopping = True
        grace = FORCE_GRACE if command == FORCE else self.drain_budget
        worker.kill_at = min(worker.kill_at, time.monotonic() + grace)
        with contextlib.suppress(OSError):  # (it exited already)
            os.write(worker.control, command)

    def _reap(self) -> None:
        for pid in list(self.workers):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, 0
            if done:
                self._exited(self.workers.pop(pid), os.waitstatus_to_exitcode(status))

    def _exited(self, worker: Worker, code: int) -> None:
        self.board.vacate(worker.entry)
        if worker.status >= 0:
            self._selector.unregister(worker.status)
            os.close(worker.status)
        os.close(worker.control)
        was_incoming = worker is self.incoming
        if was_incoming:
            self.incoming = None
        elif self.slots[worker.slot] is worker:
            self.slots[worker.slot] = None
        how = exit_description(code)
        if worker.stopping or self.stopping:
            logger.info("worker %d stopped (%s)", worker.pid, how)
        elif worker.ready:
            logger.error(
                "worker %d died (%s) after %.1f s; starting a new one",
                worker.pid,
                how,
                time.monotonic() - worker.started,
            )
            self.respawn_at[worker.slot] = time.monotonic()
        else:
            self._start_failed(worker, code, how, was_incoming)

    def _start_failed(self, worker: Worker, code: int, how: str, was_incoming: bool) -> None:
        """A worker exited before it was ready: back off, give up, or abandon the restart."""
        self.failures += 1
        serving = any(w is not None and w.ready for w in self.slots)
        if not serving and (code == USAGE_ERROR or self.failures >= MAX_STARTUP_FAILURES):
            logger.error(
                "no worker could start (%d failed start-ups in a row, the last: %s); giving up",
                self.failures,
                how,
            )
            self.exit_status = code if code > 0 else 1
            self.stop(None)
            return
        if was_incoming and self.failures >= MAX_STARTUP_FAILURES:
            logger.error(
                "rolling restart abandoned: %d new workers in a row failed to start (the "
                "last: %s); the old workers keep serving",
                self.failures,
                how,
            )
            self.rolling.clear()
            self.failures = 0
            return
        delay = min(BACKOFF_FIRST * 2 ** (self.failures - 1), BACKOFF_MAX)
        logger.warning(
            "worker %d exited before it was ready (%s); starting another in %.1f s "
            "(%d failed start-ups in a row)",
            worker.pid,
            how,
            delay,
            self.failures,
        )
        if was_incoming:
            self.rolling.appendleft(worker.slot)
            self.roll_at = time.monotonic() + delay
        else:
            self.respawn_at[worker.slot] = time.monotonic() + delay

    def _run_due(self, now: float) -> None:
        """Start the workers whose time has come; kill the ones past their grace period."""
        for slot, due in list(self.respawn_at.items()):
            if due <= now:
                del self.respawn_at[slot]
                self._spawn(slot)
        if self.roll_at is not None and self.roll_at <= now and self.incoming is None:
            self.roll_at = None
            self._replace_next()
        for worker in self.workers.values():
            if worker.kill_at <= now:
                logger.warning("worker %d is still running: killing it", worker.pid)
                worker.kill_at = math.inf
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)

    # --- commands ---------------------------------------------------------------------------
    def roll(self) -> None:
        """Replace every worker, one at a time (SIGHUP)."""
        if self.stopping:
            return
        logger.info("SIGHUP: replacing %d worker(s) one at a time", self.count)
        self.rolling = deque(range(self.count))
        self.failures = 0
        if self.incoming is None and self.roll_at is None:
            self.roll_at = time.monotonic()

    def _replace_next(self) -> None:
        while self.rolling:
            slot = self.rolling.popleft()
            current = self.slots[slot]
            if current is not None and current.ready:  # (else it is starting anew anyway)
                self._spawn(slot, incoming=True)
                return
        logger.info("rolling restart done")

    def stop(self, signame: str | None) -> None:
        """Drain every worker (SIGTERM/SIGINT); a second call forces them out."""
        if self.stopping:
            if signame is not None and not self.forced:
                logger.warning("second signal: forcing exit")
                self.forced = True
                for worker in self.workers.values():
                    self._tell(worker, FORCE)
            return
        self.stopping = True
        if signame is not None:
            logger.info("shutting down (%s): draining %d worker(s)", signame, len(self.workers))
        for sock in self.sockets:  # new connections are refused once the workers close theirs
            sock.close()
        self.respawn_at.clear()
        self.rolling.clear()
        self.roll_at = None
        for worker in self.workers.values():
            self._tell(worker, STOP)
