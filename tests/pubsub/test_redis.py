"""The Redis backend against a real redis-server: delivery, liveness, refcounts, prefix."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from graphqlwire.pubsub import (
    PublishError,
    PubSubError,
    RedisPubSub,
    SubscriptionOverflow,
    from_url,
)
from tests.redis_server import RedisServer


@pytest.fixture
async def pubsub(redis_server: RedisServer, unique_prefix: str) -> AsyncIterator[RedisPubSub]:
    backend = RedisPubSub(redis_server.url, prefix=unique_prefix)
    try:
        yield backend
    finally:
        await backend.aclose()


def numsub(server: RedisServer, channel: str) -> int:
    """Subscribed connections of `channel`, asked on a connection of the test's own."""
    import redis

    with redis.Redis(port=server.port) as client:
        return int(dict(client.pubsub_numsub(channel))[channel.encode()])


async def until(condition: Any, timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_messages_go_through_redis_in_order(pubsub: RedisPubSub) -> None:
    async with pubsub.subscribe("chat") as first, pubsub.subscribe("chat") as second:
        for n in range(50):
            await pubsub.publish("chat", {"n": n, "text": "héllo"})
        expected = [{"n": n, "text": "héllo"} for n in range(50)]
        assert [await asyncio.wait_for(anext(first), 3) for _ in range(50)] == expected
        assert [await asyncio.wait_for(anext(second), 3) for _ in range(50)] == expected
    assert pubsub.stats.published == 50
    assert pubsub.stats.delivered == 100
    assert pubsub.connected


async def test_a_publish_right_after_subscribe_returns_is_received(
    pubsub: RedisPubSub, redis_server: RedisServer, unique_prefix: str
) -> None:
    other = RedisPubSub(redis_server.url, prefix=unique_prefix)  # another process's view
    try:
        for n in range(20):  # a fresh topic each time: each waits for its own SUBSCRIBE
            async with pubsub.subscribe(f"t{n}") as events:
                await other.publish(f"t{n}", n)
                assert await asyncio.wait_for(anext(events), 3) == n
    finally:
        await other.aclose()


async def test_subscribe_is_reference_counted_per_topic(
    pubsub: RedisPubSub, redis_server: RedisServer, unique_prefix: str
) -> None:
    channel = unique_prefix + "shared"
    first = await pubsub.subscribe("shared")
    second = await pubsub.subscribe("shared")
    assert numsub(redis_server, channel) == 1  # one SUBSCRIBE for two subscribers
    await first.aclose()
    await asyncio.sleep(0.05)
    assert numsub(redis_server, channel) == 1  # still one subscriber left
    await second.aclose()
    await until(lambda: numsub(redis_server, channel) == 0)
    # Subscribing again right away works (UNSUBSCRIBE then SUBSCRIBE on the wire).
    async with pubsub.subscribe("shared") as again:
        assert numsub(redis_server, channel) == 1
        await pubsub.publish("shared", "back")
        assert await asyncio.wait_for(anext(again), 3) == "back"


async def test_quick_unsubscribe_and_subscribe_cycles_stay_live(pubsub: RedisPubSub) -> None:
    for n in range(30):
        events = await pubsub.subscribe("cycle")
        await pubsub.publish("cycle", n)
        assert await asyncio.wait_for(anext(events), 3) == n
        await events.aclose()


async def test_the_prefix_names_the_channel_and_keeps_apps_apart(
    redis_server: RedisServer, unique_prefix: str
) -> None:
    app_a = RedisPubSub(redis_server.url, prefix=unique_prefix + "a:")
    app_b = RedisPubSub(redis_server.url, prefix=unique_prefix + "b:")
    try:
        async with app_a.subscribe("news") as a_events, app_b.subscribe("news") as b_events:
            assert numsub(redis_server, unique_prefix + "a:news") == 1
            await app_b.publish("news", "for b")
            await app_a.publish("news", "for a")
            assert await asyncio.wait_for(anext(a_events), 3) == "for a"
            assert await asyncio.wait_for(anext(b_events), 3) == "for b"
            assert a_events.pending == b_events.pending == 0
        assert app_a.key("history") == unique_prefix + "a:history"
    finally:
        await app_a.aclose()
        await app_b.aclose()


class TaggedSerializer:
    """Any serializer works if every process uses it: here JSON wrapped in a tag."""

    def dumps(self, message: Any) -> bytes:
        return b"tag:" + json.dumps(message).encode()

    def loads(self, data: bytes) -> Any:
        if not data.startswith(b"tag:"):
            raise ValueError("untagged")
        return json.loads(data[4:])


async def test_a_custom_serializer_is_used_both_ways(
    redis_server: RedisServer, unique_prefix: str
) -> None:
    import redis.asyncio

    pubsub = RedisPubSub(redis_server.url, prefix=unique_prefix, serializer=TaggedSerializer())
    raw = redis.asyncio.Redis(port=redis_server.port)
    try:
        async with pubsub.subscribe("t") as events:
            await pubsub.publish("t", [1, "two"])
            assert await asyncio.wait_for(anext(events), 3) == [1, "two"]
            # Bytes the serializer refuses are counted and logged, and nobody gets them.
            await raw.publish(unique_prefix + "t", b"garbage")
            await raw.publish(unique_prefix + "t", b'tag:"after"')
            assert await asyncio.wait_for(anext(events), 3) == "after"
        assert pubsub.stats.errors == 1
    finally:
        await raw.aclose()
        await pubsub.aclose()


async def test_a_message_that_does_not_serialize_is_refused(pubsub: RedisPubSub) -> None:
    with pytest.raises(PublishError, match="cannot serialize a message for topic 'x'"):
        await pubsub.publish("x", {"bad": object()})
    with pytest.raises(PublishError, match="cannot serialize"):
        await pubsub.publish("x", float("nan"))  # strict JSON, as every reader expects


async def test_a_subscriber_that_never_reads_is_ended_alone(pubsub: RedisPubSub) -> None:
    async with (
        pubsub.subscribe("flood", buffer_size=50) as stalled,
        pubsub.subscribe("flood") as reader,
    ):

        async def read_all() -> list[int]:
            return [await anext(reader) for _ in range(1000)]

        reading = asyncio.ensure_future(asyncio.wait_for(read_all(), 10))
        for n in range(1000):
            await pubsub.publish("flood", n)
        assert await reading == list(range(1000))
        assert stalled.closed
        assert stalled.pending == 50
        assert pubsub.subscribers("flood") == 1
        assert [await anext(stalled) for _ in range(50)] == list(range(50))
        with pytest.raises(SubscriptionOverflow):
            await anext(stalled)
    assert pubsub.stats.dropped == 1


async def test_a_unix_socket_url_works(redis_server: RedisServer, unique_prefix: str) -> None:
    pubsub = from_url(redis_server.unix_url + "&prefix=" + unique_prefix)
    try:
        assert isinstance(pubsub, RedisPubSub)
        assert pubsub.prefix == unique_prefix
        async with pubsub.subscribe("u") as events:
            await pubsub.publish("u", "over a unix socket")
            assert await asyncio.wait_for(anext(events), 3) == "over a unix socket"
    finally:
        await pubsub.aclose()


async def test_connected_follows_the_subscribing_connection(
    redis_server: RedisServer, unique_prefix: str
) -> None:
    pubsub = from_url(redis_server.url + "?prefix=" + unique_prefix)
    try:
        assert pubsub.connected is False  # (reading it starts the connection)
        await until(lambda: pubsub.connected)
    finally:
        await pubsub.aclose()
    assert repr(pubsub).startswith("<RedisPubSub redis://127.0.0.1:")


def test_a_password_never_shows_in_errors_or_logs() -> None:
    pubsub = RedisPubSub("redis://:s3cret@127.0.0.1:1/0")
    assert "s3cret" not in pubsub.where
    assert pubsub.where == "redis://:***@127.0.0.1:1/0"


async def test_concurrent_publishes_are_pipelined_and_keep_their_order(
    pubsub: RedisPubSub,
) -> None:
    async with pubsub.subscribe("burst") as events:
        await asyncio.gather(*(pubsub.publish("burst", n) for n in range(500)))
        assert [await asyncio.wait_for(anext(events), 3) for _ in range(500)] == list(range(500))
    assert pubsub.stats.published == 500


async def test_an_error_reply_fails_only_its_own_command(pubsub: RedisPubSub) -> None:
    results = await asyncio.gather(
        pubsub.execute("SET", pubsub.key("k"), "v"),
        pubsub.execute("NO-SUCH-COMMAND", doing="ask for nonsense"),
        pubsub.execute("GET", pubsub.key("k")),
        return_exceptions=True,
    )
    assert results[0] == b"OK"
    assert isinstance(results[1], PubSubError)
    assert str(results[1]).startswith("Redis refused to ask for nonsense: unknown command")
    assert results[2] == b"v"


def test_one_backend_serves_one_event_loop_after_another(
    redis_server: RedisServer, unique_prefix: str
) -> None:
    pubsub = RedisPubSub(redis_server.url, prefix=unique_prefix)  # (made outside any loop)
    assert pubsub.connected is False

    async def roundtrip(text: str) -> Any:
        async with pubsub.subscribe("loops") as events:
            await pubsub.publish("loops", text)
            return await asyncio.wait_for(anext(events), 3)

    assert asyncio.run(roundtrip("first loop")) == "first loop"
    assert asyncio.run(roundtrip("second loop")) == "second loop"  # new connections

    async def close() -> None:
        await pubsub.aclose()

    asyncio.run(close())
