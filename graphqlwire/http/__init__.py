"""The HTTP layer: request, response and WebSocket types, and the GraphQL-over-HTTP rules.

Shared by the ASGI handlers and the WSGI app, so both transports read requests and answer
them the same way. Nothing here executes GraphQL: results come from ``graphqlwire.execution``.

- ``_requests``, ``_responses``, ``_websocket``, ``_datastructures``: the native types the
  handlers work on (where Ariadne's handlers use Starlette's).
- ``_rules``: media types and Accept negotiation, status codes, GET parameters, error
  bodies, the operation policy per method (see its table).
- ``_mediatypes``, ``_multipart``, ``_uploads``, ``_batching``: header parsing, the sans-IO
  multipart parser, the GraphQL multipart request spec, batched requests.
- ``_errors``: ``HttpError`` and its subclasses, refusals answered with a 4xx.

Public names are imported on first use, so a process that never receives an upload never
imports the multipart parser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "Request": "._requests",
    "ClientDisconnect": "._requests",
    "Response": "._responses",
    "HTMLResponse": "._responses",
    "JSONResponse": "._responses",
    "PlainTextResponse": "._responses",
    "WebSocket": "._websocket",
    "WebSocketDisconnect": "._websocket",
    "WebSocketState": "._websocket",
    "FormData": "._datastructures",
    "Headers": "._datastructures",
    "MutableHeaders": "._datastructures",
    "QueryParams": "._datastructures",
    "URL": "._datastructures",
    "UploadFile": "._datastructures",
    "combine_multipart_data": "._uploads",
    "HttpError": "._errors",
    "HttpBadRequestError": "._errors",
    "HttpLengthRequiredError": "._errors",
    "HttpMethodNotAllowedError": "._errors",
    "HttpNotAcceptableError": "._errors",
    "HttpPayloadTooLargeError": "._errors",
    "HttpUnprocessableError": "._errors",
    "HttpUnsupportedMediaTypeError": "._errors",
    "WebSocketConnectionError": "._errors",
}

__all__ = [
    "URL",
    "ClientDisconnect",
    "FormData",
    "HTMLResponse",
    "Headers",
    "HttpBadRequestError",
    "HttpError",
    "HttpLengthRequiredError",
    "HttpMethodNotAllowedError",
    "HttpNotAcceptableError",
    "HttpPayloadTooLargeError",
    "HttpUnprocessableError",
    "HttpUnsupportedMediaTypeError",
    "JSONResponse",
    "MutableHeaders",
    "PlainTextResponse",
    "QueryParams",
    "Request",
    "Response",
    "UploadFile",
    "WebSocket",
    "WebSocketConnectionError",
    "WebSocketDisconnect",
    "WebSocketState",
    "combine_multipart_data",
]

if TYPE_CHECKING:
    from ._datastructures import URL, FormData, Headers, MutableHeaders, QueryParams, UploadFile
    from ._errors import (
        HttpBadRequestError,
        HttpError,
        HttpLengthRequiredError,
        HttpMethodNotAllowedError,
        HttpNotAcceptableError,
        HttpPayloadTooLargeError,
        HttpUnprocessableError,
        HttpUnsupportedMediaTypeError,
        WebSocketConnectionError,
    )
    from ._requests import ClientDisconnect, Request
    from ._responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
    from ._uploads import combine_multipart_data
    from ._websocket import WebSocket, WebSocketDisconnect, WebSocketState

__getattr__ = lazy_exports(__name__, _EXPORTS)
