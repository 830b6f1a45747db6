"""``Request``: an HTTP request seen through its ASGI scope and ``receive`` callable.

``Request.scope`` is the scope dict itself (never a copy), so what one hook writes there is
seen by the next. Everything else is decoded lazily and cached. The body is read from
``receive`` at most once: ``body()``, ``json()`` and ``form()`` share it, and ``stream()``
hands out the chunks as they arrive without keeping them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from .. import _json as strict_json
from ..types import Message, Receive, Scope
from ._datastructures import URL, FormData, Headers, QueryParams
from ._errors import HttpBadRequestError, HttpPayloadTooLargeError, HttpUnsupportedMediaTypeError
from ._mediatypes import parse_content_type, parse_urlencoded

#: Defaults for ``Request.form`` (Starlette's, so ported code behaves the same).
DEFAULT_MAX_FILES = 1000
DEFAULT_MAX_FIELDS = 1000
DEFAULT_MAX_PART_SIZE = 1024 * 1024


class ClientDisconnect(Exception):
    """The client went away (``http.disconnect``) before the whole body arrived."""


async def _no_receive() -> Message:
    raise RuntimeError("This Request was built without a receive callable.")


class State:
    """Attribute access to a dict (``request.state.user`` reads ``scope["state"]["user"]``)."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(f"'State' object has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._data[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self._data[name]
        except KeyError:
            raise AttributeError(name) from None


class Request:
    """An incoming HTTP request.

    # Required arguments

    `scope`: the ASGI ``http`` connection scope; kept as ``.scope`` (the same dict).

    # Optional arguments

    `receive`: the ASGI ``receive`` callable the body is read from.

    `max_body_size`: refuse bodies larger than this many bytes with
    ``HttpPayloadTooLargeError`` (413); checked against ``Content-Length`` up front and
    against the bytes actually received. None means no limit.
    """

    def __init__(
        self, scope: Scope, receive: Receive = _no_receive, *, max_body_size: int | None = None
    ) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Request needs an 'http' scope, not {scope['type']!r}")
        self.scope = scope
        self.max_body_size = max_body_size
        self._receive = receive
        self._headers: Headers | None = None
        self._query_params: QueryParams | None = None
        self._url: URL | None = None
        self._body: bytes | None = None
        self._json: Any = None
        self._json_loaded = False
        self._form: FormData | None = None
        self._pending: list[bytes] = []
        self._stream_started = False
        self._body_complete = False
        self._disconnected = False

    # --- scope views ---------------------------------------------------------------------
    @property
    def method(self) -> str:
        """The request method, uppercase (``GET``, ``POST``...)."""
        method: str = self.scope["method"]
        return method

    @property
    def headers(self) -> Headers:
        """The request headers (case-insensitive, repeated headers kept)."""
        if self._headers is None:
            self._headers = Headers(scope=self.scope)
        return self._headers

    @property
    def query_params(self) -> QueryParams:
        """The URL query, WHATWG-urlencoded decoded."""
        if self._query_params is None:
            self._query_params = QueryParams(self.scope.get("query_string") or b"")
        return self._query_params

    @property
    def url(self) -> URL:
        """The full request URL, rebuilt from the scope and the ``Host`` header."""
        if self._url is None:
            self._url = URL(scope=self.scope)
        return self._url

    @property
    def client(self) -> tuple[str, int] | None:
        """The client's ``(host, port)`` when the server knows it."""
        client = self.scope.get("client")
        return (client[0], client[1]) if client else None

    @property
    def cookies(self) -> dict[str, str]:
        """Cookies from the ``Cookie`` headers (RFC 6265 §5.4); pieces without a name are
        skipped, and the first of repeated names wins."""
        cookies: dict[str, str] = {}
        for header in self.headers.getlist("cookie"):
            for piece in header.split(";"):
                name, equals, value = piece.partition("=")
                name, value = name.strip(), value.strip()
                if equals and name and name not in cookies:
                    quoted = len(value) > 1 and value[0] == value[-1] == '"'
                    cookies[name] = value[1:-1] if quoted else value
        return cookies

    @property
    def state(self) -> State:
        """Free-form per-request state, stored in ``scope["state"]``."""
        return State(self.scope.setdefault("state", {}))

    @property
    def content_type(self) -> tuple[str, dict[str, str]]:
        """The parsed ``Content-Type``: ``(media type, params)``; ``("", {})`` when absent."""
        return parse_content_type(self.headers.get("content-type"))

    # --- body ----------------------------------------------------------------------------
    def _check_declared_length(self) -> None:
        if self.max_body_size is None:
            return
        declared = self.headers.get("content-length")
        if declared is None:
            return
        if not (declared.isascii() and declared.isdigit()):
            raise HttpBadRequestError(f"Content-Length {declared!r} is not a number of bytes.")
        if int(declared) > self.max_body_size:
            raise HttpPayloadTooLargeError(self._too_large_message())

    def _too_large_message(self) -> str:
        return f"Request body is larger than the limit of {self.max_body_size} bytes."

    def _on_message(self, message: Message) -> bytes:
        kind = message.get("type")
        if kind == "http.disconnect":
            self._disconnected = True
            raise ClientDisconnect()
        if kind != "http.request":
            return b""
        if not message.get("more_body", False):
            self._body_complete = True
        body: bytes = message.get("body") or b""
        return body

    async def stream(self) -> AsyncIterator[bytes]:
        """Yield the body in the chunks it arrives in, without keeping it.

        Raises ``ClientDisconnect`` if the client goes away first, ``RuntimeError`` if the
        body was already streamed, and ``HttpPayloadTooLargeError`` past ``max_body_size``.
        """
        if self._body is not None:
            if self._body:
                yield self._body
            return
        if self._stream_started:
            raise RuntimeError("The request body was already consumed.")
        self._stream_started = True
        self._check_declared_length()
        received = 0
        while self._pending or not self._body_complete:
            chunk = (
                self._pending.pop(0) if self._pending else self._on_message(await self._receive())
            )
            received += len(chunk)
            if self.max_body_size is not None and received > self.max_body_size:
                raise HttpPayloadTooLargeError(self._too_large_message())
            if chunk:
                yield chunk

    async def body(self) -> bytes:
        """The whole body (read once, then cached)."""
        if self._body is None:
            if not (self._stream_started or self._pending or self._body_complete):
                # The usual case, a body that arrives in one message, skips the generator.
                self._check_declared_length()
                first = self._on_message(await self._receive())
                complete: bool = self._body_complete  # (set by _on_message)
                limit = self.max_body_size
                if complete and (limit is None or len(first) <= limit):
                    self._stream_started = True
                    self._body = first
                    return first
                if first:
                    self._pending.append(first)
            self._body = b"".join([chunk async for chunk in self.stream()])
        return self._body

    async def json(self) -> Any:
        """The body parsed as UTF-8 JSON (cached).

        Raises ``HttpBadRequestError`` (400) saying what is wrong when the body is empty,
        not UTF-8, not JSON, or nested too deeply to parse.
        """
        if not self._json_loaded:
            self._json = parse_json_body(await self.body())
            self._json_loaded = True
        return self._json

    async def form(
        self,
        *,
        max_files: int = DEFAULT_MAX_FILES,
        max_fields: int = DEFAULT_MAX_FIELDS,
        max_part_size: int = DEFAULT_MAX_PART_SIZE,
        max_file_size: int | None = None,
    ) -> FormData:
        """Parse an ``application/x-www-form-urlencoded`` or ``multipart/form-data`` body.

        Multipart bodies are streamed through ``graphqlwire.multipart``: files go into
        spooled ``UploadFile``s as they arrive, never into one big buffer. The result is
        cached; ``close()`` closes its files.

        # Optional arguments

        `max_files`, `max_fields`: most file / non-file parts accepted (413 past them).

        `max_part_size`: most bytes in one non-file field (413 past it).

        `max_file_size`: most bytes in one file (413 past it); None for no limit.

        Raises ``HttpUnsupportedMediaTypeError`` (415) for any other content type, and
        ``HttpBadRequestError`` (400) for a malformed multipart body.
        """
        if self._form is not None:
            return self._form
        media_type, params = self.content_type
        if media_type == "application/x-www-form-urlencoded":
            body = await self.body()
            self._form = FormData(parse_urlencoded(body, max_fields=max_fields))
        elif media_type == "multipart/form-data":
            from ._multipart import MultipartLimits
            from ._uploads import parse_form_async

            limits = MultipartLimits(
                max_files=max_files,
                max_fields=max_fields,
                max_field_size=max_part_size,
                max_file_size=max_file_size,
                max_total_size=self.max_body_size,
            )
            self._check_declared_length()
            self._form = await parse_form_async(self.stream(), params.get("boundary"), limits)
        else:
            raise HttpUnsupportedMediaTypeError(
                "Expected a multipart/form-data or application/x-www-form-urlencoded body, "
                f"got {media_type or 'no Content-Type'}."
            )
        return self._form

    async def close(self) -> None:
        """Close the files of a parsed form, if any."""
        if self._form is not None:
            await self._form.close()

    async def is_disconnected(self) -> bool:
        """Whether the client has gone away, checked without waiting.

        Polls ``receive`` once; a body chunk that arrives meanwhile is kept for ``stream()``.
        """
        if self._disconnected:
            return True
        task = asyncio.ensure_future(self._receive())
        await asyncio.sleep(0)
        if not task.done():
            task.cancel()
        await asyncio.wait({task})
        if task.cancelled():
            return False
        try:
            chunk = self._on_message(task.result())
        except ClientDisconnect:
            return True
        if chunk:
            self._pending.append(chunk)
        return False


def parse_json_body(body: bytes) -> Any:
    """Decode a request body as UTF-8 JSON, or raise ``HttpBadRequestError`` saying why."""
    if not body or body.isspace():  # (no stripped copy of the body)
        raise HttpBadRequestError("Request body is empty; expected a JSON document.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpBadRequestError(
            f"Request body is not valid UTF-8 (invalid byte at position {error.start})."
        ) from None
    try:
        return strict_json.loads(text)
    except RecursionError:
        raise HttpBadRequestError("Request body JSON is nested too deeply.") from None
    except ValueError as error:
        raise HttpBadRequestError(f"Request body is not valid JSON: {error}.") from None
