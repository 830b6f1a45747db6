"""Batches are off by default; when on, a batch spends the operation limits of one request.

Each operation keeps its own limits (depth, aliases, directives, tokens, cost), and the
whole batch must stay within ``max_tokens`` and ``max_cost`` in all, so ``max_batch_size``
operations cannot do ``max_batch_size`` times the work one request may.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema

from graphqlwire.__main__ import build_parser, graphql_app, resolve_app
from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHTTPHandler
from tests.testclient import ASGIClient


def _app(schema: GraphQLSchema, **options: Any) -> ASGIClient:
    batch_size = options.pop("max_batch_size", 10)
    handler = GraphQLHTTPHandler(max_batch_size=batch_size)
    return ASGIClient(GraphQL(schema, http_handler=handler, **options))


def _message(response: Any) -> str:
    return str(response.json()["errors"][0]["message"])


async def test_batches_are_off_by_default_with_a_message_naming_the_option(
    schema: GraphQLSchema,
) -> None:
    response = await ASGIClient(GraphQL(schema)).post("/", json=[{"query": "{ hello }"}])
    assert response.status == 400
    assert "are off on this server" in _message(response)
    assert "max_batch_size" in _message(response) and "--max-batch-size" in _message(response)
    single = await ASGIClient(GraphQL(schema)).post("/", json={"query": "{ hello }"})
    assert single.json() == {"data": {"hello": "Hello, world!"}}


async def test_the_batch_shares_the_token_limit_of_one_request(schema: GraphQLSchema) -> None:
    # Each "{ hello }" is 3 tokens: three fit within 9, four do not, although each
    # operation alone is far below the limit.
    app = _app(schema, max_tokens=9)
    assert (await app.post("/", json=[{"query": "{ hello }"}] * 3)).status == 200
    refused = await app.post("/", json=[{"query": "{ hello }"}] * 4)
    assert refused.status == 400
    assert _message(refused) == (
        "The batch's documents have more than 9 tokens in all, the limit of one request "
        "(max_tokens)."
    )


async def test_the_batch_shares_the_cost_limit_of_one_request(schema: GraphQLSchema) -> None:
    # "{ partial { ok } }" costs 1 (an object field); scalars cost nothing.
    app = _app(schema, max_cost=2)
    query = {"query": "{ partial { ok } }"}
    ok = await app.post("/", json=[query, query, {"query": "{ hello }"}])
    assert ok.status == 200
    assert ok.json()[0] == {"data": {"partial": {"ok": "fine"}}}
    refused = await app.post("/", json=[query] * 3)
    assert refused.status == 400
    assert _message(refused) == (
        "The batch's operations cost more than 2 in all, the limit of one request (max_cost)."
    )


async def test_each_operation_keeps_its_own_limits(schema: GraphQLSchema) -> None:
    app = _app(schema, max_depth=1)
    response = await app.post("/", json=[{"query": "{ hello }"}, {"query": "{ partial { ok } }"}])
    assert response.status == 200
    first, second = response.json()
    assert first == {"data": {"hello": "Hello, world!"}}
    assert second["errors"][0]["extensions"]["limit"] == "max_depth"


async def test_unmeasurable_operations_fail_on_their_own(schema: GraphQLSchema) -> None:
    app = _app(schema, max_tokens=9)
    batch = [{"query": "{ hello"}, {"query": 5}, {"query": "{ hello }"}]
    response = await app.post("/", json=batch)
    assert response.status == 200
    syntax, shape, ok = response.json()
    assert "Syntax Error" in syntax["errors"][0]["message"]
    assert shape["errors"][0]["message"] == "'query' must be a string, not a number."
    assert ok == {"data": {"hello": "Hello, world!"}}


async def test_without_limits_a_batch_is_only_capped_by_its_size(schema: GraphQLSchema) -> None:
    app = _app(schema, max_batch_size=3, max_tokens=0, max_cost=0)
    assert (await app.post("/", json=[{"query": "{ hello }"}] * 3)).status == 200
    refused = await app.post("/", json=[{"query": "{ hello }"}] * 4)
    assert "at most 3 are accepted in one request (max_batch_size)" in _message(refused)


async def test_the_cli_flag_turns_batches_on(schema: GraphQLSchema) -> None:
    parser = build_parser()
    assert "--max-batch-size" in parser.format_help()
    assert parser.parse_args(["m:s"]).max_batch_size is None
    args = parser.parse_args(["m:s", "--max-batch-size", "2"])
    app = ASGIClient(graphql_app(schema, args))
    assert (await app.post("/", json=[{"query": "{ hello }"}] * 2)).status == 200
    refused = await app.post("/", json=[{"query": "{ hello }"}] * 3)
    assert "at most 2 are accepted" in _message(refused)
    off = ASGIClient(graphql_app(schema, parser.parse_args(["m:s"])))
    assert "are off on this server" in _message(await off.post("/", json=[{"query": "{ a }"}]))


def test_the_cli_flag_needs_a_schema() -> None:
    args = build_parser().parse_args(["tests.server.server_apps:make_app", "--max-batch-size", "2"])
    with pytest.raises(ValueError, match="--max-batch-size only apply when APP is a GraphQLSchema"):
        resolve_app(args)
