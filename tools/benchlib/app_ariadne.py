"""Ariadne's ASGI `GraphQL` app serving the benchmark schema (`app_ariadne:app`): the reference."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from ariadne import QueryType, SubscriptionType, make_executable_schema
from ariadne.asgi import GraphQL
from ariadne.asgi.handlers import GraphQLTransportWSHandler
from schema_data import SDL, count_up, resolve_hello, resolve_items, resolve_tree

query = QueryType()
subscription = SubscriptionType()


@query.field("hello")
def _hello(*_: Any) -> str:
    return resolve_hello()


@query.field("items")
def _items(*_: Any, n: int) -> list[dict[str, Any]]:
    return resolve_items(n)


@query.field("tree")
def _tree(*_: Any, n: int, m: int) -> list[dict[str, Any]]:
    return resolve_tree(n, m)


@subscription.source("counter")
def _counter_source(*_: Any, upTo: int) -> AsyncGenerator[int, None]:
    return count_up(upTo)


@subscription.field("counter")
def _counter(value: int, *_: Any, **__: Any) -> int:
    return value


schema = make_executable_schema(SDL, query, subscription)
app = GraphQL(schema, websocket_handler=GraphQLTransportWSHandler())
