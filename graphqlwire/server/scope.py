"""The ASGI ``http`` scope of a request: its `RequestHead` plus what belongs to the
connection (client, server, scheme, lifespan state); the ``websocket`` scope made from it.

The scope's ``extensions`` tell apps the server's body limit under ``BODY_LIMIT_KEY``:
graphqlwire's app then applies the same one, so that one setting governs both.

``path`` is the percent-decoded request path with ``root_path`` in front of it, as ASGI 2.5
asks; ``raw_path`` is the undecoded target path, also behind ``root_path``. Header names are
lowercase (h11 lowers them) and duplicates are kept in order.
"""

from __future__ import annotations

from typing import Any

from .head import RequestHead
from .proxy import apply_proxy_headers
from .state import ClientConnection

__all__ = ["ASGI_VERSION", "BODY_LIMIT_KEY", "http_scope", "websocket_scope"]

ASGI_VERSION = {"version": "3.0", "spec_version": "2.5"}
#: The scope extension that carries ``max_body_size`` (the app reads it by this name).
BODY_LIMIT_KEY = "graphqlwire.max_body_size"


def http_scope(connection: ClientConnection, head: RequestHead) -> dict[str, Any]:
    """The scope for a request on `connection` (`head.path` must not be None)."""
    assert head.path is not None
    path, raw_path = head.path, head.raw_path
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
        "state": connection.state.lifespan_state.copy(),
        "extensions": {BODY_LIMIT_KEY: config.max_body_size},
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
    scope["extensions"] = {"websocket.http.response": {}}
    return scope
