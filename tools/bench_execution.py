#!/usr/bin/env python3
"""Micro-benchmark of ``graphqlwire.graphql()`` with and without the document cache.

Usage: ``.venv/bin/python tools/bench_execution.py [--rounds N] [--calls N]``

Runs interleaved rounds of each case in one process and prints median microseconds per
call with ratios: the document cache (cached vs uncached, small and large query: the
uncached case passes a custom parser and validator, exactly how the cache is bypassed in
production), and graphqlwire's execution (``graphqlwire.execution.Executor`` with the hooks
of ``graphqlwire.execution._speedups``) against graphql-core's plain execution class with the same
hooks ("core executor", what graphqlwire ran before) and with graphql-core's hooks too
("core hooks"); also per event of a one-field subscription, ``counter(upTo: N)``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any

from graphql import default_field_resolver, get_introspection_query, parse, validate
from graphql.pyutils import is_awaitable

from graphqlwire import graphql, make_executable_schema, subscribe
from graphqlwire.execution._compat import ExecutionContext

SCHEMA = make_executable_schema(
    """
    type Query { hello: String!, items(n: Int!): [Item!]!, tree(n: Int!, m: Int!): [Branch!]! }
    type Item { id: ID!, name: String!, price: Float!, tags: [String!]! }
    type Branch { id: ID!, name: String!, children: [Item!]! }
    """,
    {
        "Query": {
            "hello": lambda *_: "world",
            "items": lambda _r, _i, n: [
                {"id": i, "name": f"item {i}", "price": i * 1.5, "tags": ["a", "b"]}
                for i in range(n)
            ],
            "tree": lambda _r, _i, n, m: [
                {
                    "id": str(i),
                    "name": f"branch {i}",
                    "children": [
                        {"id": str(j), "name": f"item {j}", "price": j * 0.25} for j in range(m)
                    ],
                }
                for i in range(n)
            ],
        }
    },
)


async def count_up(_root: Any, _info: Any, upTo: int) -> AsyncGenerator[int, None]:
    for number in range(upTo):
        yield number


SUBSCRIPTION_SCHEMA = make_executable_schema(
    "type Query { hello: String } type Subscription { counter(upTo: Int!): Int! }",
    {"Subscription": {"counter": {"subscribe": count_up}}},
)

QUERIES = {
    "small `{ hello }`": "{ hello }",
    "large (introspection, 100 lines)": get_introspection_query(descriptions=True),
}

ITEMS = "{ items(n: 100) { id name price tags } }"
TREE = "{ tree(n: 50, m: 10) { id name children { id name price } } }"

#: graphqlwire's hooks with graphql-core's plain execution class instead of graphqlwire's
#: (what graphqlwire ran before ``graphqlwire.execution.Executor``).
CORE_EXECUTOR: dict[str, Any] = {"execution_context_class": ExecutionContext}

#: graphql-core's own per-field hooks too.
CORE_HOOKS: dict[str, Any] = {
    **CORE_EXECUTOR,
    "field_resolver": default_field_resolver,
    "is_awaitable": is_awaitable,
}

#: How each execution case runs, graphqlwire's first (the others' ratios are to it).
EXECUTIONS: dict[str, dict[str, Any]] = {
    "graphqlwire": {},
    "core executor": CORE_EXECUTOR,
    "core hooks": CORE_HOOKS,
}

EVENTS = "subscription event `counter`"

#: The queries each execution case runs (cached documents).
EXECUTED = {"small `{ hello }`": "{ hello }", "items(n: 100)": ITEMS, "tree(n: 50, m: 10)": TREE}

UNCACHED: dict[str, Any] = {
    "query_parser": lambda _context, data: parse(data["query"]),
    "query_validator": validate,
}


def time_calls(query: str, options: dict[str, Any], calls: int) -> float:
    """Seconds per ``graphql()`` call, averaged over ``calls`` sequential calls."""
    data = {"query": query}

    async def run() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            success, _response = await graphql(SCHEMA, data, **options)
            assert success
        return (time.perf_counter() - start) / calls

    return asyncio.run(run())


def time_events(options: dict[str, Any], events: int) -> float:
    """Seconds per event of ``subscription { counter(upTo: events) }``."""
    data = {"query": f"subscription {{ counter(upTo: {events}) }}"}

    async def run() -> float:
        success, results = await subscribe(SUBSCRIPTION_SCHEMA, data, **options)
        assert success
        assert not isinstance(results, list)
        start = time.perf_counter()
        async for _result in results:
            pass
        return (time.perf_counter() - start) / events

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved repetitions")
    parser.add_argument("--calls", type=int, default=300, help="calls per repetition")
    args = parser.parse_args()

    cases: dict[tuple[str, str], Callable[[], float]] = {}
    for label, query in QUERIES.items():
        cases[(label, "cached")] = lambda q=query: time_calls(q, {}, args.calls)
        cases[(label, "uncached")] = lambda q=query: time_calls(q, UNCACHED, args.calls)
    for label, query in EXECUTED.items():
        calls = args.calls if query == "{ hello }" else max(args.calls // 20, 5)
        for name, options in EXECUTIONS.items():
            cases[(label, name)] = lambda q=query, n=calls, o=options: time_calls(q, o, n)
    for name, options in EXECUTIONS.items():
        cases[(EVENTS, name)] = lambda o=options: time_events(o, args.calls * 4)
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in cases}
    for _ in range(args.rounds):
        for key, case in cases.items():
            samples[key].append(case())

    print(f"graphql() per call, median of {args.rounds} rounds x {args.calls} calls")
    print(f"{'query':36} {'cached':>12} {'uncached':>12} {'speed-up':>9}")
    for label in QUERIES:
        cached = statistics.median(samples[(label, "cached")]) * 1e6
        uncached = statistics.median(samples[(label, "uncached")]) * 1e6
        print(f"{label:36} {cached:10.1f}us {uncached:10.1f}us {uncached / cached:8.1f}x")
    names = list(EXECUTIONS)
    print(f"\n{'query (cached)':36}", *(f"{name:>14}" for name in names))
    for label in (*EXECUTED, EVENTS):
        medians = [statistics.median(samples[(label, name)]) * 1e6 for name in names]
        ratios = [f"{median / medians[0]:5.2f}x" for median in medians[1:]]
        cells = [f"{median:12.1f}us" for median in medians]
        print(f"{label:36}", *cells, " slower by", *ratios)


if __name__ == "__main__":
    main()
