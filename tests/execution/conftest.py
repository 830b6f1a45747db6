from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import pytest
from graphql import GraphQLError, GraphQLSchema

from graphqlwire import make_executable_schema
from graphqlwire.execution._cache import document_cache

TYPE_DEFS = """
type Query {
  hello(name: String = "world"): String!
  asyncHello: String!
  fail: String
  failHard: String!
  context: String
  root: String
  upper(text: String!): String!
}
type Mutation { add(a: Int!, b: Int!): Int! }
type Subscription {
  count(to: Int!): Int!
  failing: Int!
}
"""


class Probe:
    """Records what the test generators saw, so tests can assert cleanup."""

    def __init__(self) -> None:
        self.closed = 0
        self.started = 0


@pytest.fixture
def probe() -> Probe:
    return Probe()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    document_cache.clear()


@pytest.fixture
def schema(probe: Probe) -> GraphQLSchema:
    async def async_hello(*_: Any) -> str:
        return "async hello"

    def fail(*_: Any) -> str:
        raise ValueError("resolver exploded")

    def fail_hard(*_: Any) -> str:
        raise GraphQLError("deliberate")

    async def count(_root: Any, _info: Any, to: int) -> AsyncGenerator[int, None]:
        probe.started += 1
        try:
            for number in range(to):
                yield number
        finally:
            probe.closed += 1

    async def failing(*_: Any) -> AsyncGenerator[int, None]:
        try:
            yield 1
            raise RuntimeError("source broke")
        finally:
            probe.closed += 1

    return make_executable_schema(
        TYPE_DEFS,
        {
            "Query": {
                "hello": lambda _r, _i, name: f"hello {name}",
                "asyncHello": async_hello,
                "fail": fail,
                "failHard": fail_hard,
                "context": lambda _r, info: str(info.context),
                "root": lambda root, _i: str(root),
                "upper": lambda _r, _i, text: text.upper(),
            },
            "Mutation": {"add": lambda _r, _i, a, b: a + b},
            "Subscription": {
                "count": {"subscribe": count},
                "failing": {"subscribe": failing},
            },
        },
    )


@pytest.fixture
def core_operations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per call of graphql-core's own ``execute_operation`` from now on (the
    executions graphqlwire's plans did not stand in for)."""
    from graphqlwire.execution._compat import ExecutionContext

    calls: list[int] = []
    original = ExecutionContext.execute_operation

    def counting(self: Any, *args: Any) -> Any:
        calls.append(1)
        return original(self, *args)

    monkeypatch.setattr(ExecutionContext, "execute_operation", counting)
    return calls
