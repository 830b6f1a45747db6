"""``@defer``/``@stream`` over WebSocket, on real sockets (graphqlwire's server, uvicorn).

graphql-transport-ws sends each payload as a ``next`` message of its own (compared with
graphql-js 17's payloads); a client's ``complete`` mid-stream closes the stream source. The
legacy graphql-ws subprotocol delivers one result per operation, so it refuses such an
operation with an ``error`` naming the directive.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from graphqlwire.asgi import GraphQL
from tests.node import run_node

from .servers import run_server
from .test_defer_http import OPERATIONS, Gate, flattened, gated_app
from .test_defer_schema import defer_schema, root_value

SERVERS = ("graphqlwire", "uvicorn")
COMPARED = [OPERATIONS[0], OPERATIONS[3]]


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def open_socket(base: str, subprotocol: str) -> ClientConnection:
    url = base.replace("http://", "ws://") + "/"
    connection = await connect(url, subprotocols=[subprotocol], open_timeout=5, close_timeout=1)  # type: ignore[list-item]
    await connection.send(json.dumps({"type": "connection_init"}))
    ack = json.loads(await asyncio.wait_for(connection.recv(), 5))
    assert ack["type"] == "connection_ack"
    return connection


async def messages_until_done(
    connection: ClientConnection, ends: tuple[str, ...] = ("complete", "error")
) -> AsyncIterator[dict[str, Any]]:
    """The messages up to and with the first of `ends` (bounded by a timeout on each)."""
    while True:
        message = json.loads(await asyncio.wait_for(connection.recv(), 5))
        yield message
        if message["type"] in ends:
            return


async def test_graphql_transport_ws_sends_each_payload_as_a_next_message(server: str) -> None:
    expected = await run_node("defer-execute.mjs", json.dumps(COMPARED))
    async with run_server(server, GraphQL(defer_schema(), root_value=root_value())) as base:
        connection = await open_socket(base, "graphql-transport-ws")
        try:
            for number, (operation, payloads) in enumerate(zip(COMPARED, expected, strict=True)):
                operation_id = str(number)
                message = {"id": operation_id, "type": "subscribe", "payload": operation}
                await connection.send(json.dumps(message))
                received = [m async for m in messages_until_done(connection)]
                assert {m["id"] for m in received} == {operation_id}
                assert [m["type"] for m in received][-1] == "complete"
                nexts = [m["payload"] for m in received if m["type"] == "next"]
                assert len(nexts) == len(received) - 1
                assert flattened(nexts) == flattened(payloads)
        finally:
            await connection.close()


async def test_a_complete_from_the_client_closes_the_stream_source(server: str) -> None:
    gate = Gate()
    query = "{ hello endless @stream(initialCount: 1) }"
    async with run_server(server, gated_app(gate)) as base:
        connection = await open_socket(base, "graphql-transport-ws")
        try:
            subscribe = {"id": "s", "type": "subscribe", "payload": {"query": query}}
            await connection.send(json.dumps(subscribe))
            first = json.loads(await asyncio.wait_for(connection.recv(), 5))
            assert first["payload"]["data"] == {"hello": "world", "endless": [0]}
            await asyncio.wait_for(gate.streaming.wait(), 5)
            await connection.send(json.dumps({"id": "s", "type": "complete"}))
            await asyncio.wait_for(gate.closed.wait(), 1)
            await connection.send(json.dumps({"type": "ping"}))
            assert json.loads(await asyncio.wait_for(connection.recv(), 5)) == {"type": "pong"}
        finally:
            await connection.close()


async def test_legacy_graphql_ws_refuses_an_incremental_operation_naming_it(server: str) -> None:
    async with run_server(server, GraphQL(defer_schema(), root_value=root_value())) as base:
        connection = await open_socket(base, "graphql-ws")
        try:
            start = {
                "id": "1",
                "type": "start",
                "payload": {"query": "{ hello ... @defer { slow } }"},
            }
            await connection.send(json.dumps(start))
            received = [m async for m in messages_until_done(connection, ("complete",))]
            assert [m["type"] for m in received] == ["error", "complete"]
            assert "@defer" in received[0]["payload"]["message"]
            plain = {"id": "2", "type": "start", "payload": {"query": "{ hello }"}}
            await connection.send(json.dumps(plain))
            received = [m async for m in messages_until_done(connection)]
            assert received[0] == {
                "id": "2",
                "type": "data",
                "payload": {"data": {"hello": "world"}},
            }
        finally:
            await connection.close()
