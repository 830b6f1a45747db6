"""The pipeline cleans up whatever happens: sources closed, extensions finished, hook errors answered."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLError, GraphQLSchema

from graphqlwire import Extension, graphql, make_executable_schema, subscribe
from graphqlwire.execution._cache import MAX_CACHED_QUERY_LENGTH, document_cache


class ClosableSource:
    """A source stream object (not an async generator) that records aclose()."""

    def __init__(self) -> None:
        self.closed = 0

    def __aiter__(self) -> ClosableSource:
        return self

    async def __anext__(self) -> int:
        return 1

    async def aclose(self) -> None:
        self.closed += 1


def _schema_with_source(source: ClosableSource) -> GraphQLSchema:
    return make_executable_schema(
        "type Query { a: Int } type Subscription { tick: Int! }",
        {"Subscription": {"tick": {"subscribe": lambda *_: source}}},
    )


async def test_closing_a_subscription_before_its_first_event_closes_the_source() -> None:
    source = ClosableSource()
    success, results = await subscribe(
        _schema_with_source(source), {"query": "subscription { tick }"}
    )
    assert success is True
    await results.aclose()  # type: ignore[union-attr]
    await results.aclose()  # type: ignore[union-attr]
    assert source.closed == 1
    with pytest.raises(StopAsyncIteration):
        await results.__anext__()  # type: ignore[union-attr]


async def test_throwing_into_a_subscription_closes_the_source() -> None:
    source = ClosableSource()
    _, results = await subscribe(_schema_with_source(source), {"query": "subscription { tick }"})
    assert await results.__anext__() == {"data": {"tick": 1}}  # type: ignore[union-attr]
    with pytest.raises(KeyError):
        await results.athrow(KeyError("x"))  # type: ignore[union-attr]
    assert source.closed == 1


async def test_cancelled_request_still_finishes_its_extensions() -> None:
    log: list[str] = []
    started = asyncio.Event()

    class Tracking(Extension):
        def request_started(self, context: Any) -> None:
            log.append("started")

        def request_finished(self, context: Any) -> None:
            log.append("finished")

    async def slow(*_: Any) -> str:
        started.set()
        await asyncio.sleep(30)
        return "never"

    schema = make_executable_schema("type Query { slow: String }", {"Query": {"slow": slow}})
    task = asyncio.ensure_future(graphql(schema, {"query": "{ slow }"}, extensions=[Tracking]))
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["started", "finished"]


@pytest.mark.parametrize("hook", ["root_value", "validation_rules"])
async def test_graphql_error_raised_by_a_hook_is_an_error_response(hook: str) -> None:
    def refuse(*_: Any) -> Any:
        raise GraphQLError("not allowed")

    schema = make_executable_schema("type Query { a: Int } type Subscription { b: Int }", {})
    success, response = await graphql(schema, {"query": "{ a }"}, **{hook: refuse})
    assert (success, response) == (False, {"errors": [{"message": "not allowed"}]})
    success, errors = await subscribe(schema, {"query": "subscription { b }"}, **{hook: refuse})
    assert (success, errors) == (False, [{"message": "not allowed"}])


async def test_cached_validation_errors_cannot_be_changed_by_one_request() -> None:
    class Mutating(Extension):
        def has_errors(self, errors: list[GraphQLError], context: Any) -> None:
            for error in errors:
                error.extensions["seen"] = error.extensions.get("seen", 0) + 1  # type: ignore[index]

    schema = make_executable_schema("type Query { a: Int }", {})
    responses = [
        (await graphql(schema, {"query": "{ nope }"}, extensions=[Mutating]))[1] for _ in range(3)
    ]
    assert [r["errors"][0]["extensions"] for r in responses] == [{"seen": 1}] * 3


async def test_unhashable_callable_root_value() -> None:
    @dataclass
    class Root:
        value: str

        def __call__(self, context: Any, document: Any) -> dict[str, str]:
            return {"a": self.value}

    schema = make_executable_schema("type Query { a: String }", {})
    assert await graphql(schema, {"query": "{ a }"}, root_value=Root("x")) == (
        True,
        {"data": {"a": "x"}},
    )


async def test_very_long_queries_are_not_kept_in_the_cache() -> None:
    schema = make_executable_schema("type Query { a: Int }", {})
    long_query = "{ a }" + " " * MAX_CACHED_QUERY_LENGTH
    entries = len(document_cache)
    assert (await graphql(schema, {"query": long_query}))[0] is True
    assert len(document_cache) == entries


def test_abstract_type_without_resolve_type_fails_loudly() -> None:
    with pytest.raises(ValueError, match="'Pet' needs a '__resolve_type' function"):
        make_executable_schema("union Pet = Q type Q { a: Int } type Query { p: Pet }", {"Pet": {}})
