"""execution_timeout: a query or mutation that runs too long is cancelled and answered."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema

from graphqlwire import make_executable_schema
from graphqlwire.__main__ import build_parser, resolve_app
from graphqlwire.asgi import GraphQL
from graphqlwire.execution import ExecutionOptions, failure_of, run_graphql
from graphqlwire.server import Server

TYPE_DEFS = "type Query { slow: String  fast: String }"


@pytest.fixture
def finished() -> list[str]:
    return []


@pytest.fixture
def schema(finished: list[str]) -> GraphQLSchema:
    async def slow(*_: Any) -> str:
        try:
            await asyncio.sleep(30)
        finally:
            finished.append("slow")
        return "late"

    async def fast(*_: Any) -> str:
        await asyncio.sleep(0)
        return "quick"

    return make_executable_schema(TYPE_DEFS, {"Query": {"slow": slow, "fast": fast}})


async def test_a_slow_operation_is_cancelled(schema: GraphQLSchema, finished: list[str]) -> None:
    options = ExecutionOptions(execution_timeout=0.05)
    success, response = await asyncio.wait_for(
        run_graphql(schema, {"query": "{ slow }"}, options), 5
    )
    assert not success
    assert failure_of(response) == "execution"
    assert response["errors"] == [
        {
            "message": "The operation did not finish within 0.05 s (execution_timeout).",
            "extensions": {"code": "EXECUTION_TIMEOUT"},
        }
    ]
    assert finished == ["slow"]  # the resolver was cancelled, its finally ran


async def test_an_operation_already_late_stops_at_its_first_await(
    schema: GraphQLSchema, finished: list[str]
) -> None:
    options = ExecutionOptions(execution_timeout=1e-9)  # (over before the first await)
    _, response = await run_graphql(schema, {"query": "{ slow }"}, options)
    assert response["errors"][0]["extensions"] == {"code": "EXECUTION_TIMEOUT"}
    assert finished == ["slow"]


async def test_a_fast_operation_is_not_affected(schema: GraphQLSchema) -> None:
    options = ExecutionOptions(execution_timeout=5)
    assert await run_graphql(schema, {"query": "{ fast }"}, options) == (
        True,
        {"data": {"fast": "quick"}},
    )


async def test_over_http_with_the_cli_flag(schema: GraphQLSchema) -> None:
    args = build_parser().parse_args(["graphqlwire.demo:schema", "--execution-timeout", "0.3"])
    assert resolve_app(args).http_handler.execution_timeout == 0.3
    app = GraphQL(schema, execution_timeout=0.3)
    async with (
        Server(app, port=0, log_level=None, lifespan="off") as server,
        httpx.AsyncClient() as client,
    ):
        slow, fast = await asyncio.gather(
            client.post(server.url + "/", json={"query": "{ slow }"}),
            client.post(server.url + "/", json={"query": "{ fast }"}),
        )
    assert slow.status_code == 400
    assert slow.json()["errors"][0]["extensions"] == {"code": "EXECUTION_TIMEOUT"}
    assert fast.json() == {"data": {"fast": "quick"}}


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_a_timeout_must_be_over_0(timeout: float) -> None:
    with pytest.raises(ValueError, match="execution_timeout must be a number of seconds over 0"):
        ExecutionOptions(execution_timeout=timeout)
    with pytest.raises(ValueError, match="execution_timeout"):
        GraphQL(make_executable_schema(TYPE_DEFS), execution_timeout=timeout)
