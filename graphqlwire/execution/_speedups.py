"""Faster drop-in replacements for two graphql-core hooks called once per field.

graphql-core asks ``is_awaitable(value)`` for every resolved value and resolves fields
without a resolver with ``default_field_resolver``, which tests ``isinstance(source,
Mapping)`` (an ABC check). Both are correct and general; these versions add a fast path
for the exact builtin types JSON-shaped data is made of and fall back to graphql-core for
everything else, so results are identical. On ``items(n: 100)`` they cut execution time
by about a sixth (``tools/bench_execution.py``).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo, default_field_resolver
from graphql.pyutils import is_awaitable as _is_awaitable

#: Exact types whose instances can never be awaited (subclasses take the full check).
_NEVER_AWAITABLE = frozenset({type(None), bool, int, float, str, bytes, list, tuple, dict})


def is_awaitable(value: Any) -> bool:
    """graphql-core's ``is_awaitable`` with a fast answer for plain data."""
    return type(value) not in _NEVER_AWAITABLE and _is_awaitable(value)


def field_resolver(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
    """graphql-core's ``default_field_resolver`` with a fast path for plain dicts."""
    if type(source) is dict:
        value = source.get(info.field_name)
        return value(info, **args) if callable(value) else value
    return default_field_resolver(source, info, **args)
