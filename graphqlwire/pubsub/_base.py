"""What every pub/sub backend shares: the topics of this process, their subscribers, counters.

A backend only moves messages between processes (or not at all, in memory). Within the
process, each topic has one set of subscriptions, and a message reaching the process is
pushed into each of them (`_fan_out`). The first subscription of a topic asks the backend
to listen to it (`_listen`, awaited: the subscription is live when it returns), the last
one to leave tells it to stop (`_unlisten`): subscribing is reference-counted per topic.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

from ._subscription import SubscribeContext, Subscription

__all__ = ["DEFAULT_BUFFER_SIZE", "PubSub", "PubSubStats"]

#: Messages one subscriber may leave unread before its subscription is ended.
DEFAULT_BUFFER_SIZE = 1000


@dataclass
class PubSubStats:
    """Counters since the backend was created (for health checks and metrics)."""

    #: Messages published successfully by this process.
    published: int = 0
    #: Messages handed to a subscription of this process (one per subscriber).
    delivered: int = 0
    #: Messages a subscriber's full buffer could not take (each ended that subscription).
    dropped: int = 0
    #: Failed publishes, undecodable messages received, lost broker connections.
    errors: int = 0


class PubSub(abc.ABC):
    """A broadcast between resolvers: ``await publish(topic, message)``, ``subscribe(topic)``.

    # Optional arguments

    `buffer_size`: messages each subscriber may leave unread before its subscription is
    ended with `SubscriptionOverflow` (default 1000; `subscribe` can override it).
    """

    def __init__(self, *, buffer_size: int = DEFAULT_BUFFER_SIZE) -> None:
        if buffer_size < 1:
            raise ValueError(f"buffer_size must be at least 1, not {buffer_size}")
        self.buffer_size = buffer_size
        self.stats = PubSubStats()
        self._topics: dict[str, set[Subscription]] = {}

    @property
    def connected(self) -> bool:
        """Whether events from other processes can arrive now (always True in memory)."""
        return True

    @abc.abstractmethod
    async def publish(self, topic: str, message: Any) -> None:
        """Send `message` to every current subscriber of `topic`, in every process.

        Raises `PublishError` when the broker cannot take it (within the backend's timeout).
        """

    def subscribe(self, topic: str, *, buffer_size: int | None = None) -> SubscribeContext:
        """The messages of `topic` from now on: ``async with`` or ``await`` the result.

        The subscription is live once that returns: every message published afterwards,
        from any process, reaches it. `buffer_size` overrides the backend's for this one.
        """
        check_topic(topic)
        limit = self.buffer_size if buffer_size is None else buffer_size
        if limit < 1:
            raise ValueError(f"buffer_size must be at least 1, not {limit}")
        return SubscribeContext(lambda: self._start(topic, limit))

    def subscribers(self, topic: str) -> int:
        """How many subscriptions of this process `topic` has now."""
        return len(self._topics.get(topic, ()))

    @property
    def topics(self) -> list[str]:
        """The topics this process listens to now."""
        return list(self._topics)

    async def aclose(self) -> None:
        """End every subscription and release the backend's resources."""
        for subscribers in list(self._topics.values()):
            for subscription in list(subscribers):
                subscription.close()

    async def _start(self, topic: str, limit: int) -> Subscription:
        subscription = Subscription(topic, limit, self._release)
        subscribers = self._topics.get(topic)
        first = subscribers is None
        if subscribers is None:
            subscribers = self._topics[topic] = set()
        subscribers.add(subscription)
        try:
            await self._listen(topic, first)
        except BaseException:
            subscription.close()
            raise
        return subscription

    def _release(self, subscription: Subscription) -> None:
        subscribers = self._topics.get(subscription.topic)
        if subscribers is None:
            return
        subscribers.discard(subscription)
        if not subscribers:
            del self._topics[subscription.topic]
            self._unlisten(subscription.topic)

    def _fan_out(self, topic: str, message: Any) -> None:
        """Push `message` into every subscription of `topic` in this process."""
        subscribers = self._topics.get(topic)
        if not subscribers:
            return
        behind = [subscription for subscription in subscribers if not subscription.push(message)]
        self.stats.delivered += len(subscribers) - len(behind)
        if behind:
            self.stats.dropped += len(behind)
            for subscription in behind:
                subscription.overflow()

    @abc.abstractmethod
    async def _listen(self, topic: str, first: bool) -> None:
        """Make `topic` live for a new subscriber (`first`: no other one had it)."""

    @abc.abstractmethod
    def _unlisten(self, topic: str) -> None:
        """The last subscriber of `topic` left."""


def check_topic(topic: object) -> None:
    if not isinstance(topic, str) or not topic:
        raise ValueError(f"a topic must be a non-empty string, not {topic!r}")
