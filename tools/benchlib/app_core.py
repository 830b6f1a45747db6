"""The benchmark schema as a plain graphql-core `GraphQLSchema` (`app_core:schema`).

graphqlwire's CLI serves it directly (`graphqlwire app_core:schema`); graphqlwire's ASGI app
wraps it in `app_graphqlwire.py`. Resolvers are attached to the fields by hand so this module
depends on graphql-core alone.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from graphql import build_schema
from schema_data import SDL, count_up, resolve_hello, resolve_items, resolve_tree


def _hello(_root: Any, _info: Any) -> str:
    return resolve_hello()


def _items(_root: Any, _info: Any, n: int) -> list[dict[str, Any]]:
    return resolve_items(n)


def _tree(_root: Any, _info: Any, n: int, m: int) -> list[dict[str, Any]]:
    return resolve_tree(n, m)


def _counter_source(_root: Any, _info: Any, upTo: int) -> AsyncGenerator[int, None]:
    return count_up(upTo)


def _counter(value: int, _info: Any, **_args: Any) -> int:
    return value


schema = build_schema(SDL)
schema.query_type.fields["hello"].resolve = _hello  # type: ignore[union-attr]
schema.query_type.fields["items"].resolve = _items  # type: ignore[union-attr]
schema.query_type.fields["tree"].resolve = _tree  # type: ignore[union-attr]
_counter_field = schema.subscription_type.fields["counter"]  # type: ignore[union-attr]
_counter_field.subscribe = _counter_source
_counter_field.resolve = _counter
