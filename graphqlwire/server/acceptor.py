"""Accepting connections from a listening socket that several worker processes share.

asyncio's own server accepts every connection waiting in the queue each time the socket
becomes readable (up to the backlog), so with workers sharing one socket, whichever wakes
first takes a whole burst: measured with ``tools/bench``, one of 2 workers took 99% of the
32 connections ``wrk`` opens at once. A `SharedListener` accepts one connection per
readiness event, and holds back while its worker has more connections open than the least
loaded one (`LoadBoard`, memory shared by the workers), so connections spread evenly. The
hold-back is bounded (`HOLD_BACK`): a worker that stops accepting (busy, or hung) cannot
keep the others from taking connections.
"""

from __future__ import annotations

import asyncio
import mmap
import socket
import ssl
from collections.abc import Callable, Sized

from .state import logger

__all__ = ["LoadBoard", "SharedListener"]

#: Longest pause (s) of a worker ahead of the others before it accepts anyway.
HOLD_BACK = 0.005
#: Pause (s) after accept() fails for lack of resources (descriptors, memory).
ACCEPT_RETRY_DELAY = 1.0


class LoadBoard:
    """Open connections per accepting worker, in anonymous memory shared across ``fork``.

    Made by the supervisor before it forks; it gives each worker an entry of its own, which
    only that worker writes while it accepts. An entry that is `VACANT` (no worker, or one
    that no longer accepts) never counts as the least loaded. A value may be a moment old:
    it is a hint for spreading connections, never a limit.
    """

    VACANT = 2**62

    def __init__(self, entries: int) -> None:
        self._memory = mmap.mmap(-1, 8 * entries)
        self.counts = memoryview(self._memory).cast("q")
        for entry in range(entries):
            self.vacate(entry)

    def vacate(self, entry: int) -> None:
        """The worker of `entry` stopped accepting (or was never there)."""
        self.counts[entry] = self.VACANT

    def ahead(self, entry: int, open_now: int) -> bool:
        """Record `open_now` for `entry`; whether it is ahead of the least loaded worker."""
        counts = self.counts
        counts[entry] = open_now
        return open_now > min(counts)


class SharedListener:
    """Serves the connections of one shared listening socket with `factory`'s protocols."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        factory: Callable[[], asyncio.Protocol],
        ssl_context: ssl.SSLContext | None,
        connections: Sized,
        board: tuple[LoadBoard, int] | None,
    ) -> None:
        self._loop = loop
        self._sock = sock
        self._factory = factory
        self._ssl = ssl_context
        self._connections = connections  # (this worker's open connections)
        self._board = board
        self._held_since: float | None = None
        self._retry: asyncio.TimerHandle | None = None
        self._closed = False
        sock.setblocking(False)
        if board is not None:
            board[0].ahead(board[1], 0)  # (accepting from now on)
        loop.add_reader(sock.fileno(), self._on_readable)

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return () if self._closed else (self._sock,)

    def close(self) -> None:
        """Stop accepting and close this process's copy of the socket (the others keep it)."""
        if self._closed:
            return
        self._closed = True
        if self._retry is not None:
            self._retry.cancel()
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        if self._board is not None:
            self._board[0].vacate(self._board[1])

    def _on_readable(self) -> None:
        if self._board is not None and self._hold_back():
            return
        try:
            conn, _ = self._sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # another worker took it
        except OSError as error:  # out of descriptors or memory: retry in a while
            logger.error("cannot accept connections: %s", error)
            self._pause(ACCEPT_RETRY_DELAY)
            return
        self._held_since = None
        conn.setblocking(False)
        self._loop.create_task(self._connect(conn))

    def _hold_back(self) -> bool:
        """Whether to leave the waiting connection to a less loaded worker for now."""
        board, slot = self._board  # type: ignore[misc]
        if not board.ahead(slot, len(self._connections)):
            return False
        now = self._loop.time()
        if self._held_since is None:
            self._held_since = now
        elif now - self._held_since >= HOLD_BACK:
            return False  # nobody else took it: accept anyway
        self._pause(HOLD_BACK / 5)
        return True

    def _pause(self, seconds: float) -> None:
        """Stop watching the socket for `seconds` (it stays readable: no busy loop)."""
        self._loop.remove_reader(self._sock.fileno())
        self._retry = self._loop.call_later(seconds, self._resume)

    def _resume(self) -> None:
        self._retry = None
        if not self._closed:
            self._loop.add_reader(self._sock.fileno(), self._on_readable)

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._factory, conn, ssl=self._ssl)
        except (OSError, ssl.SSLError) as error:  # (a TLS handshake that failed, ...)
            logger.info("connection dropped before it started: %r", error)
            conn.close()
