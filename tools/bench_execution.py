#!/usr/bin/env python3
"""Micro-benchmark of ``graphqlwire.graphql()`` with and without the document cache.

Usage: ``.venv/bin/python tools/bench_execution.py [--rounds N] [--calls N]``

Runs interleaved rounds of each case in one process and prints median microseconds per
call with ratios: the document cache (cached vs uncached, small and large query: the
uncached case passes a custom parser and validator, exactly how the cache is bypassed in
production), and graphqlwire's execution hooks (``graphqlwire.speedups`` and the plain
executor) against graphql-core's defaults, passed back in as ``execute()`` keywords.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from graphql import default_field_resolver, get_introspection_query, parse, validate
from graphql.pyutils import is_awaitable

from graphqlwire import graphql, make_executable_schema
from graphqlwire._compat import EXECUTION_CLASS_KWARG

SCHEMA = make_executable_schema(
    """
    type Query { hello: String!, items(n: Int!): [Item!]! }
    type Item { id: ID!, name: String!, price: Float!, tags: [String!]! }
    """,
    {
        "Query": {
            "hello": lambda *_: "world",
            "items": lambda _r, _i, n: [
                {"id": i, "name": f"item {i}", "price": i * 1.5, "tags": ["a", "b"]}
                for i in range(n)
            ],
        }
    },
)

QUERIES = {
    "small `{ hello }`": "{ hello }",
    "large (introspection, 100 lines)": get_introspection_query(descriptions=True),
}

ITEMS = "{ items(n: 100) { id name price tags } }"

#: graphql-core's own per-field hooks and default executor, instead of graphqlwire's.
CORE_DEFAULTS: dict[str, Any] = {
    "field_resolver": default_field_resolver,
    "is_awaitable": is_awaitable,
    EXECUTION_CLASS_KWARG: None,
}

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved repetitions")
    parser.add_argument("--calls", type=int, default=300, help="calls per repetition")
    args = parser.parse_args()

    cases: dict[tuple[str, str], Callable[[], float]] = {}
    for label, query in QUERIES.items():
        cases[(label, "cached")] = lambda q=query: time_calls(q, {}, args.calls)
        cases[(label, "uncached")] = lambda q=query: time_calls(q, UNCACHED, args.calls)
    for label, query in {"small `{ hello }`": "{ hello }", "items(n: 100)": ITEMS}.items():
        calls = args.calls if query == "{ hello }" else max(args.calls // 20, 5)
        cases[(label, "speedups")] = lambda q=query, n=calls: time_calls(q, {}, n)
        cases[(label, "core")] = lambda q=query, n=calls: time_calls(q, CORE_DEFAULTS, n)
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
    print(f"\n{'query (cached)':36} {'graphqlwire':>12} {'core hooks':>12} {'speed-up':>9}")
    for label in ("small `{ hello }`", "items(n: 100)"):
        ours = statistics.median(samples[(label, "speedups")]) * 1e6
        core = statistics.median(samples[(label, "core")]) * 1e6
        print(f"{label:36} {ours:10.1f}us {core:10.1f}us {core / ours:8.2f}x")


if __name__ == "__main__":
    main()
