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
    "format_error": "graphqlwire.execution",
    "get_error_extension": "graphqlwire.execution",
    "get_formatted_error_context": "graphqlwire.execution",
    "get_formatted_error_traceback": "graphqlwire.execution",
    "Extension": "graphqlwire.execution",
    "ExecutionOptions": "graphqlwire.execution",
    "GraphQLResult": "graphqlwire.execution",
    "OperationLimits": "graphqlwire.execution",
    "HttpBadRequestError": "graphqlwire.http",
    "HttpError": "graphqlwire.http",
    "WebSocketConnectionError": "graphqlwire.http",
    "make_executable_schema": "graphqlwire.schema",
    "Config": "graphqlwire.server.config",
    "Server": "graphqlwire.server.server",
    "serve": "graphqlwire.server.server",
    "run": "graphqlwire.server.run",
}

__all__ = [
    "Config",
    "ExecutionOptions",
    "Extension",
    "GraphQLResult",
    "HttpBadRequestError",
    "HttpError",
    "OperationLimits",
    "Server",
    "WebSocketConnectionError",
    "__version__",
    "format_error",
    "get_error_extension",
    "get_formatted_error_context",
    "get_formatted_error_traceback",
    "graphql",
    "graphql_sync",
    "make_executable_schema",
    "run",
    "serve",
    "subscribe",
]

if TYPE_CHECKING:
    from .execution import (
        ExecutionOptions,
        Extension,
        GraphQLResult,
        OperationLimits,
        format_error,
        get_error_extension,
        get_formatted_error_context,
        get_formatted_error_traceback,
        graphql,
        graphql_sync,
        subscribe,
    )
    from .http import HttpBadRequestError, HttpError, WebSocketConnectionError
    from .schema import make_executable_schema
    from .server.config import Config
    from .server.run import run
    from .server.server import Server, serve


__getattr__ = lazy_exports(__name__, _EXPORTS)
