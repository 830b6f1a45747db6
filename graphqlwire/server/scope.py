"""The ASGI ``http`` scope of a request: its `RequestHead` plus what belongs to the
connection (client, server, scheme, lifespan state); the ``websocket`` scope made from it.

The scope's ``extensions`` tell apps the server's body limit under ``BODY_LIMIT_KEY``:
graphqlwire's app then applies the same one, so that one setting governs both. They also
carry the server's `Lifecycle` under ``LIFECYCLE_KEY`` (is it draining?) and, with the JSON
access log, the dict the app fills for it under ``ACCESS_KEY`` (see ``accesslog``).

``path`` is the percent-decoded request path with ``root_path`` in front of it, as ASGI 2.5
asks; ``raw_path`` is the undecoded target path, also behind ``root_path``. Header names are
lowercase (h11 lowers them) and duplicates are kept in order.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .accesslog import ACCESS_KEY
from .head import RequestHead
from .proxy import apply_proxy_headers
from .state import ClientConnection

__all__ = [
    "ASGI_VERSION",
    "BODY_LIMIT_KEY",
    "LIFECYCLE_KEY",
    "endpoints",
    "http_scope",
    "websocket_scope",
]

ASGI_VERSION = {"version": "3.0", "spec_version": "2.5"}
#: The scope extension that carries ``max_body_size`` (the app reads it by this name).
BODY_LIMIT_KEY = "graphqlwire.max_body_size"
#: The scope extension that carries the server's `Lifecycle` (``draining``).
LIFECYCLE_KEY = "graphqlwire.lifecycle"


def endpoints(
    transport: asyncio.BaseTransport,
) -> tuple[tuple[str, int] | None, tuple[str, int | None] | None, str]:
    """The scope's ``client``, ``server`` and ``scheme`` of a connection's transport (a Unix
    socket's server is its path; ``https`` under TLS)."""
    peer = transport.get_extra_info("peername")
    sock = transport.get_extra_info("sockname")
    client: tuple[str, int] | None = None
    server: tuple[str, int | None] | None = None
    if isinstance(peer, (tuple, list)) and len(peer) >= 2:
        client = (str(peer[0]), int(peer[1]))
    if isinstance(sock, (tuple, list)) and len(sock) >= 2:
        server = (str(sock[0]), int(sock[1]))
    elif isinstance(sock, str) and sock:
        server = (sock, None)
    scheme = "http" if transport.get_extra_info("sslcontext") is None else "https"
    return client, server, scheme


def http_scope(connection: ClientConnection, head: RequestHead) -> dict[str, Any]:
    """The scope for a request on `connection` (`check_head` refuses a head without a path)."""
    path, raw_path = head.path, head.raw_path
    if path is None:
        raise ValueError("a request head without a valid path has no scope")
    config = connection.config
    root_path = config.root_path
    if root_path:
        path = root_path + path
        raw_path = root_path.encode() + raw_path
    scheme = connection.scheme
    client = connection.client
    # A list of its own per request: middleware may edit the scope's headers in place.
    headers = list(head.headers)
    if config.proxy_headers:
        forwarded_scheme, client = apply_proxy_headers(config, headers, client, head.upgrade)
        if forwarded_scheme is not None:
            scheme = forwarded_scheme
    state = connection.state
    extensions = {BODY_LIMIT_KEY: config.max_body_size, LIFECYCLE_KEY: state.lifecycle}
    if state.access_log is not None:
        channel = state.access_log.channel()
        if channel is not None:
            extensions[ACCESS_KEY] = channel
    return {
        "type": "http",
        "asgi": ASGI_VERSION,
        "http_version": head.version,
        "server": connection.server,
        "client": client,
        "scheme": scheme,
        "method": head.method,
        "root_path": root_path,
        "path": path,
        "raw_path": raw_path,
        "query_string": head.query,
        "headers": headers,
        "state": state.lifespan_state.copy(),
        "extensions": extensions,
    }


def websocket_scope(scope: dict[str, Any]) -> dict[str, Any]:
    """Turn the ``http`` scope of an upgrade request into its ``websocket`` scope, in place."""
    scope["type"] = "websocket"
    del scope["method"]
    scope["scheme"] = {"http": "ws", "https": "wss"}.get(scope["scheme"], scope["scheme"])
    scope["subprotocols"] = [
        token.strip()
        for name, value in scope["headers"]
        if name == b"sec-websocket-protocol"
        for token in value.decode("latin-1").split(",")
        if token.strip()
    ]
    extensions = scope["extensions"]
    scope["extensions"] = {"websocket.http.response": {}, LIFECYCLE_KEY: extensions[LIFECYCLE_KEY]}
    if ACCESS_KEY in extensions:
        scope["extensions"][ACCESS_KEY] = extensions[ACCESS_KEY]
    return scope
