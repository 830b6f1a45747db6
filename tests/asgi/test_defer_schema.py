"""The schema the ``@defer``/``@stream`` tests share, and the tests of adding the directives.

``tests/js/defer-schema.graphql`` is its SDL, which ``tests/js/defer-execute.mjs`` builds with
graphql-js 17 and the same resolvers (timed alike: ``tick`` waits a millisecond), so that the
payloads graphqlwire sends can be compared with graphql-js's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLDeferDirective,
    GraphQLSchema,
    GraphQLStreamDirective,
    build_schema,
    specified_directives,
)

from graphqlwire import make_executable_schema
from graphqlwire.schema import with_defer_stream

SDL = (Path(__file__).parents[1] / "js" / "defer-schema.graphql").read_text()


async def tick() -> None:
    await asyncio.sleep(0.001)


def person(name: str, age: int | None, friends: list[Any] | None = None) -> dict[str, Any]:
    def bad(_info: Any) -> str:
        raise ValueError(f"{name} is bad")

    return {"name": name, "age": age, "bad": bad, "friends": friends or []}


async def slow(_info: Any) -> str:
    await tick()
    return "slow"


def fail(_info: Any) -> str:
    raise ValueError("boom")


def fail_non_null(_info: Any) -> str:
    raise ValueError("boom!")


async def async_numbers(_info: Any) -> AsyncGenerator[int, None]:
    for number in (1, 2, 3):
        await tick()
        yield number


def root_value() -> dict[str, Any]:
    """The root value: every Query field, as tests/js/defer-execute.mjs has them."""
    return {
        "hello": "world",
        "slow": slow,
        "fail": fail,
        "failNonNull": fail_non_null,
        "person": lambda _info: person("Ada", 36, [person("Bob", 40), person("Cy", None)]),
        "numbers": [1, 2, 3],
        "asyncNumbers": async_numbers,
        "people": [person("Ada", 36), person("Bob", 40)],
    }


def defer_schema() -> GraphQLSchema:
    """The shared schema with ``@defer`` and ``@stream``."""
    return make_executable_schema(SDL, defer_stream=True)


def test_defer_stream_adds_both_directives_to_the_schema() -> None:
    names = [directive.name for directive in defer_schema().directives]
    assert names[-2:] == ["defer", "stream"]
    assert [d.name for d in make_executable_schema(SDL).directives].count("defer") == 0


def test_with_defer_stream_keeps_types_and_resolvers_and_adds_nothing_twice() -> None:
    schema = make_executable_schema("type Query { a: String }", {"Query": {"a": lambda *_: "x"}})
    extended = with_defer_stream(schema)
    assert extended is not schema
    assert extended.query_type is schema.query_type
    assert with_defer_stream(extended) is extended
    by_hand = GraphQLSchema(
        query=schema.query_type,
        directives=[*specified_directives, GraphQLDeferDirective, GraphQLStreamDirective],
    )
    assert with_defer_stream(by_hand) is by_hand


def test_an_sdl_declaring_the_directives_is_served_as_they_say() -> None:
    schema = build_schema(
        """
        directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT
        type Query { a: String }
        """
    )
    assert with_defer_stream(schema).get_directive("stream") is GraphQLStreamDirective


@pytest.mark.parametrize("resolvers", [None, {"Query": {"hello": lambda *_: "x"}}])
def test_defer_stream_works_with_and_without_resolvers(resolvers: Any) -> None:
    schema = make_executable_schema(SDL, resolvers, defer_stream=True)
    assert schema.get_directive("defer") is GraphQLDeferDirective
