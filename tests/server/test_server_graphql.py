"""graphqlwire's server carrying graphqlwire's GraphQL app: both subprotocols end to end."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from graphqlwire.server import Server


@pytest.fixture
def graphql_app() -> Any:
    from graphqlwire.asgi import GraphQL
    from graphqlwire.demo import schema

    return GraphQL(schema)


async def test_query_over_http(graphql_app: Any) -> None:
    async with (
        Server(graphql_app, port=0, log_level=None, lifespan="off") as server,
        httpx.AsyncClient() as client,
    ):
        response = await client.post(server.url + "/", json={"query": "{ hello }"})
    assert response.status_code == 200
    assert response.json()["data"]["hello"]


async def test_subscription_graphql_transport_ws(graphql_app: Any) -> None:
    async with Server(graphql_app, port=0, log_level=None, lifespan="off") as server:
        url = server.url.replace("http", "ws") + "/"
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            assert ws.subprotocol == "graphql-transport-ws"
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps(
                    {
                        "type": "subscribe",
                        "id": "1",
                        "payload": {"query": "subscription { counter(upTo: 3) }"},
                    }
                )
            )
            values = []
            while (message := json.loads(await ws.recv()))["type"] == "next":
                values.append(message["payload"]["data"]["counter"])
            assert message == {"type": "complete", "id": "1"}
            assert values == [1, 2, 3]


async def test_subscription_graphql_ws(graphql_app: Any) -> None:
    async with Server(graphql_app, port=0, log_level=None, lifespan="off") as server:
        url = server.url.replace("http", "ws") + "/"
        async with connect(url, subprotocols=["graphql-ws"]) as ws:
            assert ws.subprotocol == "graphql-ws"
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps(
                    {
                        "type": "start",
                        "id": "7",
                        "payload": {"query": "subscription { counter(upTo: 2) }"},
                    }
                )
            )
            messages = [json.loads(await ws.recv()) for _ in range(3)]
            assert [m["type"] for m in messages] == ["data", "data", "complete"]
            assert messages[1]["payload"]["data"]["counter"] == 2


async def test_shutdown_with_a_live_subscription(graphql_app: Any) -> None:
    server = Server(graphql_app, port=0, log_level=None, lifespan="off", shutdown_timeout=3)
    await server.start()
    async with connect(
        server.url.replace("http", "ws") + "/", subprotocols=["graphql-transport-ws"]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "type": "subscribe",
                    "id": "1",
                    "payload": {"query": "subscription { messageAdded { text } }"},
                }
            )
        )
        await server.shutdown()
        await ws.wait_closed()
    assert ws.close_code == 1001
    assert server.state is not None
    assert not server.state.tasks  # the handler's cleanup ran to its end
