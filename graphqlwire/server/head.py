"""What the server keeps of a parsed request head.

Sans-IO: no sockets, no awaits. `RequestHead` holds everything derived from the head alone
(method, target split into path and query, headers, framing and keep-alive flags), so a
head repeated byte for byte can reuse it (see `headcache`).
"""

from __future__ import annotations

from urllib.parse import unquote

import h11

from ._h11 import raw_header_items

__all__ = ["RequestHead", "comma_tokens"]

SPECIAL_HEADERS = frozenset(
    {b"content-length", b"transfer-encoding", b"connection", b"expect", b"upgrade"}
)


class RequestHead:
    """A request head as h11 parsed it, reduced to what serving it needs.

    It depends on the head's bytes only, never on the connection, so a head repeated byte
    for byte (keep-alive clients resend the same one) can reuse it: see `HeadCache`.
    """

    __slots__ = (
        "chunked",
        "content_length",
        "expect",
        "headers",
        "keep_alive",
        "method",
        "path",
        "query",
        "raw_path",
        "target",
        "upgrade",
        "version",
    )

    def __init__(self, event: h11.Request) -> None:
        self.method = event.method.decode("ascii")
        self.target = target = event.target
        # HTTP/1.x, x > 1, is served as 1.1 (RFC 9112 §2.3); `_on_request` refuses 0.x and 2+.
        self.version = version = "1.0" if event.http_version == b"1.0" else "1.1"
        # HTTP/1.0 connections are never kept alive (as in h11).
        self.keep_alive = version == "1.1"
        self.content_length = -1
        self.chunked = self.expect = self.upgrade = False
        headers = []
        for name, value in raw_header_items(event.headers):
            if name in SPECIAL_HEADERS:
                if name == b"content-length":
                    self.content_length = int(value)
                elif name == b"transfer-encoding":
                    self.chunked = True
                elif name == b"connection":
                    if b"close" in comma_tokens(value):
                        self.keep_alive = False
                elif name == b"expect":
                    # An HTTP/1.0 client cannot expect 100 Continue (RFC 9110 §10.1.1).
                    self.expect = version == "1.1" and value.lower() == b"100-continue"
                else:
                    self.upgrade = value.lower() == b"websocket"
            headers.append((name, value))
        self.headers: tuple[tuple[bytes, bytes], ...] = tuple(headers)
        #: Percent-decoded path, undecoded path and query; path None: not a valid target.
        self.path, self.raw_path, self.query = _split_target(target)

    @property
    def plain(self) -> bool:
        """True for a request served start to end without h11's help once its head is read:
        a body of known length (or none), no ``Expect``, no upgrade, a valid target."""
        return not (self.chunked or self.expect or self.upgrade) and self.path is not None


def comma_tokens(value: bytes) -> list[bytes]:
    """The lower-cased tokens of a comma-separated header value."""
    return [token.strip() for token in value.lower().split(b",")]


def _split_target(target: bytes) -> tuple[str | None, bytes, bytes]:
    """``(path, raw_path, query)`` of a request target; path None if it is not a path."""
    raw_path, _, query = target.partition(b"?")
    if raw_path[:1] != b"/":
        if raw_path == b"*":
            pass
        elif b"://" in raw_path:  # absolute-form (RFC 9112 §3.2.2)
            raw_path = b"/" + raw_path.split(b"://", 1)[1].partition(b"/")[2]
        else:
            return None, raw_path, query
    path = raw_path.decode("latin-1")
    if b"%" in raw_path:
        path = unquote(path)
    return path, raw_path, query
