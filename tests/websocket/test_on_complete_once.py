"""``on_complete`` runs exactly once per operation, to its end, before ``on_disconnect``.

Whichever way a subscription ends (by itself, stopped by the client, or with the
connection) and however those race, on both subprotocols. ``on_complete`` is async and
takes a moment, so a cleanup that cancelled it, ran it twice, or ran ``on_disconnect``
while it was still running would show in the recorded order. Each ordering runs many
times over a real socket to catch the races.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLTransportWSHandler, GraphQLWSHandler

from .conftest import SCHEMA, Client, client, graphqlwire_server, wait_until

ROUNDS = 12
ENDS = "subscription { counter(upTo: 1) }"
FOREVER = 'subscription { forever(tag: "r") }'


class Protocol:
    """The messages of one subprotocol that the orderings need."""

    def __init__(self, name: str, start: str, data: str, stop: str) -> None:
        self.name, self._start, self.data, self._stop = name, start, data, stop

    def start(self, query: str) -> dict[str, Any]:
        return {"type": self._start, "id": "op", "payload": {"query": query}}

    def stop(self) -> dict[str, Any]:
        return {"type": self._stop, "id": "op"}


PROTOCOLS = {
    "graphql-transport-ws": (
        GraphQLTransportWSHandler,
        Protocol("graphql-transport-ws", "subscribe", "next", "complete"),
    ),
    "graphql-ws": (GraphQLWSHandler, Protocol("graphql-ws", "start", "data", "stop")),
}


class Recorder:
    """The hooks, recording the order of what they did."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def on_complete(self, websocket: Any, operation: Any) -> None:
        self.calls.append(f"complete {operation.id}")
        await asyncio.sleep(0.002)  # a hook that awaits: it must not be cut short
        self.calls.append(f"completed {operation.id}")

    def on_disconnect(self, websocket: Any) -> None:
        self.calls.append("disconnect")


async def ends_by_itself(ws: Client, protocol: Protocol) -> None:
    await ws.send(protocol.start(ENDS))
    assert (await ws.receive())["type"] == protocol.data
    assert await ws.receive() == {"type": "complete", "id": "op"}


async def client_stops_it(ws: Client, protocol: Protocol) -> None:
    await ws.send(protocol.start(FOREVER))
    assert (await ws.receive())["type"] == protocol.data
    await ws.send(protocol.stop())


async def client_leaves(ws: Client, protocol: Protocol) -> None:
    await ws.send(protocol.start(FOREVER))
    assert (await ws.receive())["type"] == protocol.data


async def client_leaves_as_it_ends(ws: Client, protocol: Protocol) -> None:
    await ws.send(protocol.start(ENDS))  # and leave without waiting: the two race


async def client_stops_it_as_it_ends(ws: Client, protocol: Protocol) -> None:
    await ws.send(protocol.start(ENDS))
    await ws.send(protocol.stop())
    await asyncio.sleep(0.002)


ORDERINGS = [
    ends_by_itself,
    client_stops_it,
    client_leaves,
    client_leaves_as_it_ends,
    client_stops_it_as_it_ends,
]


@pytest.mark.parametrize("ordering", ORDERINGS, ids=lambda ordering: ordering.__name__)
@pytest.mark.parametrize("kind", list(PROTOCOLS))
async def test_on_complete_runs_once_to_its_end_before_on_disconnect(
    kind: str, ordering: Any
) -> None:
    handler_class, protocol = PROTOCOLS[kind]
    recorder = Recorder()
    handler = handler_class(on_complete=recorder.on_complete, on_disconnect=recorder.on_disconnect)
    async with graphqlwire_server(GraphQL(SCHEMA, websocket_handler=handler)) as (url, _):
        for _ in range(ROUNDS):
            recorder.calls.clear()
            async with client(url, protocol.name) as ws:
                await ws.send({"type": "connection_init"})
                assert (await ws.receive())["type"] == "connection_ack"
                await ordering(ws, protocol)
            await wait_until(lambda: "disconnect" in recorder.calls)
            assert recorder.calls == ["complete op", "completed op", "disconnect"]


@pytest.mark.parametrize("kind", list(PROTOCOLS))
async def test_a_failing_on_complete_still_lets_on_disconnect_run(kind: str) -> None:
    handler_class, protocol = PROTOCOLS[kind]
    calls: list[str] = []

    async def on_complete(websocket: Any, operation: Any) -> None:
        calls.append("complete")
        raise RuntimeError("a bug in on_complete")

    handler = handler_class(
        on_complete=on_complete, on_disconnect=lambda websocket: calls.append("disconnect")
    )
    async with graphqlwire_server(GraphQL(SCHEMA, websocket_handler=handler)) as (url, _):
        async with client(url, protocol.name) as ws:
            await ws.send({"type": "connection_init"})
            assert (await ws.receive())["type"] == "connection_ack"
            await client_leaves(ws, protocol)
        await wait_until(lambda: "disconnect" in calls)
    assert calls == ["complete", "disconnect"]
