"""The demo chat in one process: sendMessage publishes through the configured backend."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graphqlwire import demo, graphql, subscribe
from graphqlwire.demo import room, schema
from graphqlwire.pubsub import MemoryPubSub, PublishError, RedisPubSub, get_pubsub
from tests.redis_server import RedisServer

SEND = 'mutation ($t: String!) { sendMessage(author: "ann", text: $t) { id author text } }'


async def test_sent_messages_reach_subscribers_and_the_history() -> None:
    assert isinstance(get_pubsub(), MemoryPubSub)  # (no GRAPHQLWIRE_PUBSUB in the tests)
    _, stream = await subscribe(schema, {"query": "subscription { messageAdded { id text } }"})
    events: Any = stream
    assert room.subscribers >= 1  # live as soon as subscribe() returned
    sent = []
    for text in ("one", "two"):
        _, response = await graphql(schema, {"query": SEND, "variables": {"t": text}})
        sent.append(response["data"]["sendMessage"])
    received = [(await asyncio.wait_for(anext(events), 2)).formatted for _ in sent]
    assert [r["data"]["messageAdded"] for r in received] == [
        {"id": m["id"], "text": m["text"]} for m in sent
    ]
    assert int(sent[1]["id"]) == int(sent[0]["id"]) + 1
    await events.aclose()
    _, history = await graphql(schema, {"query": "{ messages(last: 2) { id author text } }"})
    assert history["data"]["messages"] == sent
    _, none = await graphql(schema, {"query": "{ messages(last: 0) { id } }"})
    assert none["data"]["messages"] == []


async def test_with_redis_ids_history_and_delivery_agree_and_the_history_is_capped(
    redis_server: RedisServer, unique_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "MAX_MESSAGES", 3)
    pubsub = RedisPubSub(redis_server.url, prefix=unique_prefix)
    first, second = demo.RedisChatRoom(pubsub), demo.RedisChatRoom(pubsub)  # two workers
    try:
        async with first.listen() as events:
            sent = [await room_.post("ann", f"m{n}") for n, room_ in enumerate([first, second] * 3)]
            assert [m["id"] for m in sent] == ["1", "2", "3", "4", "5", "6"]
            assert [await asyncio.wait_for(anext(events), 3) for _ in sent] == sent
        assert await first.last(10) == sent[-3:] == await second.last(3)
        assert await second.last(1) == sent[-1:]
        assert await first.last(0) == []
        assert pubsub.stats.published == 6
    finally:
        await pubsub.aclose()


async def test_with_redis_down_sending_is_a_clear_error() -> None:
    pubsub = RedisPubSub("redis://127.0.0.1:1/0", timeout=0.5)
    try:
        with pytest.raises(PublishError, match=r"cannot send a message: Redis at .* unreachable"):
            await demo.RedisChatRoom(pubsub).post("ann", "lost")
    finally:
        await pubsub.aclose()
