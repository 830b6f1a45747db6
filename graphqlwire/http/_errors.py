"""The HTTP error family, and the error that refuses a WebSocket connection.

``HttpError`` and its subclasses describe a request that cannot be answered with a GraphQL
response (bad JSON, wrong method, ...). Transports turn them into a 4xx response whose
body says what was wrong; they never reach the GraphQL error formatter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


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
