"""The HTTP error family, and the error that refuses a WebSocket connection.

``HttpError`` and its subclasses describe a request that cannot be answered with a GraphQL
response (bad JSON, wrong method, ...). Transports turn them into a 4xx response whose
body says what was wrong; they never reach the GraphQL error formatter.

``HttpError(status, message)`` is built as in Ariadne: ``status`` is a PEP 3333 status
line (``"400 BAD REQUEST"``) or a code, and ``.status`` is always the line, in Ariadne's
spelling; ``.status_code`` is the code, which the responses are built from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from http import HTTPStatus
from typing import Any

#: Reason phrases the stdlib does not know.
_PHRASES = {294: "Partial Success"}


def _known_phrase(code: int) -> str | None:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return _PHRASES.get(code)


def status_phrase(code: int) -> str:
    """The reason phrase of ``code``: ``"Bad Request"`` (``"Unknown Status"`` when unknown)."""
    return _known_phrase(code) or "Unknown Status"


@lru_cache(maxsize=128)
def status_line(code: int) -> str:
    """The PEP 3333 status string of ``code`` as Ariadne spells it: ``"400 BAD REQUEST"``."""
    return f"{code} {status_phrase(code).upper()}"


def _parse_status(status: str | int) -> tuple[int, str]:
    """``(code, status line)`` of an ``HttpError`` status given as a line or a code."""
    if isinstance(status, int):
        code, reason = int(status), ""
    elif isinstance(status, str):
        text, _, reason = status.strip().partition(" ")
        code = int(text) if len(text) == 3 and text.isascii() and text.isdigit() else 0
    else:
        raise TypeError(f"HttpError's status must be a str or an int, got {type(status).__name__}.")
    if not 100 <= code <= 599:
        raise ValueError(
            f"HttpError's status must be an HTTP status code or a status line such as "
            f"'400 BAD REQUEST', got {status!r}."
        )
    reason = reason.strip()
    return code, f"{code} {reason}" if reason else status_line(code)


class HttpError(Exception):
    """A request the server refuses before any GraphQL work.

    # Required arguments

    `status`: the status line (`"400 BAD REQUEST"`, as Ariadne's `HttpStatusResponse`
    values) or the status code (`400`, `HTTPStatus.BAD_REQUEST`).

    # Optional arguments

    `message`: what was wrong, sent in the response body (defaults to the reason phrase).

    `headers`: extra response headers (`Allow` on a 405).

    # Attributes

    `status`: the status line; `status_code`: its code; `message`; `headers`.
    """

    status_code: int = 400

    def __init__(
        self,
        status: str | int,
        message: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code, self.status = _parse_status(status)
        self.message: str = (
            message or _known_phrase(self.status_code) or self.status.partition(" ")[2]
        )
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)


class _KnownStatusError(HttpError):
    """An `HttpError` whose class fixes the status: built with the message only."""

    def __init__(self, message: str | None = None, headers: Mapping[str, str] | None = None):
        super().__init__(type(self).status_code, message, headers)


class HttpBadRequestError(_KnownStatusError):
    """400: the request does not carry usable GraphQL request data (as in Ariadne)."""

    status_code = 400


class HttpMethodNotAllowedError(_KnownStatusError):
    """405, with the ``Allow`` header RFC 9110 §15.5.6 requires."""

    status_code = 405

    def __init__(self, message: str | None = None, allow: Iterable[str] = ("GET", "POST")):
        super().__init__(message, {"allow": ", ".join(allow)})


class HttpNotAcceptableError(_KnownStatusError):
    """406: none of the media types the client accepts can be produced."""

    status_code = 406


class HttpLengthRequiredError(_KnownStatusError):
    """411: a body without ``Content-Length`` that the server did not de-chunk."""

    status_code = 411


class HttpPayloadTooLargeError(_KnownStatusError):
    """413: the body, a file or a field is over its limit."""

    status_code = 413


class HttpUnsupportedMediaTypeError(_KnownStatusError):
    """415: the body's ``Content-Type`` is missing or not one the endpoint reads."""

    status_code = 415


class HttpUnprocessableError(_KnownStatusError):
    """422: the request is well-formed but cannot be processed."""

    status_code = 422


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
