"""The in-process backend and what every backend shares: subscriptions, buffers, counters."""

from __future__ import annotations

import asyncio

import pytest

from graphqlwire.pubsub import (
    MemoryPubSub,
    PubSub,
    SubscriptionOverflow,
    from_url,
    get_pubsub,
)


async def test_a_message_reaches_every_subscriber_of_its_topic_only() -> None:
    pubsub = MemoryPubSub()
    async with (
        pubsub.subscribe("chat") as first,
        pubsub.subscribe("chat") as second,
        pubsub.subscribe("other") as other,
    ):
        await pubsub.publish("chat", {"n": 1})
        await pubsub.publish("chat", {"n": 2})
        assert [await anext(first), await anext(first)] == [{"n": 1}, {"n": 2}]
        assert [await anext(second), await anext(second)] == [{"n": 1}, {"n": 2}]
        assert other.pending == 0
    assert pubsub.stats.published == 2
    assert pubsub.stats.delivered == 4
    assert pubsub.topics == []


async def test_the_subscription_is_live_when_subscribe_returns() -> None:
    pubsub = MemoryPubSub()
    events = await pubsub.subscribe("t")
    await pubsub.publish("t", "right after")
    assert await asyncio.wait_for(anext(events), 1) == "right after"
    await events.aclose()
    assert pubsub.subscribers("t") == 0


async def test_a_reader_waiting_for_a_message_wakes_up_when_it_comes() -> None:
    pubsub = MemoryPubSub()
    async with pubsub.subscribe("t") as events:
        reader = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0)
        assert not reader.done()
        await pubsub.publish("t", 42)
        assert await asyncio.wait_for(reader, 1) == 42


async def test_closing_ends_the_iteration_and_releases_the_topic() -> None:
    pubsub = MemoryPubSub()
    async with pubsub.subscribe("t") as events:
        assert pubsub.subscribers("t") == 1
        reader = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0)
        await events.aclose()
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(reader, 1)
    assert pubsub.subscribers("t") == 0
    await pubsub.publish("t", "nobody")  # no subscriber: nothing happens
    assert pubsub.stats.delivered == 0


async def test_a_subscriber_that_never_reads_is_ended_and_others_get_everything() -> None:
    pubsub = MemoryPubSub(buffer_size=100)
    async with pubsub.subscribe("t") as stalled, pubsub.subscribe("t") as reader:
        received = []
        for n in range(5000):
            await pubsub.publish("t", n)
            received.append(await anext(reader))
            assert stalled.pending <= 100  # bounded the whole time
        assert received == list(range(5000))
        assert stalled.closed
        assert pubsub.subscribers("t") == 1  # the stalled one is off the topic
        # What was buffered still comes, then the error says what happened.
        assert [await anext(stalled) for _ in range(100)] == list(range(100))
        with pytest.raises(SubscriptionOverflow, match="fell 100 messages behind"):
            await anext(stalled)
    assert pubsub.stats.dropped == 1
    assert pubsub.stats.delivered == 5000 + 100


async def test_buffer_size_can_be_chosen_per_subscription() -> None:
    pubsub = MemoryPubSub()
    async with pubsub.subscribe("t", buffer_size=2) as events:
        for n in range(3):
            await pubsub.publish("t", n)
        assert events.closed
        assert [await anext(events), await anext(events)] == [0, 1]
        with pytest.raises(SubscriptionOverflow):
            await anext(events)


async def test_bad_topics_and_sizes_are_refused_clearly() -> None:
    pubsub = MemoryPubSub()
    with pytest.raises(ValueError, match="non-empty string"):
        await pubsub.publish("", 1)
    with pytest.raises(ValueError, match="non-empty string"):
        pubsub.subscribe(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        pubsub.subscribe("t", buffer_size=0)
    with pytest.raises(ValueError, match="at least 1"):
        MemoryPubSub(buffer_size=0)


async def test_aclose_ends_every_subscription() -> None:
    pubsub = MemoryPubSub()
    events = await pubsub.subscribe("t")
    await pubsub.aclose()
    with pytest.raises(StopAsyncIteration):
        await anext(events)
    assert pubsub.topics == []
    assert pubsub.connected is True


def test_backends_are_chosen_by_url(monkeypatch: pytest.MonkeyPatch) -> None:
    memory = from_url("memory://?buffer_size=7")
    assert isinstance(memory, MemoryPubSub)
    assert memory.buffer_size == 7
    with pytest.raises(ValueError, match="unknown pub/sub URL 'kafka://x'"):
        from_url("kafka://x")
    with pytest.raises(ValueError, match="buffer_size='many' is not valid"):
        from_url("memory://?buffer_size=many")
    monkeypatch.delenv("GRAPHQLWIRE_PUBSUB", raising=False)
    configured = get_pubsub()
    assert isinstance(configured, PubSub)
    assert get_pubsub() is configured  # one per process
