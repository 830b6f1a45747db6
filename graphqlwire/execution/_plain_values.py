"""Completing plain data without graphql-core's general machinery, or saying it cannot.

JSON-shaped data (``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``) mostly
completes to itself: a built-in scalar's coercer returns such a value unchanged, a list
completes item by item. The completers here give exactly graphql-core's completed value for
those exact types and return ``SLOW`` for anything else (null in a non-null position, a
value the coercer would change or reject, a subclass, an awaitable, a callable), so that
graphql-core completes that value instead and reports its errors with paths.

A completer never calls user code, so trying it first and then letting graphql-core
complete the same value changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLOutputType, GraphQLScalarType
from graphql.type import scalars

from ._compat import LEAF_COERCER

#: What a completer returns when graphql-core must complete the value.
SLOW: Any = object()

#: A function giving the completed value of a field's value, or ``SLOW``.
Completer = Callable[[Any], Any]

_MIN_INT, _MAX_INT = scalars.GRAPHQL_MIN_INT, scalars.GRAPHQL_MAX_INT


def _string(value: Any) -> Any:
    return value if type(value) is str else SLOW


def _id(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value
    return str(value) if kind is int else SLOW


def _int(value: Any) -> Any:
    return value if type(value) is int and _MIN_INT <= value <= _MAX_INT else SLOW


def _float(value: Any) -> Any:
    return value if type(value) is float and isfinite(value) else SLOW


def _boolean(value: Any) -> Any:
    return value if type(value) is bool else SLOW


#: graphql-core's coercers of the built-in scalars, each with its plain-data counterpart.
#: Every counterpart returns ``SLOW`` for None, so it also completes the non-null scalar.
_SCALAR_COMPLETERS: dict[Any, Completer] = {
    scalars.serialize_string: _string,
    scalars.serialize_id: _id,
    scalars.serialize_int: _int,
    scalars.serialize_float: _float,
    scalars.serialize_boolean: _boolean,
}


#: Per built-in scalar completer, a Python test that a value ``{v}`` completes to itself: the
#: common case, which compiled plans (``_plan_compiler``) check inline before calling it.
_ITSELF: dict[Completer, str] = {
    _string: "type({v}) is str",
    _id: "type({v}) is str",
    _int: f"type({{v}}) is int and {_MIN_INT} <= {{v}} <= {_MAX_INT}",
    _float: "type({v}) is float and isfinite({v})",
    _boolean: "type({v}) is bool",
}


def completes_to_itself(type_: GraphQLOutputType) -> str | None:
    """The test of ``_ITSELF`` for a (nullable or non-null) built-in scalar, or None."""
    named = type_.of_type if type(type_) is GraphQLNonNull else type_
    complete = scalar_completer(named)
    return None if complete is None else _ITSELF[complete]


def scalar_completer(type_: GraphQLOutputType) -> Completer | None:
    """The completer of a built-in scalar left with graphql-core's coercer, or None."""
    if type(type_) is not GraphQLScalarType:
        return None
    return _SCALAR_COMPLETERS.get(getattr(type_, LEAF_COERCER))


def nullable(complete: Completer) -> Completer:
    """``complete`` for a type that also allows null (``complete`` gives ``SLOW`` for it)."""

    def complete_nullable(value: Any) -> Any:
        return None if value is None else complete(value)

    return complete_nullable


def list_of(complete_item: Completer) -> Completer:
    """The completer of a non-null list of what ``complete_item`` completes.

    Only a ``list`` or a ``tuple`` is completed here: any other iterable could be consumed
    by reading it, and graphql-core must still be able to read it after a ``SLOW``.
    """

    def complete_list(value: Any) -> Any:
        kind = type(value)
        if kind is not list and kind is not tuple:
            return SLOW
        completed: list[Any] = []
        append = completed.append
        for item in value:
            item = complete_item(item)
            if item is SLOW:
                return SLOW
            append(item)
        return completed

    return complete_list


def wrapped(type_: GraphQLOutputType, named: Callable[[Any], Completer | None]) -> Completer | None:
    """The completer of ``type_`` (non-null and list wrappers around a named type), or None.

    ``named`` gives the completer of the named type at the core, or None when plain data
    of that type cannot be completed here.
    """
    if type(type_) is GraphQLNonNull:
        return _non_null(type_.of_type, named)
    complete = _non_null(type_, named)
    return None if complete is None else nullable(complete)


def _non_null(
    type_: GraphQLOutputType, named: Callable[[Any], Completer | None]
) -> Completer | None:
    """The completer of ``type_`` that gives ``SLOW`` for null."""
    if type(type_) is GraphQLList:
        item = wrapped(type_.of_type, named)
        return None if item is None else list_of(item)
    return named(type_)
