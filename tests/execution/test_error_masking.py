"""mask_errors: unexpected resolver exceptions are hidden behind a logged correlation id."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from graphql import GraphQLError, GraphQLSchema
from websockets.asyncio.client import connect

from graphqlwire import make_executable_schema
from graphqlwire.asgi import GraphQL
from graphqlwire.execution import ExecutionOptions, run_graphql_sync
from graphqlwire.server import Server

TYPE_DEFS = """
type Query { broken: String  refused: String  both: [String] }
type Subscription { ticks: Int }
"""
SECRET = "database is down at 10.0.0.5"


def broken(*_: Any) -> str:
    raise RuntimeError(SECRET)


def refused(*_: Any) -> str:
    raise GraphQLError("You may not see this.")


async def ticks(*_: Any) -> Any:
    yield 1
    raise RuntimeError(SECRET)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return make_executable_schema(
        TYPE_DEFS,
        {
            "Query": {"broken": broken, "refused": refused},
            "Subscription": {"ticks": {"subscribe": ticks, "resolve": lambda value, *_: value}},
        },
    )


def errors_of(schema: GraphQLSchema, query: str, **options: Any) -> list[dict[str, Any]]:
    _, response = run_graphql_sync(schema, {"query": query}, ExecutionOptions(**options))
    return response["errors"]  # type: ignore[no-any-return]


def test_an_unexpected_exception_is_masked_and_logged_with_its_id(
    schema: GraphQLSchema, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, "graphqlwire"):
        [error] = errors_of(schema, "{ broken }", mask_errors=True)
    assert error["message"] == "Unexpected error."
    assert error["path"] == ["broken"]
    assert error["locations"] == [{"line": 1, "column": 3}]
    correlation_id = error["extensions"]["correlationId"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "correlationId": correlation_id}
    assert SECRET not in json.dumps(error)
    [record] = caplog.records
    assert correlation_id in record.getMessage()
    assert SECRET in record.getMessage()
    assert record.exc_info is not None


def test_each_exception_gets_its_own_id(schema: GraphQLSchema) -> None:
    errors = errors_of(schema, "{ a: broken b: broken }", mask_errors=True)
    assert len({error["extensions"]["correlationId"] for error in errors}) == 2


def test_a_graphql_error_raised_on_purpose_keeps_its_message(schema: GraphQLSchema) -> None:
    [error] = errors_of(schema, "{ refused }", mask_errors=True)
    assert error["message"] == "You may not see this."
    [invalid] = errors_of(schema, "{ nope }", mask_errors=True)
    assert invalid["message"] == "Cannot query field 'nope' on type 'Query'."


def test_off_by_default_and_under_debug(schema: GraphQLSchema) -> None:
    assert errors_of(schema, "{ broken }")[0]["message"] == SECRET
    [error] = errors_of(schema, "{ broken }", mask_errors=True, debug=True)
    assert error["message"] == SECRET
    assert "stacktrace" in error["extensions"]["exception"]


async def test_masked_over_http_and_websocket(schema: GraphQLSchema) -> None:
    app = GraphQL(schema, mask_errors=True)
    async with Server(app, port=0, log_level=None, lifespan="off") as server:
        async with httpx.AsyncClient() as client:
            response = await client.post(server.url + "/", json={"query": "{ broken }"})
        assert response.json()["errors"][0]["message"] == "Unexpected error."
        url = server.url.replace("http", "ws") + "/"
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            query = {"query": "subscription { ticks }"}
            await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": query}))
            assert json.loads(await ws.recv())["payload"] == {"data": {"ticks": 1}}
            failed = await ws.recv()
    assert SECRET not in str(failed)
    assert "Unexpected error." in str(failed)
