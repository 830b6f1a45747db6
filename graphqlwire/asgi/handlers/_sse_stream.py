"""The I/O side of GraphQL over SSE: the streaming response and the channel feeding it.

``ServerSentEventResponse`` writes an event stream: a keep-alive comment at once and on an
interval, the events as they come, and it notices the client leaving (``http.disconnect``)
to cancel whatever produces the events. ``Channel`` sits between the tasks that run
operations and the response: operations ``put`` encoded events, the response ``take``s
everything waiting at once, so a fast subscription's events leave in one write (one
syscall, one chunk) instead of one each, and a slow client holds its producers back once
``limit`` events wait (memory stays bounded).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from typing import Any

from ...execution import get_logger
from ...http import Response
from ...protocols.sse import KEEP_ALIVE
from ...types import Receive, Scope, Send

EVENT_STREAM = "text/event-stream"
#: Sent with every event stream: graphql-sse's reference server's headers, and nginx's
#: switch that stops it buffering the stream.
STREAM_HEADERS = {
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    "content-encoding": "none",
}


class ServerSentEventResponse(Response):
    """A 200 ``text/event-stream`` response that writes the chunks of `events` as they come.

    A keep-alive comment goes out at once (some browsers and proxies hold a stream whose
    first bytes have not arrived) and then every `ping_interval` seconds. The response
    ends when `events` does; when the client disconnects first, the task consuming
    `events` is cancelled wherever it waits. Either way `events` is closed and `on_close`
    runs, even when the response could not even start (the client left before).

    # Required arguments

    `events`: an async iterator of encoded events (``graphqlwire.protocols.sse``).

    # Optional arguments

    `ping_interval`: seconds between keep-alive comments (None: none after the first).

    `headers`: extra response headers.

    `on_close`: awaited once the stream is over, however it ended (stops the producers).
    """

    media_type = EVENT_STREAM

    def __init__(
        self,
        events: AsyncIterator[bytes],
        *,
        ping_interval: float | None = 12.0,
        headers: Mapping[str, str] | None = None,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.status_code = 200
        self.on_close = on_close
        self.body = b""
        self.events = events
        self.ping_interval = ping_interval
        raw = {
            **STREAM_HEADERS,
            **(headers or {}),
            "content-type": f"{EVENT_STREAM}; charset=utf-8",
        }
        self.raw_headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in raw.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": KEEP_ALIVE, "more_body": True})
            finished = await self._stream(receive, send)
        finally:
            try:
                await _close(self.events)
            finally:
                if self.on_close is not None:
                    await self.on_close()
        if finished:
            with contextlib.suppress(OSError):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _stream(self, receive: Receive, send: Send) -> bool:
        """Write the events until they end (True) or the client leaves (False)."""
        lock = asyncio.Lock()
        writer = asyncio.ensure_future(self._write_events(send, lock))
        tasks = {writer, asyncio.ensure_future(_wait_for_disconnect(receive))}
        if self.ping_interval is not None:
            tasks.add(asyncio.ensure_future(_keep_alive(send, lock, self.ping_interval)))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks)
        for task in tasks:
            failure = None if task.cancelled() else task.exception()
            if failure is not None and not isinstance(failure, OSError):  # OSError: gone
                get_logger(None).error("An event stream failed", exc_info=failure)
        return not writer.cancelled() and writer.exception() is None

    async def _write_events(self, send: Send, lock: asyncio.Lock) -> None:
        async for chunk in self.events:
            async with lock:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def _keep_alive(send: Send, lock: asyncio.Lock, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        async with lock:
            await send({"type": "http.response.body", "body": KEEP_ALIVE, "more_body": True})


async def _wait_for_disconnect(receive: Receive) -> None:
    """Return once the client is gone (the body was read before the response started)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _close(events: AsyncIterator[bytes]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()


class Channel:
    """Encoded events on their way to one event stream, and the tasks producing them.

    # Required arguments

    `limit`: most events waiting; a producer's ``put`` past it waits until ``take``.
    """

    __slots__ = ("_chunks", "_ended", "_reader", "_space", "limit", "tasks")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._chunks: list[bytes] = []
        self._ended = False
        self._reader: asyncio.Future[None] | None = None
        self._space: asyncio.Future[None] | None = None

    async def put(self, chunk: bytes) -> None:
        """Queue `chunk`; waits (only) while ``limit`` events are waiting already."""
        while len(self._chunks) >= self.limit:
            if self._space is None:
                self._space = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._space)
        self._chunks.append(chunk)
        _wake(self._reader)

    def end(self) -> None:
        """No more events will come: ``take`` returns None once the waiting ones are out."""
        self._ended = True
        _wake(self._reader)

    async def take(self) -> bytes | None:
        """Every event waiting, joined (one write); None after ``end`` and the last one."""
        while not self._chunks:
            if self._ended:
                return None
            self._reader = asyncio.get_running_loop().create_future()
            try:
                await self._reader
            finally:
                self._reader = None
        chunks = self._chunks
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        space, self._space = self._space, None
        _wake(space)
        return data

    async def stream(self) -> AsyncIterator[bytes]:
        """What ``take`` returns, until it returns None."""
        while (data := await self.take()) is not None:
            yield data

    def start(self, operation_id: str, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run an operation's producer in its own task."""
        self.tasks[operation_id] = asyncio.ensure_future(coroutine)

    def forget(self, operation_id: str) -> None:
        """The calling task (an operation's producer) is ending: drop it."""
        if self.tasks.get(operation_id) is asyncio.current_task():
            del self.tasks[operation_id]

    async def stop(self, operation_id: str) -> None:
        """Cancel one operation's producer and wait until it is done."""
        task = self.tasks.pop(operation_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.wait({task})

    def cancel_all(self) -> None:
        """Cancel every producer (they clean up in their own time)."""
        for task in self.tasks.values():
            task.cancel()

    async def stop_all(self) -> None:
        """Cancel every producer and wait until they are done."""
        tasks = set(self.tasks.values())
        self.cancel_all()
        if tasks:
            await asyncio.wait(tasks)


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)
