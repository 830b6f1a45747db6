"""The default GraphQL error formatter and the ``debug`` details it can add.

Every transport formats errors through ``format_error`` (or the user's ``error_formatter``);
``unwrap_graphql_error`` finds the exception a resolver raised, for logging.
"""

from __future__ import annotations

import traceback
from typing import Any

from graphql import GraphQLError


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """Return ``error`` as the spec's error dict (message, locations, path, extensions).

    With ``debug`` the original exception's traceback and, when it was raised in a
    resolver, that resolver's local variables (its arguments) are added under
    ``extensions.exception`` to help during development. Never enable it in production:
    it can leak secrets.
    """
    formatted: dict[str, Any] = dict(error.formatted)
    if debug:
        extensions = dict(formatted.get("extensions") or {})
        extensions["exception"] = get_error_extension(error)
        formatted["extensions"] = extensions
    return formatted


def get_error_extension(error: GraphQLError) -> dict[str, Any] | None:
    """The ``extensions.exception`` entry for ``debug``: stack trace and resolver context."""
    original = unwrap_graphql_error(error)
    if original is None or isinstance(original, GraphQLError):
        return None
    return {
        "stacktrace": traceback.format_exception(type(original), original, original.__traceback__),
        "context": _innermost_frame_locals(original),
    }


def unwrap_graphql_error(error: BaseException | None) -> BaseException | None:
    """The exception a resolver raised, with graphql-core's wrapping ``GraphQLError`` removed."""
    while isinstance(error, GraphQLError) and error.original_error is not None:
        error = error.original_error
    return error


def _innermost_frame_locals(error: BaseException) -> dict[str, str]:
    tb = error.__traceback__
    if tb is None:
        return {}
    while tb.tb_next is not None:
        tb = tb.tb_next
    return {name: _safe_repr(value) for name, value in tb.tb_frame.f_locals.items()}


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)[:1000]
    except Exception:  # a broken __repr__ must not turn one error into two
        return f"<unrepresentable {type(value).__name__}>"
