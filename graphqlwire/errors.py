"""Errors shared by every transport, and the default GraphQL error formatter.

``HttpError`` and its subclasses describe a request that cannot be answered with a GraphQL
response (bad JSON, wrong method, ...). Transports turn them into a 4xx response whose
body says what was wrong; they never reach the GraphQL error formatter.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError


class HttpError(Exception):
    """A request the server refuses before any GraphQL work; carries status and message."""

    status: int = 400
    reason: str = "Bad Request"

    def __init__(self, message: str | None = None, headers: dict[str, str] | None = None):
        self.message = message or self.reason
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)


class HttpBadRequestError(HttpError):
    status, reason = 400, "Bad Request"


class HttpMethodNotAllowedError(HttpError):
    status, reason = 405, "Method Not Allowed"

    def __init__(self, message: str | None = None, allow: Iterable[str] = ("GET", "POST")):
        # RFC 9110 §15.5.6: a 405 response MUST carry an Allow header.
        super().__init__(message, {"allow": ", ".join(allow)})


class HttpNotAcceptableError(HttpError):
    status, reason = 406, "Not Acceptable"


class HttpPayloadTooLargeError(HttpError):
    status, reason = 413, "Payload Too Large"


class HttpUnsupportedMediaTypeError(HttpError):
    status, reason = 415, "Unsupported Media Type"


class HttpUnprocessableError(HttpError):
    status, reason = 422, "Unprocessable Content"


class WebSocketConnectionError(Exception):
    """Raised by ``on_connect`` (or by the handler) to refuse a WebSocket connection.

    The payload is sent to the client: as the ``connection_error`` payload on the legacy
    ``graphql-ws`` subprotocol, and as the close reason on ``graphql-transport-ws``.
    """

    def __init__(self, payload: dict[str, Any] | str | None = None):
        super().__init__(payload)
        self.payload: dict[str, Any] = (
            {"message": payload} if isinstance(payload, str) else dict(payload or {})
        )


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
        "stacktrace": traceback.format_exception(
            type(original), original, original.__traceback__
        ),
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
