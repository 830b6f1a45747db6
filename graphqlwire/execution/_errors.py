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
    """The ``extensions.exception`` entry for ``debug``: stack trace and resolver context.

    None when ``error`` wraps no exception, or one that was never raised (no traceback).
    """
    original = unwrap_graphql_error(error)
    if original is None or isinstance(original, GraphQLError) or original.__traceback__ is None:
        return None
    return {
        "stacktrace": get_formatted_error_traceback(original),
        "context": get_formatted_error_context(original),
    }


def get_formatted_error_traceback(error: BaseException) -> list[str]:
    """The traceback of ``error`` as a list of lines (explorers show one line per item)."""
    lines: list[str] = []
    for chunk in traceback.format_exception(type(error), error, error.__traceback__):
        lines.extend(chunk.rstrip().splitlines())
    return lines


def get_formatted_error_context(error: BaseException) -> dict[str, str] | None:
    """The local variables of the innermost frame ``error`` went through, as ``repr``s.

    For an error raised in a resolver these are its arguments. None when ``error`` has
    no traceback (it was never raised).
    """
    tb = error.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    return {name: _safe_repr(value) for name, value in tb.tb_frame.f_locals.items()}


def unwrap_graphql_error(error: BaseException | None) -> BaseException | None:
    """The exception a resolver raised, with graphql-core's wrapping ``GraphQLError`` removed."""
    while isinstance(error, GraphQLError) and error.original_error is not None:
        error = error.original_error
    return error


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)[:1000]
    except Exception:  # a broken __repr__ must not turn one error into two
        return f"<unrepresentable {type(value).__name__}>"
