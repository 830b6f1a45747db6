from __future__ import annotations

import logging
from typing import Any

import pytest
from graphql import GraphQLSchema

from graphqlwire import subscribe


async def test_subscription_yields_every_event_then_closes_source(
    schema: GraphQLSchema, probe: Any
) -> None:
    success, results = await subscribe(schema, {"query": "subscription { count(to: 3) }"})
    assert success is True
    assert [result async for result in results] == [  # type: ignore[union-attr]
        {"data": {"count": 0}},
        {"data": {"count": 1}},
        {"data": {"count": 2}},
    ]
    assert probe.closed == 1


async def test_closing_the_generator_runs_the_source_finally(
    schema: GraphQLSchema, probe: Any
) -> None:
    success, results = await subscribe(schema, {"query": "subscription { count(to: 100) }"})
    assert success is True
    assert await results.__anext__() == {"data": {"count": 0}}  # type: ignore[union-attr]
    assert probe.closed == 0
    await results.aclose()  # type: ignore[union-attr]
    assert probe.closed == 1


async def test_source_error_becomes_an_error_result_and_ends_the_stream(
    schema: GraphQLSchema, probe: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="graphqlwire"):
        _, results = await subscribe(schema, {"query": "subscription { failing }"})
        received = [result async for result in results]  # type: ignore[union-attr]
    assert received == [{"data": {"failing": 1}}, {"errors": [{"message": "source broke"}]}]
    assert probe.closed == 1
    assert len([r for r in caplog.records if r.name == "graphqlwire"]) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"query": 1}, "'query' must be a string, not a number."),
        ({"query": "subscription {"}, "Syntax Error"),
        ({"query": "subscription { nope }"}, "Cannot query field 'nope'"),
        ({"query": "subscription($t: Int!) { count(to: $t) }", "variables": {"t": "x"}}, "$t"),
        (
            {"query": "subscription A { count(to: 1) }", "operationName": "B"},
            "Unknown operation named 'B'.",
        ),
    ],
)
async def test_pre_execution_failures_return_errors(
    schema: GraphQLSchema, probe: Any, data: Any, message: str
) -> None:
    success, errors = await subscribe(schema, data)
    assert success is False
    assert isinstance(errors, list)
    assert message in errors[0]["message"]
    assert probe.started == 0


async def test_query_through_subscribe_yields_one_result(schema: GraphQLSchema) -> None:
    success, results = await subscribe(schema, {"query": "{ hello }"})
    assert success is True
    assert [r async for r in results] == [{"data": {"hello": "hello world"}}]  # type: ignore[union-attr]


async def test_subscription_respects_introspection_and_error_formatter(
    schema: GraphQLSchema,
) -> None:
    success, errors = await subscribe(
        schema,
        {"query": "subscription { count(to: 1) __schema { queryType { name } } }"},
        introspection=False,
        error_formatter=lambda error, debug: {"message": "masked"},
    )
    assert success is False
    assert {"message": "masked"} in errors  # type: ignore[operator]
