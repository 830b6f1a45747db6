"""Building the ASGI ``http`` scope of a parsed request (sans-IO: no sockets, no awaits).

``path`` is the percent-decoded request path with ``root_path`` in front of it, as ASGI 2.5
asks; ``raw_path`` is the undecoded target path, also behind ``root_path``. Header names are
lowercase (h11 lowers them) and duplicates are kept in order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import h11

from .proxy import apply_proxy_headers

if TYPE_CHECKING:
    from .connection import HttpProtocol

__all__ = ["ASGI_VERSION", "HTTP_VERSIONS", "head_size", "http_scope"]

ASGI_VERSION = {"version": "3.0", "spec_version": "2.5"}
HTTP_VERSIONS = {b"1.1": "1.1", b"1.0": "1.0"}


def http_scope(
    connection: HttpProtocol, method: bytes, target: bytes, version: str,
    headers: list[tuple[bytes, bytes]], websocket: bool,
) -> dict[str, Any] | None:
    """The scope for a request on `connection`; None if the target is not a path."""
    raw_path, _, query = target.partition(b"?")
    if raw_path[:1] != b"/":
        if raw_path == b"*":
            pass
        elif b"://" in raw_path:  # absolute-form (RFC 9112 §3.2.2)
            raw_path = b"/" + raw_path.split(b"://", 1)[1].partition(b"/")[2]
        else:
            return None
    path = raw_path.decode("latin-1")
    if b"%" in raw_path:
        path = unquote(path)
    config = connection.config
    root_path = config.root_path
    if root_path:
        path = root_path + path
        raw_path = root_path.encode() + raw_path
    scheme = connection.scheme
    client = connection.client
    if config.proxy_headers:
        forwarded_scheme, client = apply_proxy_headers(config, headers, client, websocket)
        if forwarded_scheme is not None:
            scheme = forwarded_scheme
    return {
        "type": "http",
        "asgi": ASGI_VERSION,
        "http_version": version,
        "server": connection.server,
        "client": client,
        "scheme": scheme,
        "method": method.decode("ascii"),
        "root_path": root_path,
        "path": path,
        "raw_path": raw_path,
        "query_string": query,
        "headers": headers,
        "state": connection.state.lifespan_state.copy(),
        "extensions": {},
    }


def head_size(event: h11.Request) -> int:
    """Size of the request head as sent (give or take optional whitespace)."""
    size = len(event.method) + len(event.target) + 14
    for raw_name, _, value in event.headers._full_items:
        size += len(raw_name) + len(value) + 4
    return size
