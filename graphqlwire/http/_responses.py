"""HTTP responses that are ASGI apps: ``await response(scope, receive, send)`` sends them.

The body is rendered to bytes and the headers are encoded once, in the constructor, so
sending is two ``send`` calls with nothing left to compute. ``Content-Length`` is always
set, except on 1xx, 204 and 304 responses, which RFC 9110 forbids it on (§8.6). Text
media types (``text/*`` and JSON) get ``; charset=utf-8``, as GraphQL over HTTP
recommends. HEAD is the server's business: it drops the body, the app sends it as usual.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .._json import compact_encoder
from ..types import Receive, Scope, Send
from ._datastructures import MutableHeaders

_COMPACT = compact_encoder(allow_nan=False)
# Used only when a string holds a lone surrogate (it can come from a client's JSON
# "\ud800" escape): escaping keeps the output valid JSON instead of failing to encode.
_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)
_NO_LENGTH_STATUSES = frozenset({204, 304})
_USUAL_STATUSES = frozenset({200, 294, 400, 405, 406, 413, 415, 422})


@lru_cache(maxsize=64)
def _content_type(media_type: str, charset: str) -> bytes:
    """The encoded ``Content-Type`` value; text types get a charset unless they name one."""
    is_text = media_type.startswith("text/") or media_type.endswith(("/json", "+json"))
    if is_text and "charset=" not in media_type:
        media_type = f"{media_type}; charset={charset}"
    return media_type.encode("latin-1")


class Response:
    """A complete HTTP response with a body known up front.

    # Optional arguments

    `content`: ``bytes`` sent as is, ``str`` encoded as UTF-8, None for an empty body
    (subclasses render other values in ``render``).

    `status_code`: the HTTP status (200 by default).

    `headers`: extra headers; a ``content-type`` or ``content-length`` given here wins.

    `media_type`: the ``Content-Type`` (``; charset=utf-8`` added to text types).
    """

    media_type: str | None = None
    charset = "utf-8"

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.body = self.render(content)
        self.raw_headers = self._build_headers(headers)

    def render(self, content: Any) -> bytes:
        """Turn ``content`` into the body bytes."""
        if content is None:
            return b""
        if isinstance(content, bytes):
            return content
        if isinstance(content, str):
            return content.encode(self.charset)
        raise TypeError(
            f"{type(self).__name__} content must be bytes or str, not {type(content).__name__}"
        )

    def _build_headers(self, headers: Mapping[str, str] | None) -> list[tuple[bytes, bytes]]:
        status = self.status_code
        if not headers and self.media_type is not None and status in _USUAL_STATUSES:
            # The usual case, e.g. every GraphQL result: just the two headers.
            return [
                (b"content-length", b"%d" % len(self.body)),
                (b"content-type", _content_type(self.media_type, self.charset)),
            ]
        raw = (
            [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in headers.items()
            ]
            if headers
            else []
        )
        names = {name for name, _ in raw}
        if b"content-length" not in names and status >= 200 and status not in _NO_LENGTH_STATUSES:
            raw.append((b"content-length", b"%d" % len(self.body)))
        if self.media_type is not None and b"content-type" not in names:
            raw.append((b"content-type", _content_type(self.media_type, self.charset)))
        return raw

    @property
    def headers(self) -> MutableHeaders:
        """The response headers; changes write through to what is sent."""
        return MutableHeaders(raw=self.raw_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, body={self.body[:60]!r})"


class HTMLResponse(Response):
    """A ``text/html; charset=utf-8`` response."""

    media_type = "text/html"


class PlainTextResponse(Response):
    """A ``text/plain; charset=utf-8`` response."""

    media_type = "text/plain"


class JSONResponse(Response):
    """A compact JSON response (``application/json; charset=utf-8`` by default).

    Non-ASCII characters are sent as UTF-8, not ``\\u`` escapes, and there are no spaces
    after separators. NaN and infinities raise ``ValueError``: they are not JSON.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Serialise ``content`` to compact UTF-8 JSON."""
        text = _COMPACT(content)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            return _ASCII.encode(content).encode("ascii")
