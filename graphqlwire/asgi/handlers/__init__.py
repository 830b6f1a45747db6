"""The documented ASGI handler hierarchy (see the ASGI handlers reference).

``GraphQLHandler`` -> ``GraphQLHttpHandlerBase`` -> ``GraphQLHTTPHandler``;
``GraphQLHandler`` -> ``GraphQLWebsocketHandler`` -> ``GraphQLWSHandler`` (legacy
``graphql-ws`` subprotocol), ``GraphQLTransportWSHandler`` (``graphql-transport-ws``) and
``GraphQLAutoWSHandler`` (picks one of the two from the client's ``Sec-WebSocket-Protocol``).
``SSESubscriptionHandler`` serves GraphQL over SSE through ``GraphQLHTTPHandler``.
Names are imported lazily so that serving HTTP never imports the WebSocket machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "GraphQLHandler": ".base",
    "GraphQLHttpHandlerBase": ".base",
    "GraphQLWebsocketHandler": ".base",
    "GraphQLHTTPHandler": ".http",
    "GraphQLWSHandler": ".graphql_ws",
    "GraphQLTransportWSHandler": ".graphql_transport_ws",
    "ClientContext": ".graphql_transport_ws",
    "GraphQLAutoWSHandler": ".auto_ws",
    "SSESubscriptionHandler": ".sse",
    "ServerSentEventResponse": ".sse",
}

__all__ = [
    "ClientContext",
    "GraphQLAutoWSHandler",
    "GraphQLHTTPHandler",
    "GraphQLHandler",
    "GraphQLHttpHandlerBase",
    "GraphQLTransportWSHandler",
    "GraphQLWSHandler",
    "GraphQLWebsocketHandler",
    "SSESubscriptionHandler",
    "ServerSentEventResponse",
]

if TYPE_CHECKING:
    from .auto_ws import GraphQLAutoWSHandler
    from .base import GraphQLHandler, GraphQLHttpHandlerBase, GraphQLWebsocketHandler
    from .graphql_transport_ws import ClientContext, GraphQLTransportWSHandler
    from .graphql_ws import GraphQLWSHandler
    from .http import GraphQLHTTPHandler
    from .sse import ServerSentEventResponse, SSESubscriptionHandler


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
