"""Both subprotocols on one endpoint, a real client (gql), and the HTTP handler pipeline."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from gql import Client as GQLClient
from gql import gql
from gql.transport.websockets import WebsocketsTransport
from graphql import DocumentNode

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import (
    GraphQLAutoWSHandler,
    GraphQLHTTPHandler,
    GraphQLTransportWSHandler,
    GraphQLWebsocketHandler,
    GraphQLWSHandler,
)
from graphqlwire.execution import GraphQLResult
from graphqlwire.http import WebSocket

from .conftest import (
    SCHEMA,
    ServeFactory,
    Tracker,
    client,
    wait_until,
)


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["graphql-transport-ws", "graphql-ws"], "graphql-transport-ws"),
        (["graphql-ws", "graphql-transport-ws"], "graphql-transport-ws"),
        (["graphql-ws"], "graphql-ws"),
        (["chat", "graphql-transport-ws"], "graphql-transport-ws"),
    ],
)
async def test_the_subprotocol_is_picked_from_what_the_client_offers(
    serve: ServeFactory, offered: list[str], chosen: str
) -> None:
    async with serve(GraphQLAutoWSHandler()) as url, client(url, *offered) as ws:
        assert ws.subprotocol == chosen
        await ws.send({"type": "connection_init", "payload": {}})
        assert await ws.receive() == {"type": "connection_ack"}


async def test_the_graphql_app_uses_the_auto_handler_by_default(run_server: Any) -> None:
    async with run_server(GraphQL(SCHEMA)) as (url, _), client(url, "graphql-ws") as ws:
        assert ws.subprotocol == "graphql-ws"


def test_configure_and_hooks_reach_both_protocol_handlers() -> None:
    def on_connect(websocket: Any, payload: Any) -> bool:
        return True

    handler = GraphQLAutoWSHandler(
        on_connect=on_connect, connection_init_wait_timeout=timedelta(seconds=3), keepalive=2.0
    )
    http_handler = GraphQLHTTPHandler()
    handler.on_complete = print
    handler.configure(SCHEMA, debug=True, http_handler=http_handler)
    transport, legacy = handler.handlers
    assert isinstance(transport, GraphQLTransportWSHandler)
    assert isinstance(legacy, GraphQLWSHandler)
    assert transport.connection_init_wait_timeout == timedelta(seconds=3)
    assert legacy.keepalive == 2.0
    for inner in handler.handlers:
        assert inner.schema is SCHEMA
        assert inner.debug is True
        assert inner.http_handler is http_handler
        assert inner.on_connect is on_connect
        assert inner.on_complete is print


@contextlib.asynccontextmanager
async def gql_session(url: str, subprotocol: str, user: str) -> AsyncIterator[Any]:
    transport = WebsocketsTransport(
        url=url, subprotocols=[subprotocol], init_payload={"user": user}
    )
    async with GQLClient(transport=transport) as session:
        yield session


@pytest.mark.parametrize("subprotocol", ["graphql-transport-ws", "graphql-ws"])
async def test_gql_client_subscribes_and_receives_every_event(
    serve: ServeFactory, subprotocol: str, tracker: Tracker
) -> None:
    async with (
        serve(GraphQLAutoWSHandler()) as url,
        gql_session(url, subprotocol, "gql") as session,
    ):
        events = [
            result["counter"]
            async for result in session.subscribe(gql("subscription { counter(upTo: 5) }"))
        ]
        assert events == [1, 2, 3, 4, 5]
        result = await session.execute(gql('{ hello connectionParam(name: "user") }'))
        assert result == {"hello": "world", "connectionParam": "gql"}
        result = await session.execute(gql('mutation { echo(text: "hi") }'))
        assert result == {"echo": "hi"}
    assert tracker.finished == ["counter"]


class CountingHTTPHandler(GraphQLHTTPHandler):
    """An HTTP handler that counts the queries it executes for the WebSocket handler."""

    def __init__(self) -> None:
        super().__init__()
        self.executed: list[Any] = []

    async def execute_graphql_query(
        self,
        request: Any,
        data: Any,
        *,
        context_value: Any | None = None,
        query_document: DocumentNode | None = None,
    ) -> GraphQLResult:
        self.executed.append((type(request).__name__, data["query"], query_document is not None))
        return await super().execute_graphql_query(
            request, data, context_value=context_value, query_document=query_document
        )


@pytest.mark.parametrize(
    ("subprotocol", "start"), [("graphql-transport-ws", "subscribe"), ("graphql-ws", "start")]
)
async def test_queries_run_through_the_http_handler_and_subscriptions_do_not(
    run_server: Any, subprotocol: str, start: str
) -> None:
    http_handler = CountingHTTPHandler()
    app = GraphQL(SCHEMA, http_handler=http_handler)
    async with run_server(app) as (url, _), client(url, subprotocol) as ws:
        await ws.send({"type": "connection_init"})
        assert await ws.receive() == {"type": "connection_ack"}
        await ws.send({"type": start, "id": "1", "payload": {"query": "{ hello }"}})
        assert (await ws.receive())["payload"] == {"data": {"hello": "world"}}
        assert (await ws.receive())["type"] == "complete"
        await ws.send(
            {"type": start, "id": "2", "payload": {"query": "subscription { counter(upTo: 1) }"}}
        )
        assert (await ws.receive())["payload"] == {"data": {"counter": 1}}
        assert (await ws.receive())["type"] == "complete"
    assert http_handler.executed == [("WebSocket", "{ hello }", True)]


async def test_a_handler_mounted_without_the_graphql_app(run_server: Any) -> None:
    handler = GraphQLTransportWSHandler()
    handler.configure(SCHEMA)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await handler.handle(scope, receive, send)

    async with run_server(app) as (url, _), client(url, "graphql-transport-ws") as ws:
        await ws.send({"type": "connection_init"})
        assert await ws.receive() == {"type": "connection_ack"}
        await ws.send({"type": "subscribe", "id": "1", "payload": {"query": "{ hello }"}})
        assert (await ws.receive())["payload"] == {"data": {"hello": "world"}}


async def test_context_value_callable_sees_the_websocket_and_the_connection_params(
    serve: ServeFactory,
) -> None:
    seen: list[Any] = []

    async def context_value(websocket: Any, data: Any) -> dict[str, Any]:
        seen.append((websocket.scope["connection_params"], data["query"]))
        return {"request": websocket}

    handler = GraphQLAutoWSHandler()
    async with (
        serve(handler, context_value=context_value) as url,
        client(url, "graphql-transport-ws") as ws,
    ):
        await ws.send({"type": "connection_init", "payload": {"user": "u"}})
        assert await ws.receive() == {"type": "connection_ack"}
        for operation_id in ("1", "2"):
            await ws.send(
                {"type": "subscribe", "id": operation_id, "payload": {"query": "{ hello }"}}
            )
            assert (await ws.receive())["type"] == "next"
            assert (await ws.receive())["type"] == "complete"
    await wait_until(lambda: len(seen) == 2)
    assert seen == [({"user": "u"}, "{ hello }")] * 2  # built once per operation


async def test_handle_is_defined_once_and_wraps_the_asgi_connection_in_a_websocket() -> None:
    for handler_class in (GraphQLTransportWSHandler, GraphQLWSHandler, GraphQLAutoWSHandler):
        assert handler_class.handle is GraphQLWebsocketHandler.handle

    seen: list[Any] = []

    class Custom(GraphQLWebsocketHandler):
        async def handle_websocket(self, websocket: Any) -> None:
            seen.append(websocket)

    async def receive() -> dict[str, Any]:
        raise AssertionError("not called")

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("not called")

    scope = {"type": "websocket", "subprotocols": []}
    await Custom().handle(scope, receive, send)
    [websocket] = seen
    assert isinstance(websocket, WebSocket)
    assert websocket.scope is scope
