"""Redis going away and coming back under live subscriptions: fail fast, then recover."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time

import pytest

from graphqlwire.pubsub import PublishError, RedisPubSub, SubscribeError
from tests.redis_server import RedisServer


async def until(condition: object, timeout: float) -> float:
    """Poll `condition()` until true; the seconds it took (fails after `timeout`)."""
    started = time.monotonic()
    while not condition():  # type: ignore[operator]
        assert time.monotonic() - started < timeout, "condition not met in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_an_outage_fails_publishes_fast_and_subscriptions_resume_after_it(
    own_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="graphqlwire.pubsub")
    server = own_redis_server
    pubsub = RedisPubSub(server.url, timeout=1.0, max_reconnect_delay=0.5)
    try:
        async with pubsub.subscribe("t") as first, pubsub.subscribe("t") as second:
            await pubsub.publish("t", "before")
            assert [await anext(first), await anext(second)] == ["before", "before"]

            server.stop()
            await until(lambda: not pubsub.connected, timeout=3)
            started = time.monotonic()
            with pytest.raises(PublishError, match="cannot publish to topic 't': Redis at "):
                await pubsub.publish("t", "during")
            assert time.monotonic() - started < 2  # fast, never a hang
            with pytest.raises(SubscribeError, match="did not confirm within 1 s"):
                await pubsub.subscribe("new topic")  # bounded too
            assert not first.closed and not second.closed  # they stay open

            server.start()
            # Back within the backoff's bound, resubscribed: a message published now
            # reaches both existing subscribers.
            assert await until(lambda: pubsub.connected, timeout=3) < 2
            await pubsub.publish("t", "after")
            assert await asyncio.wait_for(anext(first), 3) == "after"
            assert await asyncio.wait_for(anext(second), 3) == "after"
        assert pubsub.stats.errors == 2  # the lost connection, the failed publish
    finally:
        await pubsub.aclose()
    outage = [r.getMessage() for r in caplog.records if "lost Redis" in r.getMessage()]
    recovery = [r.getMessage() for r in caplog.records if "is back after" in r.getMessage()]
    assert len(outage) == 1  # once each, however many reconnection attempts
    assert "messages published meanwhile are lost" in outage[0]
    assert len(recovery) == 1
    assert "resubscribed to 1 topics" in recovery[0]


async def test_a_redis_that_is_not_there_at_start_is_reported_not_waited_for(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="graphqlwire.pubsub")
    server = RedisServer()  # never started: its port refuses connections
    pubsub = RedisPubSub(server.url, timeout=0.5)
    try:
        with pytest.raises(PublishError, match="unreachable"):
            await pubsub.publish("t", 1)
        with pytest.raises(
            SubscribeError, match=r"did not confirm within 0\.5 s \(.*Connect call failed"
        ):
            await pubsub.subscribe("t")
        assert pubsub.topics == []
        assert not pubsub.connected
    finally:
        await pubsub.aclose()
        server.close()
    assert any("cannot reach Redis" in record.getMessage() for record in caplog.records)


async def test_a_redis_that_stops_answering_is_noticed_and_never_hangs_a_publish(
    own_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="graphqlwire.pubsub")
    assert own_redis_server.process is not None
    pid = own_redis_server.process.pid
    pubsub = RedisPubSub(
        own_redis_server.url, timeout=0.5, max_reconnect_delay=0.2, health_check_interval=0.3
    )
    try:
        async with pubsub.subscribe("t") as events:
            await pubsub.publish("t", "before")  # (the publishing connection is open)
            # Redis may answer the publisher before it writes to the subscriber: wait for it.
            assert await asyncio.wait_for(anext(events), 3) == "before"
            os.kill(pid, signal.SIGSTOP)  # alive but silent: no EOF to notice
            try:
                started = time.monotonic()
                with pytest.raises(PublishError, match=r"no reply within 0\.5 s"):
                    await pubsub.publish("t", "into the void")
                assert time.monotonic() - started < 1.5
                await until(lambda: not pubsub.connected, timeout=3)  # the PING went unanswered
                # A burst on a new connection shares one connection attempt: one timeout.
                fresh = RedisPubSub(own_redis_server.url, timeout=0.5)
                started = time.monotonic()
                results = await asyncio.gather(
                    *(fresh.publish("t", n) for n in range(20)), return_exceptions=True
                )
                assert time.monotonic() - started < 1.5
                assert all(isinstance(result, PublishError) for result in results)
                await fresh.aclose()
            finally:
                os.kill(pid, signal.SIGCONT)
            await until(lambda: pubsub.connected, timeout=5)
            await pubsub.publish("t", "after")
            assert await asyncio.wait_for(anext(events), 3) == "after"
    finally:
        await pubsub.aclose()
