"""Incremental delivery over HTTP: ``multipart/mixed`` responses for ``@defer``/``@stream``.

GraphQL over HTTP's incremental delivery RFC: a client that accepts ``multipart/mixed``
gets ``Content-Type: multipart/mixed; boundary="-"`` and one ``application/json;
charset=utf-8`` part per payload. Each part is written with the delimiter that follows it
(``\\r\\n---``), so a client reading the stream can hand a payload on as soon as it arrives;
the last delimiter closes the body (``\\r\\n-----\\r\\n``).

Two payload formats are negotiated from the ``Accept`` header:

- graphql-js 17's (the default): ``{data, pending, hasNext}``, then ``{pending?,
  incremental?, completed?, hasNext}`` with ids, ending ``hasNext: false``;
- Apollo Client's older one, for ``multipart/mixed;deferSpec=20220824``: ``{data,
  hasNext}``, then ``{incremental: [{data | items, path, label?, errors?}], hasNext}``.
  A deferred part that fails is an entry with ``data: null`` and its errors. ``@stream``
  items are placed by counting from the list's length in the first payload.

``*/*`` does not count as accepting ``multipart/mixed``: a client must name it.

When the client goes away mid-stream, the task writing the parts is cancelled wherever
it waits and the payloads are closed, which stops the deferred work.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any, Literal

from ..execution import failure_of, get_logger, subsequent_payloads
from ..types import Receive, Scope, Send
from ._errors import HttpNotAcceptableError
from ._mediatypes import parse_accept
from ._responses import JSONResponse, Response
from ._rules import JSON, negotiate_media_type
from ._status import StatusMode, error_response, result_response, result_status

__all__ = [
    "MULTIPART_MIXED",
    "IncrementalFormat",
    "MultipartMixedResponse",
    "graphql_response",
    "multipart_format",
    "negotiate_result",
]

MULTIPART_MIXED = "multipart/mixed"
IncrementalFormat = Literal["graphql-js", "apollo"]
#: The ``deferSpec`` parameter value of Apollo Client's format.
APOLLO_DEFER_SPEC = "20220824"

_CONTENT_TYPE = b'multipart/mixed; boundary="-"'
_PART_HEAD = b"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
_DELIMITER = b"\r\n---"
_FIRST = b"---"
_CLOSE = b"--\r\n"
_HEADERS = [
    (b"content-type", _CONTENT_TYPE),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]

Payload = dict[str, Any]


def multipart_format(accept: str | None) -> IncrementalFormat | None:
    """The payload format for a client naming ``multipart/mixed`` in `accept`, else None.

    The best-ranked ``multipart/mixed`` range decides: with ``deferSpec=20220824``,
    Apollo's format; otherwise graphql-js 17's. Cheap for the usual headers, which do
    not mention ``multipart`` at all.
    """
    if accept is None or "multipart" not in accept:
        return None
    for media_range in parse_accept(accept):  # (best first)
        if media_range.type == "multipart" and media_range.subtype == "mixed":
            if media_range.quality <= 0:
                return None
            spec = dict(media_range.params).get("deferspec")
            return "apollo" if spec == APOLLO_DEFER_SPEC else "graphql-js"
    return None


def negotiate_result(accept: str | None) -> tuple[str | None, IncrementalFormat | None]:
    """The JSON media type and the multipart format `accept` allows, either None.

    The JSON type is None for a client that accepts ``multipart/mixed`` but no JSON type
    (it gets every result as ``multipart/mixed``). Raises ``HttpNotAcceptableError`` (406)
    when neither is acceptable.
    """
    multipart = multipart_format(accept)
    if multipart is None:
        return negotiate_media_type(accept), None
    try:
        return negotiate_media_type(accept), multipart
    except HttpNotAcceptableError:
        return None, multipart


#: The 406 of an incremental operation for a client that cannot read its payloads.
INCREMENTAL_NOT_ACCEPTABLE = (
    "The operation uses @defer or @stream, whose results arrive in several payloads, "
    "and the Accept header allows neither multipart/mixed nor text/event-stream: send "
    "'Accept: multipart/mixed, application/json' to receive them."
)


def graphql_response(
    result: Payload,
    success: bool,
    accept: str | None,
    *,
    method: str = "POST",
    status_mode: StatusMode = "ariadne",
) -> Response:
    """The HTTP response for a GraphQL result, as the client's `accept` allows.

    An incremental result goes out as ``multipart/mixed`` (status 200), and so does any
    result for a client accepting no JSON type; an incremental operation refused for a
    client that accepts no ``multipart/mixed`` (failure stage ``"incremental"``) is a 406
    naming the directives and the media type; anything else is ``result_response``'s
    JSON. Raises ``HttpNotAcceptableError`` when the client accepts none of these.
    """
    media_type, multipart = negotiate_result(accept)
    later = subsequent_payloads(result)
    if multipart is not None and (later is not None or media_type is None):
        status = 200
        if later is None:
            status = result_status(result, success, JSON, method=method, status_mode=status_mode)
        return MultipartMixedResponse(result, later, multipart, status)
    if "data" not in result and failure_of(result) == "incremental":
        return error_response(HttpNotAcceptableError(INCREMENTAL_NOT_ACCEPTABLE))
    media_type = media_type or JSON  # (None only with multipart, answered above)
    return result_response(result, success, media_type, method=method, status_mode=status_mode)


class MultipartMixedResponse(Response):
    """A ``multipart/mixed`` response: `first`, then each payload of `later` as it comes.

    # Required arguments

    `first`: the first payload (a single result, or an incremental result's first).

    `later`: the later payloads (``subsequent_payloads``), or None.

    # Optional arguments

    `payload_format`: ``"graphql-js"`` (default) or ``"apollo"``.

    `status_code`: the HTTP status (200 by default).
    """

    def __init__(
        self,
        first: Payload,
        later: AsyncGenerator[Payload, None] | None,
        payload_format: IncrementalFormat = "graphql-js",
        status_code: int = 200,
    ) -> None:
        self.status_code = status_code
        self.body = b""
        self.raw_headers = list(_HEADERS)
        self.later = later
        self._apollo = _ApolloFormat(first) if payload_format == "apollo" else None
        self.first = self._apollo.first(first) if self._apollo is not None else first

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        later = self.later
        start = {"type": "http.response.start", "status": self.status_code}
        try:
            await send({**start, "headers": self.raw_headers})
            body = _FIRST + _part(self.first)
            if later is None:
                await send({"type": "http.response.body", "body": body + _CLOSE})
                return
            await send({"type": "http.response.body", "body": body, "more_body": True})
            finished = await self._stream(later, receive, send)
        finally:
            if later is not None:
                await later.aclose()
        if finished:
            with contextlib.suppress(OSError):
                await send({"type": "http.response.body", "body": _CLOSE})

    async def _stream(
        self, later: AsyncGenerator[Payload, None], receive: Receive, send: Send
    ) -> bool:
        """Write the later parts until they end (True) or the client leaves (False)."""
        writer = asyncio.ensure_future(self._write_parts(later, send))
        watcher = asyncio.ensure_future(_wait_for_disconnect(receive))
        try:
            await asyncio.wait({writer, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            writer.cancel()
            watcher.cancel()
            await asyncio.wait({writer, watcher})
        if writer.cancelled():
            return False
        failure = writer.exception()
        if failure is not None and not isinstance(failure, OSError):
            get_logger(None).error("A multipart/mixed response failed", exc_info=failure)
        return failure is None

    async def _write_parts(self, later: AsyncGenerator[Payload, None], send: Send) -> None:
        async for payload in later:
            if self._apollo is not None:
                payload = self._apollo.later(payload)
            await send({"type": "http.response.body", "body": _part(payload), "more_body": True})


def _part(payload: Payload) -> bytes:
    return _PART_HEAD + JSONResponse(payload).body + _DELIMITER


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class _ApolloFormat:
    """Rewrites graphql-js 17 payloads in Apollo's ``deferSpec=20220824`` format."""

    def __init__(self, first: Payload) -> None:
        self._data = first.get("data")
        self._parts: dict[str, tuple[list[Any], str | None]] = {}
        self._next_index: dict[str, int] = {}

    def first(self, payload: Payload) -> Payload:
        self._remember(payload)
        return {key: value for key, value in payload.items() if key != "pending"}

    def later(self, payload: Payload) -> Payload:
        self._remember(payload)
        entries = [self._entry(entry) for entry in payload.get("incremental", ())]
        for done in payload.get("completed", ()):
            path, label = self._parts.pop(done["id"], ([], None))
            if "errors" in done:
                key = "items" if done["id"] in self._next_index else "data"
                entries.append(
                    _labelled({key: None, "path": path, "errors": done["errors"]}, label)
                )
        converted: Payload = {"incremental": entries} if entries else {}
        converted["hasNext"] = payload["hasNext"]
        if "extensions" in payload:
            converted["extensions"] = payload["extensions"]
        return converted

    def _remember(self, payload: Payload) -> None:
        for pending in payload.get("pending", ()):
            self._parts[pending["id"]] = (pending["path"], pending.get("label"))

    def _entry(self, entry: Payload) -> Payload:
        path, label = self._parts.get(entry["id"], ([], None))
        if "items" in entry:
            index = self._next_index.get(entry["id"])
            if index is None:
                index = _length_at(self._data, path)
            self._next_index[entry["id"]] = index + len(entry["items"])
            converted: Payload = {"items": entry["items"], "path": [*path, index]}
        else:
            converted = {"data": entry["data"], "path": [*path, *entry.get("subPath", ())]}
        if "errors" in entry:
            converted["errors"] = entry["errors"]
        return _labelled(converted, label)


def _labelled(entry: Payload, label: str | None) -> Payload:
    if label is not None:
        entry["label"] = label
    return entry


def _length_at(data: Any, path: list[Any]) -> int:
    """The length of the list at `path` in the first payload's data (0 if not there)."""
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return 0
    return len(data) if isinstance(data, list) else 0
