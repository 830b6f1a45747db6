"""Pub/sub under GraphQL, on graphqlwire's server over real sockets: mutations publish,
subscriptions listen; a Redis outage is a GraphQL error, a stalled client is ended alone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from graphqlwire.asgi import GraphQL
from graphqlwire.pubsub import MemoryPubSub, PubSub, RedisPubSub
from graphqlwire.schema import make_executable_schema
from graphqlwire.server import Config, Server
from tests.redis_server import RedisServer

TYPE_DEFS = """
type Query { hello: String! }
type Mutation { shout(text: String!): Boolean! }
type Subscription { shouted: String! }
"""


def app_for(pubsub: PubSub) -> GraphQL:
    async def shout(_root: Any, _info: Any, text: str) -> bool:
        await pubsub.publish("shouts", text)
        return True

    schema = make_executable_schema(
        TYPE_DEFS,
        {
            "Query": {"hello": lambda *_: "world"},
            "Mutation": {"shout": shout},
            "Subscription": {
                "shouted": {
                    "subscribe": lambda *_: pubsub.subscribe("shouts"),
                    "resolve": lambda text, _info: text,
                }
            },
        },
    )
    return GraphQL(schema)


@contextlib.asynccontextmanager
async def serving(pubsub: PubSub) -> AsyncIterator[int]:
    server = Server(app_for(pubsub), Config(port=0, lifespan="off", log_level=None))
    await server.start()
    try:
        yield server.port
    finally:
        await server.shutdown()
        await pubsub.aclose()


async def subscribe(port: int) -> ClientConnection:
    socket = await connect(
        f"ws://127.0.0.1:{port}/", subprotocols=[Subprotocol("graphql-transport-ws")]
    )
    await socket.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    payload = {"query": "subscription { shouted }"}
    await socket.send(json.dumps({"id": "s", "type": "subscribe", "payload": payload}))
    return socket


async def next_text(socket: ClientConnection) -> str:
    message = json.loads(await asyncio.wait_for(socket.recv(), 3))
    assert message["type"] == "next", message
    text: str = message["payload"]["data"]["shouted"]
    return text


async def shout(port: int, text: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(
            f"http://127.0.0.1:{port}/",
            json={"query": "mutation ($t: String!) { shout(text: $t) }", "variables": {"t": text}},
        )
    result: dict[str, Any] = answer.json()
    return result


async def until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_a_redis_outage_is_a_graphql_error_and_subscribers_resume_after_it(
    own_redis_server: RedisServer,
) -> None:
    pubsub = RedisPubSub(own_redis_server.url, timeout=1.0, max_reconnect_delay=0.5)
    async with serving(pubsub) as port:
        socket = await subscribe(port)
        await until(lambda: pubsub.subscribers("shouts") == 1, 3)
        assert await shout(port, "one") == {"data": {"shout": True}}
        assert await next_text(socket) == "one"

        own_redis_server.stop()
        started = time.monotonic()
        answer = await shout(port, "lost")
        assert time.monotonic() - started < 3  # answered within seconds, no hang
        assert answer["data"] is None
        [error] = answer["errors"]
        assert error["path"] == ["shout"]
        assert error["message"].startswith("cannot publish to topic 'shouts': Redis at ")

        own_redis_server.start()
        await until(lambda: pubsub.connected, 3)
        assert await shout(port, "two") == {"data": {"shout": True}}
        assert await next_text(socket) == "two"  # the same subscription, still open
        await socket.close()


async def test_a_client_that_stops_reading_is_ended_alone_and_memory_stays_bounded() -> None:
    pubsub = MemoryPubSub(buffer_size=200)
    async with serving(pubsub) as port:
        reader = await subscribe(port)
        stalled = await subscribe(port)
        stalled.transport.pause_reading()  # (this client never reads again)
        await until(lambda: pubsub.subscribers("shouts") == 2, 3)
        got: list[str] = []

        async def read_all() -> None:
            while len(got) < 5000:
                got.append(await next_text(reader))

        reading = asyncio.ensure_future(read_all())
        for n in range(5000):
            await pubsub.publish("shouts", "x" * 2000 + str(n))
            while n - len(got) > 100:  # a publisher no faster than a healthy reader
                await asyncio.sleep(0.001)
            for subscription in pubsub._topics.get("shouts", ()):
                assert subscription.pending <= 200  # bounded the whole time
        await asyncio.wait_for(reading, 10)
        assert got == ["x" * 2000 + str(n) for n in range(5000)]
        assert pubsub.stats.dropped == 1  # the stalled client's subscription, ended
        assert pubsub.subscribers("shouts") == 1
        await reader.close()
        stalled.transport.abort()


async def test_a_subscription_that_cannot_be_made_live_is_a_clear_error() -> None:
    pubsub = RedisPubSub("redis://127.0.0.1:1/0", timeout=0.3)  # nothing listens there
    async with serving(pubsub) as port:
        socket = await subscribe(port)
        message = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert message["type"] == "error"
        assert "cannot subscribe to topic 'shouts'" in message["payload"][0]["message"]
        await socket.close()


@pytest.fixture(autouse=True)
def _quiet_pubsub_warnings(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("ERROR", logger="graphqlwire.pubsub")
