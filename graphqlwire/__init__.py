"""graphqlwire: GraphQL over HTTP/1.1 and WebSocket on graphql-core, h11 and wsproto.

The public names below are imported lazily (PEP 562) so that ``import graphqlwire`` stays
cheap: the server's cold start only pays for the modules its first request needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "graphql": "graphqlwire.execution",
    "graphql_sync": "graphqlwire.execution",
    "subscribe": "graphqlwire.execution",
    "format_error": "graphqlwire.errors",
    "WebSocketConnectionError": "graphqlwire.errors",
    "Extension": "graphqlwire.extensions",
    "make_executable_schema": "graphqlwire.schema",
    "GraphQLResult": "graphqlwire.types",
    "Config": "graphqlwire.server.config",
    "Server": "graphqlwire.server.server",
    "serve": "graphqlwire.server.server",
    "run": "graphqlwire.server.server",
}

__all__ = [
    "Config",
    "Extension",
    "GraphQLResult",
    "Server",
    "WebSocketConnectionError",
    "__version__",
    "format_error",
    "graphql",
    "graphql_sync",
    "make_executable_schema",
    "run",
    "serve",
    "subscribe",
]

if TYPE_CHECKING:
    from .errors import WebSocketConnectionError, format_error
    from .execution import graphql, graphql_sync, subscribe
    from .extensions import Extension
    from .schema import make_executable_schema
    from .server.config import Config
    from .server.server import Server, run, serve
    from .types import GraphQLResult


__getattr__ = lazy_exports(__name__, _EXPORTS)
