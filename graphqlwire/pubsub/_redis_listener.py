"""The process's one subscribing connection to Redis, kept up for as long as the process runs.

One task owns the connection: it connects, subscribes to every wanted channel, then reads
replies (messages, SUBSCRIBE confirmations, PING answers) while a writer sends the commands
queued meanwhile and a watchdog PINGs a connection that has been quiet for a while. When
anything fails, the connection is dropped, every channel stops being live, and the task
reconnects after a backoff that doubles up to `max_delay` (with jitter, so the workers of a
host do not reconnect in step), then resubscribes. The outage and the recovery are logged
once each. Messages published while the connection is down never reach this process:
Redis pub/sub delivers at most once.

A channel is *live* once Redis confirmed the SUBSCRIBE that the current connection sent for
it. SUBSCRIBE confirmations come back in the order the commands were sent, so each channel
keeps the queue of its unconfirmed SUBSCRIBEs and a confirmation settles the oldest one
(a quick UNSUBSCRIBE then SUBSCRIBE never counts the first confirmation for the second).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from asyncio import FIRST_COMPLETED
from collections import deque
from collections.abc import Callable
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool

from ._base import PubSubStats
from ._errors import SubscribeError

__all__ = ["RedisListener"]

logger = logging.getLogger("graphqlwire.pubsub")


class _Channel:
    """One wanted channel: `live` is set while the current connection is subscribed to it."""

    __slots__ = ("live",)

    def __init__(self) -> None:
        self.live = asyncio.Event()


class RedisListener:
    """Subscribes to channels on one connection of `pool` and hands messages to `on_message`.

    # Required arguments

    `pool`: makes the connection (its URL decides TCP, TLS or a Unix socket).

    `on_message`: called with (channel, data) for every message received.

    `stats`: the backend's counters (`errors` counts lost connections).

    `where`: the broker's address for log lines and errors (no password).

    # Optional arguments

    `timeout`: seconds to connect, and to wait for a SUBSCRIBE confirmation.

    `min_delay`, `max_delay`: bounds of the reconnection backoff in seconds.

    `health_check_interval`: seconds of silence after which the connection is PINGed;
    twice that without any reply drops it.
    """

    def __init__(
        self,
        pool: ConnectionPool,
        on_message: Callable[[bytes, bytes], None],
        stats: PubSubStats,
        where: str,
        *,
        timeout: float = 3.0,
        min_delay: float = 0.05,
        max_delay: float = 2.0,
        health_check_interval: float = 5.0,
    ) -> None:
        self._pool = pool
        self._on_message = on_message
        self._stats = stats
        self._where = where
        self._timeout = timeout
        self._min_delay = min_delay
        self._max_delay = max_delay
        self._health_check_interval = health_check_interval
        self._wanted: dict[bytes, _Channel] = {}
        self._unconfirmed: dict[bytes, deque[_Channel]] = {}
        self._outbox: list[tuple[Any, ...]] = []
        self._outbox_ready = asyncio.Event()
        self._last_reply = 0.0
        self._task: asyncio.Task[None] | None = None
        #: The connection while it is open (commands can be sent), else None.
        self._session: AbstractConnection | None = None
        self._failures = 0
        self._outage_since: float | None = None
        #: True while the connection is open and subscribed to every wanted channel.
        self.connected = False
        #: Why the last connection attempt failed or the connection was lost.
        self.last_error: str | None = None

    def start(self) -> None:
        """Start keeping the connection (once; needs a running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Drop the connection and stop reconnecting."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait_connected(self) -> bool:
        """Start, then wait up to `timeout` for the connection; whether it is up."""
        self.start()
        deadline = asyncio.get_running_loop().time() + self._timeout
        while not self.connected and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        return self.connected

    def add(self, name: bytes) -> None:
        """Want channel `name` from now on (subscribed now, and again after reconnecting)."""
        channel = self._wanted[name] = _Channel()
        if self._session is not None:
            self._send_subscribe([name], [channel])
        self.start()

    async def wait_live(self, name: bytes, topic: str) -> None:
        """Wait until channel `name` is live; `SubscribeError` after `timeout` seconds."""
        channel = self._wanted[name]
        if channel.live.is_set():
            return
        try:
            await asyncio.wait_for(channel.live.wait(), self._timeout)
        except asyncio.TimeoutError:
            reason = f" ({self.last_error})" if self.last_error and not self.connected else ""
            raise SubscribeError(
                f"cannot subscribe to topic {topic!r}: Redis at {self._where} did not confirm "
                f"within {self._timeout:g} s{reason}"
            ) from None

    def remove(self, name: bytes) -> None:
        """Stop wanting channel `name`."""
        if self._wanted.pop(name, None) is not None and self._session is not None:
            self._queue(("UNSUBSCRIBE", name))

    def _send_subscribe(self, names: list[bytes], channels: list[_Channel]) -> None:
        for name, channel in zip(names, channels, strict=True):
            self._unconfirmed.setdefault(name, deque()).append(channel)
        self._queue(("SUBSCRIBE", *names))

    def _queue(self, command: tuple[Any, ...]) -> None:
        self._outbox.append(command)
        self._outbox_ready.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            connection = self._new_connection()
            try:
                await asyncio.wait_for(connection.connect(), self._timeout)  # type: ignore[no-untyped-call]
                self._last_reply = loop.time()
                self._session = connection
                self._resubscribe()
                await self._serve(connection)
            except Exception as error:  # (a refused or lost connection, or a bad reply)
                self._went_down(error)
            finally:
                self._drop()
                with contextlib.suppress(Exception):
                    await connection.disconnect(nowait=True)
            delay = min(self._max_delay, self._min_delay * 2**self._failures)
            self._failures += 1
            await asyncio.sleep(random.uniform(delay / 2, delay))

    def _new_connection(self) -> AbstractConnection:
        connection: AbstractConnection = self._pool.make_connection()  # type: ignore[no-untyped-call]
        return connection

    def _came_up(self) -> None:
        """Every wanted channel is live on a new connection: log the end of an outage."""
        self.connected = True
        self._failures = 0
        if self._outage_since is not None:
            logger.warning(
                "pub/sub: Redis at %s is back after %.1f s; resubscribed to %d topics",
                self._where,
                asyncio.get_running_loop().time() - self._outage_since,
                len(self._wanted),
            )
            self._outage_since = None

    def _went_down(self, error: Exception) -> None:
        """The connection failed or could not be made: log the start of an outage."""
        self.last_error = f"{type(error).__name__}: {error}" if str(error) else repr(error)
        if self.connected:
            self._stats.errors += 1
        if self._outage_since is None:
            self._outage_since = asyncio.get_running_loop().time()
            logger.warning(
                "pub/sub: %s Redis at %s (%s); reconnecting, messages published meanwhile are lost",
                "lost" if self.connected else "cannot reach",
                self._where,
                self.last_error,
            )

    def _resubscribe(self) -> None:
        self._outbox.clear()
        self._unconfirmed.clear()
        if self._wanted:
            self._send_subscribe(list(self._wanted), list(self._wanted.values()))

    def _drop(self) -> None:
        self.connected = False
        self._session = None
        self._outbox.clear()
        self._unconfirmed.clear()
        for channel in self._wanted.values():
            channel.live.clear()

    async def _serve(self, connection: AbstractConnection) -> None:
        """Read, write and watch `connection` until one of them fails (it always raises).

        The connection counts as up once Redis confirmed every SUBSCRIBE it was sent
        first. The writer is stopped by `stopping`, not cancelled: redis-py may finish a
        write it was cancelled in and return normally, leaving the writer waiting forever.
        """
        stopping = asyncio.Event()
        tasks = [
            asyncio.ensure_future(job)
            for job in (self._read(connection), self._watch(), self._write(connection, stopping))
        ]
        confirming = asyncio.ensure_future(self._all_live())
        try:
            done, _ = await asyncio.wait([*tasks, confirming], return_when=FIRST_COMPLETED)
            if confirming in done:
                confirming.result()
                self._came_up()
                done, _ = await asyncio.wait(tasks, return_when=FIRST_COMPLETED)
            for task in done:
                task.result()
            raise ConnectionError("the connection ended")
        finally:
            confirming.cancel()
            stopping.set()
            self._outbox_ready.set()
            for task in tasks[:2]:
                task.cancel()
            ended, stuck = await asyncio.wait(tasks, timeout=self._timeout)
            for task in stuck:
                task.cancel()
            for task in ended:  # (retrieved: an error after the first one is not news)
                if not task.cancelled():
                    task.exception()

    async def _all_live(self) -> None:
        """Wait until Redis confirmed every channel wanted now (TimeoutError after timeout)."""
        waits = [channel.live.wait() for channel in self._wanted.values()]
        await asyncio.wait_for(asyncio.gather(*waits), self._timeout)

    async def _read(self, connection: AbstractConnection) -> None:
        loop = asyncio.get_running_loop()
        on_message, unconfirmed = self._on_message, self._unconfirmed
        while True:
            # (RESP3 connections get pub/sub replies as pushes: push_request asks for them.)
            reply = await connection.read_response(timeout=math.inf, push_request=True)
            self._last_reply = loop.time()
            if type(reply) is not list:  # PING's answer over RESP3
                continue
            kind = reply[0]
            if kind == b"message":
                on_message(reply[1], reply[2])
            elif kind == b"subscribe":
                waiting = unconfirmed.get(reply[1])
                if waiting:
                    waiting.popleft().live.set()

    async def _write(self, connection: AbstractConnection, stopping: asyncio.Event) -> None:
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            if stopping.is_set():
                return
            commands, self._outbox = self._outbox, []
            if commands:
                packed = connection.pack_commands(commands)
                await connection.send_packed_command(packed, check_health=False)

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        interval = self._health_check_interval
        while True:
            await asyncio.sleep(interval / 2)
            quiet = loop.time() - self._last_reply
            if quiet >= 2 * interval:
                raise ConnectionError(f"no reply for {quiet:.1f} s")
            if quiet >= interval:
                self._queue(("PING",))
