"""The Redis backend (``redis://``, ``rediss://``, ``unix://``): events across processes and hosts.

Needs redis-py (``pip install graphqlwire[redis]``); this module is the only one that
imports it, and only when a Redis URL is used. Each process keeps two connections: one
for publishing (`RedisPublisher`: concurrent publishes are pipelined) and one subscribed
to the channels its subscribers listen to (`RedisListener`), however many subscribers
there are. A topic is the Redis channel ``prefix + topic``. A message travels through
Redis even to the subscribers of the process that published it, so every subscriber, in
every process, sees the messages of a topic in the same order.

Delivery is at most once: a message published while a process's subscribing connection
is down never reaches that process. A publish fails fast (`PublishError` within `timeout`)
when Redis cannot take it.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

from ._base import DEFAULT_BUFFER_SIZE, PubSub, check_topic
from ._errors import PublishError, PubSubError
from ._redis_listener import RedisListener, logger
from ._redis_publisher import RedisPublisher
from ._serializers import JSONSerializer, Serializer
from ._subscription import Subscription

__all__ = ["RedisPubSub"]

DEFAULT_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PREFIX = "graphqlwire:"


class RedisPubSub(PubSub):
    """Pub/sub through a Redis server, shared by every process that uses the same one.

    # Optional arguments

    `url`: ``redis://[:password@]host:port/db``, ``rediss://...`` (TLS) or
    ``unix:///path/to/socket?db=0``; redis-py's URL options apply.

    `prefix`: put before every topic to make its channel name, so several apps can share
    one Redis (default ``graphqlwire:``).

    `serializer`: turns messages into bytes and back (`JSONSerializer` by default); every
    process on the same Redis must use the same one.

    `buffer_size`: messages each subscriber may leave unread (see `PubSub`).

    `timeout`: seconds a publish, a connection attempt or a SUBSCRIBE confirmation may
    take before it fails (default 3).

    `max_reconnect_delay`: longest pause in seconds between reconnection attempts
    (default 2; the pauses start at 50 ms and double, with jitter).

    `health_check_interval`: seconds of silence on the subscribing connection after which
    it is PINGed; twice that without an answer counts as a lost connection (default 5).
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        prefix: str = DEFAULT_PREFIX,
        serializer: Serializer | None = None,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        timeout: float = 3.0,
        max_reconnect_delay: float = 2.0,
        health_check_interval: float = 5.0,
    ) -> None:
        super().__init__(buffer_size=buffer_size)
        self.url = url
        self.where = redacted(url)
        self.prefix = prefix
        self.serializer: Serializer = serializer or JSONSerializer()
        self.timeout = timeout
        self._reconnection = {
            "max_delay": max_reconnect_delay,
            "health_check_interval": health_check_interval,
        }
        self._channel_topics: dict[bytes, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._publisher, self._listener = self._connections()

    @property
    def connected(self) -> bool:
        """Whether the subscribing connection to Redis is up now.

        Reading it inside a running event loop starts that connection if nothing did yet
        (it is otherwise opened by the first `publish` or `subscribe`, or by `connect`).
        """
        if self._on_this_loop():
            self._listener.start()
        return self._listener.connected

    def key(self, name: str) -> str:
        """The Redis key for `name` under this backend's prefix (for state kept beside events)."""
        return self.prefix + name

    async def connect(self) -> None:
        """Open the subscribing connection now; `PubSubError` if Redis is not there in time."""
        self._on_this_loop()
        if not await self._listener.wait_connected():
            raise PubSubError(
                f"cannot connect to Redis at {self.where}: {self._listener.last_error}"
            )

    async def publish(self, topic: str, message: Any) -> None:
        """Publish `message` on `topic` through Redis (`PublishError` within `timeout`)."""
        check_topic(topic)
        try:
            data = self.serializer.dumps(message)
        except (TypeError, ValueError) as error:
            raise PublishError(
                f"cannot serialize a message for topic {topic!r}: {error}"
            ) from error
        self._on_this_loop()
        self._listener.start()  # (so that `connected` follows Redis from the first use)
        await self.execute(
            "PUBLISH", self.prefix + topic, data, doing=f"publish to topic {topic!r}"
        )
        self.stats.published += 1

    async def execute(self, *command: Any, doing: str | None = None) -> Any:
        """Run one Redis command on the publishing connection; its reply.

        For state an app keeps beside its events (the demo's ids and history), under
        `key` names. Fails like `publish`: `PublishError` within `timeout` when Redis is
        unreachable (`doing` words what failed, by default the command's name).
        """
        self._on_this_loop()
        try:
            return await self._publisher.execute(*command)
        except ResponseError as error:
            self.stats.errors += 1
            what = doing or f"run {command[0]}"
            raise PubSubError(f"Redis refused to {what}: {error}") from error
        except (RedisError, OSError) as error:
            self.stats.errors += 1
            raise PublishError(
                f"cannot {doing or 'run ' + str(command[0])}: Redis at {self.where} is "
                f"unreachable ({error or type(error).__name__})"
            ) from error

    async def aclose(self) -> None:
        """End every subscription and close both connections."""
        await super().aclose()
        await self._listener.stop()
        await self._publisher.aclose()

    def _connections(self) -> tuple[RedisPublisher, RedisListener]:
        publisher = RedisPublisher(
            connections(self.url, self.timeout, socket_timeout=self.timeout), self.timeout
        )
        listener = RedisListener(
            connections(self.url, self.timeout),
            self._received,
            self.stats,
            self.where,
            timeout=self.timeout,
            **self._reconnection,
        )
        return publisher, listener

    def _on_this_loop(self) -> bool:
        """Use the running event loop; False when there is none.

        Connections belong to one loop: another one (a second ``asyncio.run``, the next
        test) gets new connections, and the subscriptions left on the old one are ended.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        if loop is not self._loop:
            if self._loop is not None:
                for subscription in [s for topic in self._topics.values() for s in topic]:
                    subscription.close()
                self._publisher, self._listener = self._connections()
            self._loop = loop
        return True

    async def _start(self, topic: str, limit: int) -> Subscription:
        self._on_this_loop()
        return await super()._start(topic, limit)

    async def _listen(self, topic: str, first: bool) -> None:
        name = (self.prefix + topic).encode()
        if first:
            self._channel_topics[name] = topic
            self._listener.add(name)
        await self._listener.wait_live(name, topic)

    def _unlisten(self, topic: str) -> None:
        name = (self.prefix + topic).encode()
        self._channel_topics.pop(name, None)
        self._listener.remove(name)

    def _received(self, channel: bytes, data: bytes) -> None:
        topic = self._channel_topics.get(channel)
        if topic is None:  # (unsubscribed meanwhile)
            return
        try:
            message = self.serializer.loads(data)
        except (TypeError, ValueError) as error:
            self.stats.errors += 1
            logger.warning("pub/sub: dropped an undecodable message on %r: %s", topic, error)
            return
        self._fan_out(topic, message)

    def __repr__(self) -> str:
        state = "connected" if self._listener.connected else "disconnected"
        return f"<RedisPubSub {self.where} prefix={self.prefix!r} {state}>"


def connections(url: str, timeout: float, **options: Any) -> aioredis.ConnectionPool:
    """A maker of connections to `url` that try once, within `timeout` (no hidden retries)."""
    if not url.lower().startswith("unix:"):
        options["socket_keepalive"] = True
    return aioredis.ConnectionPool.from_url(
        url, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0), **options
    )


def redacted(url: str) -> str:
    """`url` without its password, for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + host))
