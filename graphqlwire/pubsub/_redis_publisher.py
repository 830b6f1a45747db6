"""The process's one publishing connection to Redis, shared by every task, pipelined.

Commands from concurrent callers are written together as soon as the event loop comes
round (one write for all of them) and Redis answers them in order, so a burst of
mutations costs one round trip rather than one each, and the messages keep the order of
the calls. Every call fails fast: connecting and each reply are bounded by `timeout`. A
reply that does not come in time, or any connection error, drops the connection (the
replies could no longer be matched to their commands) and fails every call waiting on
it; the next call connects again.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["RedisPublisher"]


class RedisPublisher:
    """Runs commands on one connection of `pool`; replies within `timeout` seconds or errors."""

    def __init__(self, pool: ConnectionPool, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout
        self._connection: AbstractConnection | None = None
        self._attempt: asyncio.Future[AbstractConnection] | None = None
        self._waiting: deque[asyncio.Future[Any]] = deque()
        self._outgoing: list[bytes] = []
        self._outgoing_ready = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def execute(self, *command: Any) -> Any:
        """Send `command` (after any sent before it) and return Redis's reply.

        Raises redis-py's ResponseError for an error reply, ConnectionError or TimeoutError
        when Redis is unreachable or slow.
        """
        connection = self._connection or await self._connect()
        if connection is not self._connection:  # (lost while this call waited for it)
            raise RedisConnectionError("the connection was lost")
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append(reply)
        self._outgoing += connection.pack_command(*command)
        self._outgoing_ready.set()
        try:
            return await asyncio.wait_for(asyncio.shield(reply), self._timeout)
        except asyncio.TimeoutError:
            error = RedisTimeoutError(f"no reply within {self._timeout:g} s")
            self._drop(connection, error)
            raise error from None

    async def aclose(self) -> None:
        """Close the connection; calls still waiting fail."""
        if self._attempt is not None:
            self._attempt.cancel()
        if self._connection is not None:
            self._drop(self._connection, RedisConnectionError("the publisher was closed"))
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _connect(self) -> AbstractConnection:
        """The connection, opened by one attempt that every caller waiting meanwhile shares
        (a burst of calls to a Redis that hangs fails after one `timeout`, not one each)."""
        attempt = self._attempt
        if attempt is None or attempt.done():
            attempt = self._attempt = asyncio.ensure_future(self._open())
            attempt.add_done_callback(_retrieved)
        return await asyncio.shield(attempt)

    async def _open(self) -> AbstractConnection:
        if self._connection is not None:
            return self._connection
        connection: AbstractConnection = self._pool.make_connection()  # type: ignore[no-untyped-call]
        try:
            await asyncio.wait_for(connection.connect(), self._timeout)  # type: ignore[no-untyped-call]
        except asyncio.TimeoutError:
            await connection.disconnect(nowait=True)
            raise RedisTimeoutError(f"no connection within {self._timeout:g} s") from None
        self._connection = connection
        self._outgoing.clear()
        for job in (self._read(connection), self._write(connection)):
            self._keep(asyncio.ensure_future(job))
        return connection

    def _keep(self, task: asyncio.Task[Any]) -> None:
        """Hold a reference to `task` until it is done (and let `aclose` cancel it)."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self, connection: AbstractConnection) -> None:
        waiting = self._waiting
        while self._connection is connection:
            try:
                reply = await connection.read_response(timeout=math.inf)
            except ResponseError as error:  # an error reply: that command's error
                reply = error
            except Exception as error:
                self._drop(connection, error)
                return
            if not waiting:  # (a reply to nothing: the stream is out of step)
                self._drop(connection, RedisConnectionError("unexpected reply"))
                return
            future = waiting.popleft()
            if future.done():
                continue
            if isinstance(reply, ResponseError):
                future.set_exception(reply)
                future.exception()  # (retrieved: its caller may have gone)
            else:
                future.set_result(reply)

    async def _write(self, connection: AbstractConnection) -> None:
        while self._connection is connection:
            await self._outgoing_ready.wait()
            self._outgoing_ready.clear()
            if self._connection is not connection:
                return
            batch, self._outgoing = self._outgoing, []
            if not batch:
                continue
            try:
                await connection.send_packed_command(batch, check_health=False)
            except Exception as error:
                self._drop(connection, error)
                return

    def _drop(self, connection: AbstractConnection, error: Exception) -> None:
        """Forget `connection` and fail every call waiting on it with `error`."""
        if self._connection is not connection:
            return
        self._connection = None
        self._outgoing.clear()
        self._outgoing_ready.set()  # (the writer sees the connection is gone and ends)
        failure = error if isinstance(error, RedisConnectionError | RedisTimeoutError) else None
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_exception(failure or RedisConnectionError(str(error) or repr(error)))
                future.exception()
        self._keep(asyncio.ensure_future(connection.disconnect(nowait=True)))


def _retrieved(attempt: asyncio.Future[Any]) -> None:
    """Mark a failed connection attempt's error as seen: its callers got it, if any."""
    if not attempt.cancelled():
        attempt.exception()
