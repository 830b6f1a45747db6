"""What code and tests written against Ariadne's ASGI side keep finding in graphqlwire.

Handler subclasses written as Ariadne's documentation writes them, its message-type
constants, wording clients match on, ``BaseProxyRootValue``, ``subscribe()``'s results,
``GraphQLMiddleware``'s arguments, and a clear error for a handler without a schema.
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import Any

import pytest
from graphql import ExecutionResult, GraphQLError, GraphQLSchema

import graphqlwire
from graphqlwire import graphql_sync, subscribe
from graphqlwire.asgi import GraphQL, GraphQLMiddleware
from graphqlwire.asgi.handlers import (
    GraphQLHTTPHandler,
    GraphQLTransportWSHandler,
    GraphQLWSHandler,
)
from graphqlwire.execution import BaseProxyRootValue
from graphqlwire.http import JSONResponse, PlainTextResponse
from graphqlwire.wsgi import GraphQL as WSGIGraphQL
from tests.testclient import ASGIClient
from tests.websocket.conftest import client, graphqlwire_server
from tests.wsgi.helpers import post_json

from .conftest import TYPE_DEFS

# --- message types ------------------------------------------------------------------------


def _constants(handler_class: type) -> dict[str, str]:
    return {name: getattr(handler_class, name) for name in dir(handler_class) if "GQL_" in name}


def test_the_handlers_carry_ariadnes_message_type_constants() -> None:
    assert _constants(GraphQLTransportWSHandler) == {
        "GQL_CONNECTION_INIT": "connection_init",
        "GQL_CONNECTION_ACK": "connection_ack",
        "GQL_PING": "ping",
        "GQL_PONG": "pong",
        "GQL_SUBSCRIBE": "subscribe",
        "GQL_NEXT": "next",
        "GQL_ERROR": "error",
        "GQL_COMPLETE": "complete",
    }
    assert _constants(GraphQLWSHandler) == {
        "GQL_CONNECTION_INIT": "connection_init",
        "GQL_CONNECTION_ACK": "connection_ack",
        "GQL_CONNECTION_ERROR": "connection_error",
        "GQL_CONNECTION_KEEP_ALIVE": "ka",
        "GQL_CONNECTION_TERMINATE": "connection_terminate",
        "GQL_START": "start",
        "GQL_DATA": "data",
        "GQL_ERROR": "error",
        "GQL_COMPLETE": "complete",
        "GQL_STOP": "stop",
    }


class CountingPings(GraphQLTransportWSHandler):
    """A subclass as an Ariadne user writes one: the constants, the documented signature."""

    pings = 0

    async def handle_websocket_message(
        self, websocket: Any, message: dict[str, Any], client_context: Any
    ) -> None:
        if message.get("type") == self.GQL_PING:
            type(self).pings += 1
        await super().handle_websocket_message(websocket, message, client_context)


async def test_an_ariadne_style_websocket_subclass_works(schema: GraphQLSchema) -> None:
    app = GraphQL(schema, websocket_handler=CountingPings())
    async with graphqlwire_server(app) as (url, _), client(url, "graphql-transport-ws") as ws:
        await ws.send({"type": CountingPings.GQL_CONNECTION_INIT})
        assert await ws.receive() == {"type": CountingPings.GQL_CONNECTION_ACK}
        await ws.send({"type": CountingPings.GQL_PING})
        assert await ws.receive() == {"type": CountingPings.GQL_PONG}
        await ws.send({"type": "subscribe", "id": "1", "payload": {"query": "{ hello }"}})
        assert (await ws.receive())["type"] == CountingPings.GQL_NEXT
    assert CountingPings.pings == 1


class TaggedHTTPHandler(GraphQLHTTPHandler):
    """An HTTP handler subclass with Ariadne's documented signatures."""

    async def get_context_for_request(self, request: Any, data: dict[str, Any]) -> Any:
        return {"request": request, "value": "tagged"}

    async def create_json_response(
        self, request: Any, result: dict[str, Any], success: bool
    ) -> Any:
        return JSONResponse(result, 200 if success else 400, headers={"x-tag": "yes"})

    def handle_not_allowed_method(self, request: Any) -> Any:
        return PlainTextResponse("nope", 405, headers={"allow": "OPTIONS, POST"})


async def test_an_ariadne_style_http_subclass_works(schema: GraphQLSchema) -> None:
    app = ASGIClient(GraphQL(schema, http_handler=TaggedHTTPHandler()))
    response = await app.post("/", json={"query": "{ context }"})
    assert (response.status, response.header("x-tag")) == (200, "yes")
    assert response.json() == {"data": {"context": "tagged"}}
    refused = await app.request("PUT", "/")
    assert (refused.status, refused.text) == (405, "nope")


# --- wording clients match --------------------------------------------------------------


async def test_allow_lists_methods_in_ariadnes_order(schema: GraphQLSchema) -> None:
    app = ASGIClient(GraphQL(schema))
    assert (await app.options("/")).header("allow") == "OPTIONS, POST, GET"
    refused = await app.request("DELETE", "/")
    assert (refused.status, refused.header("allow")) == (405, "OPTIONS, POST, GET")
    closed = ASGIClient(GraphQL(schema, introspection=False))
    assert (await closed.options("/")).header("allow") == "OPTIONS, POST"


async def test_introspection_disabled_in_ariadnes_words(schema: GraphQLSchema) -> None:
    app = ASGIClient(GraphQL(schema, introspection=False))
    response = await app.post("/", json={"query": "{ __schema { queryType { name } } }"})
    assert response.status == 400
    assert response.json()["errors"][0]["message"] == (
        "Cannot query '__schema': introspection is disabled."
    )
    allowed = await app.post("/", json={"query": "{ __typename }"})
    assert allowed.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        (
            "subscription Ticks { tick }",
            None,
            "Operation 'Ticks' is a subscription and can only be executed over a WebSocket "
            "connection.",
        ),
        (
            "query Q { hello } subscription Ticks { tick }",
            "Ticks",
            "Operation 'Ticks' is a subscription and can only be executed over a WebSocket "
            "connection.",
        ),
        (
            "subscription { tick }",
            None,
            "Subscriptions are not executed over HTTP: subscribe over a WebSocket "
            "(graphql-transport-ws or graphql-ws subprotocol).",
        ),
    ],
)
async def test_a_subscription_over_http_is_refused_naming_it(
    schema: GraphQLSchema, query: str, name: str | None, message: str
) -> None:
    app = ASGIClient(GraphQL(schema))
    response = await app.post("/", json={"query": query, "operationName": name})
    assert response.status == 400
    assert response.json()["errors"][0]["message"] == message


# --- misconfiguration and asserts ---------------------------------------------------------


@pytest.mark.parametrize("handler_class", [GraphQLHTTPHandler])
async def test_an_http_handler_without_a_schema_raises_a_clear_type_error(
    handler_class: Any,
) -> None:
    app = ASGIClient(handler_class().handle)
    with pytest.raises(TypeError, match="GraphQLHTTPHandler has no schema: pass the handler"):
        await app.post("/", json={"query": "{ hello }"})


@pytest.mark.parametrize(
    ("handler_class", "start", "failed"),
    [(GraphQLTransportWSHandler, "subscribe", "error"), (GraphQLWSHandler, "start", "error")],
)
async def test_a_websocket_handler_without_a_schema_raises_a_clear_type_error(
    handler_class: Any, start: str, failed: str, caplog: pytest.LogCaptureFixture
) -> None:
    handler = handler_class()
    server = graphqlwire_server(handler.handle)
    async with server as (url, _), client(url, handler.subprotocol) as ws:
        await ws.send({"type": "connection_init"})
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.send({"type": start, "id": "1", "payload": {"query": "{ hello }"}})
        message = await ws.receive()
    assert message["type"] == failed
    payload = message["payload"]
    text = payload[0]["message"] if isinstance(payload, list) else payload["message"]
    assert text.startswith(f"{handler_class.__name__} has no schema: pass the handler")
    logged = [record for record in caplog.records if record.exc_info]
    assert any(isinstance(record.exc_info[1], TypeError) for record in logged)  # type: ignore[index]


def test_no_assert_guards_runtime_behaviour_in_the_package() -> None:
    """Asserts vanish under ``python -O``: the package never relies on one."""
    package = Path(graphqlwire.__file__).parent
    found = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == []


# --- BaseProxyRootValue ---------------------------------------------------------------------


class Proxy(BaseProxyRootValue):
    """Runs with the root "proxied" and marks every result it rewrites."""

    def __init__(self) -> None:
        super().__init__("proxied")

    def update_result(self, result: Any) -> Any:
        success, response = result
        return success, {**response, "extensions": {"proxy": True}}


def _root_value(context: Any, document: Any) -> Proxy:
    return Proxy()


async def test_a_proxy_root_value_rewrites_the_http_result(schema: GraphQLSchema) -> None:
    for root_value in (Proxy(), _root_value):
        app = ASGIClient(GraphQL(schema, root_value=root_value))
        response = await app.post("/", json={"query": "{ root }"})
        assert response.json() == {"data": {"root": "proxied"}, "extensions": {"proxy": True}}
        failed = await app.post("/", json={"query": "{ root fail }"})
        assert failed.json()["extensions"] == {"proxy": True}


def test_a_proxy_root_value_rewrites_the_wsgi_and_sync_results(schema: GraphQLSchema) -> None:
    assert graphql_sync(schema, {"query": "{ root }"}, root_value=Proxy()) == (
        True,
        {"data": {"root": "proxied"}, "extensions": {"proxy": True}},
    )
    result = post_json(WSGIGraphQL(schema, root_value=Proxy()), {"query": "{ root }"})
    assert result.json() == {"data": {"root": "proxied"}, "extensions": {"proxy": True}}


async def test_a_proxy_root_value_rewrites_websocket_results(schema: GraphQLSchema) -> None:
    app = GraphQL(schema, root_value=Proxy())
    async with graphqlwire_server(app) as (url, _), client(url, "graphql-transport-ws") as ws:
        await ws.send({"type": "connection_init"})
        assert (await ws.receive())["type"] == "connection_ack"
        for query in ("{ root }", "subscription { tick }"):
            await ws.send({"type": "subscribe", "id": query, "payload": {"query": query}})
            message = await ws.receive()
            assert message["payload"]["extensions"] == {"proxy": True}
            assert await ws.receive() == {"type": "complete", "id": query}


# --- subscribe() ----------------------------------------------------------------------------


async def test_subscribe_yields_execution_results_as_ariadnes(schema: GraphQLSchema) -> None:
    success, results = await subscribe(schema, {"query": "subscription { tick }"})
    assert success and not isinstance(results, list)
    received = [result async for result in results]
    assert all(isinstance(result, ExecutionResult) for result in received)
    assert [result.formatted for result in received] == [{"data": {"tick": 1}}]
    refused, errors = await subscribe(schema, {"query": "subscription { nope }"})
    assert not refused and isinstance(errors, list)
    assert errors[0]["message"] == "Cannot query field 'nope' on type 'Subscription'."


async def test_subscribe_results_carry_graphql_errors(schema: GraphQLSchema) -> None:
    from tests.websocket.conftest import SCHEMA

    success, results = await subscribe(SCHEMA, {"query": "subscription { broken }"})
    assert success and not isinstance(results, list)
    received = [result async for result in results]
    assert received[0].data == {"broken": 1}
    [error] = received[1].errors or []
    assert isinstance(error, GraphQLError) and error.message == "the source broke"


# --- GraphQLMiddleware (ASGI) ---------------------------------------------------------------


async def _fallback(scope: Any, receive: Any, send: Any) -> None:
    await PlainTextResponse("the other app")(scope, receive, send)


async def test_graphql_middleware_takes_ariadnes_arguments(schema: GraphQLSchema) -> None:
    for graphql_app in (GraphQL(schema), schema):
        app = ASGIClient(GraphQLMiddleware(_fallback, graphql_app, "/graphql/"))
        for path in ("/graphql/", "/graphql"):
            response = await app.post(path, json={"query": "{ hello }"})
            assert response.json() == {"data": {"hello": "Hello, world!"}}
        assert (await app.get("/elsewhere")).text == "the other app"
    default_path = ASGIClient(GraphQLMiddleware(_fallback, schema, debug=True))
    assert (await default_path.post("/graphql/", json={"query": "{ hello }"})).status == 200


def test_graphql_middleware_refuses_bad_arguments_when_built(schema: GraphQLSchema) -> None:
    with pytest.raises(TypeError, match="app must be a callable ASGI application"):
        GraphQLMiddleware(None, schema)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="graphql_app must be an ASGI application"):
        GraphQLMiddleware(_fallback, TYPE_DEFS)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="only apply with a schema"):
        GraphQLMiddleware(_fallback, GraphQL(schema), debug=True)
    for path in ("", "graphql", "/"):
        with pytest.raises(ValueError, match="path"):
            GraphQLMiddleware(_fallback, schema, path)


async def test_graphql_middleware_routes_websockets_and_lifespan(schema: GraphQLSchema) -> None:
    lifespans: list[str] = []

    async def other(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            lifespans.append("lifespan")
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await _fallback(scope, receive, send)

    app = GraphQLMiddleware(other, schema, "/graphql/")
    async with graphqlwire_server(app) as (url, _), client(url + "graphql", "graphql-ws") as ws:
        assert ws.subprotocol == "graphql-ws"
    async with ASGIClient(app).lifespan():
        await asyncio.sleep(0)
    assert lifespans == ["lifespan"]
