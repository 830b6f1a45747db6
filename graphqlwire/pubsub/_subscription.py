"""One subscriber's view of a topic: a bounded buffer read as an async iterator.

The backend pushes every message of the topic into each of its subscriptions without
waiting (`push` never blocks the publisher or the other subscribers). A subscription whose
buffer is full is ended instead of growing: its reader gets the messages already buffered,
then `SubscriptionOverflow`. Closing a subscription (``aclose()``, leaving ``async with``,
or a GraphQL operation that completes) releases it from its topic at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from types import TracebackType
from typing import Any

from ._errors import SubscriptionOverflow

__all__ = ["SubscribeContext", "Subscription"]


class Subscription:
    """The messages of `topic` published since this subscription went live, in order.

    # Required arguments

    `topic`: the topic subscribed to.

    `limit`: how many messages may wait unread before the subscription is ended.

    `release`: called once when the subscription ends, to take it off its topic.
    """

    __slots__ = ("_buffer", "_end", "_limit", "_release", "_waiter", "topic")

    def __init__(self, topic: str, limit: int, release: Callable[[Subscription], None]) -> None:
        self.topic = topic
        self._limit = limit
        self._release: Callable[[Subscription], None] | None = release
        self._buffer: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None
        #: Why iteration ends once the buffer is empty: None while open, else the error to
        #: raise (StopAsyncIteration after a close).
        self._end: BaseException | None = None

    @property
    def pending(self) -> int:
        """How many messages wait unread in the buffer."""
        return len(self._buffer)

    @property
    def closed(self) -> bool:
        """True once the subscription ended (closed, overflowed or failed)."""
        return self._end is not None

    def push(self, message: Any) -> bool:
        """Buffer `message`; False when it was not taken (ended, or the buffer is full).

        A full buffer does not end the subscription here: the backend calls `overflow` once
        it has finished delivering to everyone (so no topic changes while it iterates).
        """
        if self._end is not None or len(self._buffer) >= self._limit:
            return False
        self._buffer.append(message)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return True

    def overflow(self) -> None:
        """End the subscription because its reader fell `limit` messages behind."""
        self.fail(
            SubscriptionOverflow(
                f"subscription to topic {self.topic!r} ended: its reader fell "
                f"{self._limit} messages behind"
            )
        )

    def fail(self, error: BaseException) -> None:
        """End the subscription: buffered messages are read first, then `error` is raised."""
        if self._end is None:
            self._end = error
            self._finish()

    def close(self) -> None:
        """End the subscription now, dropping what is buffered (iteration then stops)."""
        if self._end is None:
            self._end = StopAsyncIteration()
        self._buffer.clear()
        self._finish()

    async def aclose(self) -> None:
        """`close`, as async iterators do (graphql-core calls it when an operation ends)."""
        self.close()

    def _finish(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release(self)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Any:
        buffer = self._buffer
        while not buffer:
            end = self._end
            if end is not None:
                raise StopAsyncIteration if isinstance(end, StopAsyncIteration) else end
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return buffer.popleft()

    def __repr__(self) -> str:
        state = "open" if self._end is None else "ended"
        return f"<Subscription {self.topic!r} {state}, {len(self._buffer)} pending>"


class SubscribeContext:
    """What ``pubsub.subscribe(topic)`` returns: use it with ``async with`` or ``await`` it.

    ``async with pubsub.subscribe(topic) as events:`` is live when the block starts and
    closed when it ends. ``events = await pubsub.subscribe(topic)`` is live too; the caller
    closes it (``await events.aclose()``). A GraphQL ``subscribe`` resolver may return the
    context as is: graphql-core awaits it, iterates the subscription and closes it when the
    operation ends, so no event published after the operation started is missed.
    """

    __slots__ = ("_start", "_subscription")

    def __init__(self, start: Callable[[], Awaitable[Subscription]]) -> None:
        self._start = start
        self._subscription: Subscription | None = None

    def __await__(self) -> Generator[Any, None, Subscription]:
        return self._start().__await__()

    async def __aenter__(self) -> Subscription:
        self._subscription = await self._start()
        return self._subscription

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._subscription is not None:
            self._subscription.close()
