"""Calling user-supplied callables the way their signatures ask for.

Options such as ``context_value`` and ``root_value`` accept callables written for
different Ariadne releases (two or four arguments, sync or async); these helpers pick the
call by arity once per callable and refuse awaitables where only sync code can run.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import lru_cache
from typing import Any


def positional_arity(function: Callable[..., Any], unknown: int) -> int:
    """How many positional arguments ``function`` accepts (a large number for ``*args``).

    ``unknown`` is returned for callables whose signature cannot be read (some builtins).
    Results are cached per callable; unhashable callables are inspected every time.
    """
    try:
        return _cached_arity(function, unknown)
    except TypeError:  # unhashable, e.g. an instance of a dataclass with __call__
        return _arity(function, unknown)


def _arity(function: Callable[..., Any], unknown: int) -> int:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return unknown
    count = 0
    for parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            return 99
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


_cached_arity = lru_cache(maxsize=256)(_arity)


def ensure_sync(value: Any, what: str) -> Any:
    """Return ``value``, or raise a clear ``RuntimeError`` if it is awaitable."""
    if inspect.isawaitable(value):
        if inspect.iscoroutine(value):
            value.close()  # do not leave a "never awaited" warning behind
        raise RuntimeError(
            f"graphql_sync() cannot run async code, but {what} returned an awaitable: "
            "use the ASGI app or graphql() instead."
        )
    return value


def build_context(context_value: Any, request: Any, data: Any) -> Any:
    """The context for one request from the ``context_value`` option (maybe awaitable).

    None gives ``{"request": request}``; a value is used as is; a callable is called with
    ``(request, data)`` when it takes two parameters (newer Ariadne releases), else with
    ``(request)`` (the seeds).
    """
    if context_value is None:
        return {"request": request}
    if not callable(context_value):
        return context_value
    if positional_arity(context_value, unknown=1) >= 2:
        return context_value(request, data)
    return context_value(request)


def per_request_option(option: Any, request: Any, context: Any) -> Any:
    """An option's value for one request (maybe awaitable): a callable option is called
    with ``(request, context)``, any other value is the option itself."""
    return option(request, context) if callable(option) else option
