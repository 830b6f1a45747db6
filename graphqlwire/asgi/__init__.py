"""The ``GraphQL`` ASGI application: one endpoint for HTTP and WebSocket GraphQL.

``GraphQL(schema, **options)`` configures an HTTP handler (``GraphQLHTTPHandler`` by
default) and a WebSocket handler (``GraphQLAutoWSHandler`` by default: it speaks both
``graphql-transport-ws`` and the legacy ``graphql-ws`` subprotocol), then dispatches each
ASGI connection on ``scope["type"]``. The HTTP handler also streams GraphQL over SSE
(graphql-sse, both modes) on the same endpoint, through its ``subscription_handlers``.
It runs under graphqlwire's server, uvicorn or hypercorn, and mounts in Starlette/FastAPI
routes through ``handle_request`` and ``handle_websocket``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from logging import Logger, LoggerAdapter
from typing import TYPE_CHECKING, Any, cast

from .._lazy import lazy_exports
from ..execution import (
    DEFAULT_LIMITS,
    ContextValue,
    DocumentStore,
    ErrorFormatter,
    OperationLimits,
    QueryParser,
    QueryValidator,
    RootValue,
    TrustedDocumentsSource,
    ValidationRules,
    format_error,
    persisted_document_options,
)
from ..observability import DEFAULT_HEALTH_PATH
from ..observability.instruments import Instruments
from ..types import Message, Receive, Scope, Send
from .handlers.base import GraphQLHttpHandlerBase, GraphQLWebsocketHandler
from .handlers.http import GraphQLHTTPHandler

if TYPE_CHECKING:
    from graphql import GraphQLSchema

    from ..explorers import Explorer
    from ..observability import Metrics


class _DefaultExplorer:
    """The default explorer (GraphiQL), created on the first page request.

    Keeps ``graphqlwire.explorers`` (templates, ``html``, ``importlib.resources``) out of
    processes that only ever answer queries, and out of their start-up time.
    """

    __slots__ = ("_explorer",)

    def __init__(self) -> None:
        self._explorer: Explorer | None = None

    def html(self, request: Any) -> str | Awaitable[str | None] | None:
        """GraphiQL's page for `request` (see `ExplorerGraphiQL.html`)."""
        if self._explorer is None:
            from ..explorers import ExplorerGraphiQL

            self._explorer = ExplorerGraphiQL()
        return self._explorer.html(request)

    def __repr__(self) -> str:
        return "ExplorerGraphiQL() (created on first use)"


class GraphQL:
    """ASGI application serving a GraphQL schema over HTTP and WebSocket."""

    def __init__(
        self,
        schema: GraphQLSchema,
        *,
        context_value: ContextValue | None = None,
        root_value: RootValue | None = None,
        query_parser: QueryParser | None = None,
        query_validator: QueryValidator | None = None,
        validation_rules: ValidationRules | None = None,
        execute_get_queries: bool = False,
        debug: bool = False,
        introspection: bool = True,
        explorer: Explorer | None = None,
        logger: str | Logger | LoggerAdapter[Logger] | None = None,
        error_formatter: ErrorFormatter = format_error,
        execution_context_class: type[Any] | None = None,
        max_tokens: int = DEFAULT_LIMITS.max_tokens,
        max_depth: int = DEFAULT_LIMITS.max_depth,
        max_aliases: int = DEFAULT_LIMITS.max_aliases,
        max_cost: int = DEFAULT_LIMITS.max_cost,
        max_directives: int = DEFAULT_LIMITS.max_directives,
        mask_errors: bool = False,
        execution_timeout: float | None = None,
        persisted_queries: bool | DocumentStore = True,
        trusted_documents: TrustedDocumentsSource = None,
        only_trusted: bool = False,
        http_handler: GraphQLHttpHandlerBase | None = None,
        websocket_handler: GraphQLWebsocketHandler | None = None,
        health_path: str | None = DEFAULT_HEALTH_PATH,
        metrics: bool | Metrics = False,
    ) -> None:
        """Initialize the application and configure its handlers.

        # Required arguments

        `schema`: the `GraphQLSchema` to serve.

        # Optional arguments

        `context_value`: the context passed to resolvers, or a callable (maybe async)
        called with `(request)` or `(request, data)` that returns it. Defaults to
        `{"request": request}`.

        `root_value`: the root value, or a callable `(context, document)` returning it.

        `query_parser`: `(context, data) -> DocumentNode`, replacing the default parser.

        `query_validator`: replaces graphql-core's `validate`.

        `validation_rules`: extra validation rules, or `(context, document, data)`
        returning them.

        `execute_get_queries`: execute queries sent with GET (mutations never are).

        `debug`: add tracebacks to error results. Never enable in production.

        `introspection`: allow introspection queries; `False` also hides the explorer.

        `explorer`: the `Explorer` served to browsers on GET. Defaults to GraphiQL.

        `logger`: the logger (or its name) resolver errors are logged to.

        `error_formatter`: `(error, debug) -> dict` formatting every GraphQL error.

        `execution_context_class`: graphql-core `ExecutionContext` subclass to execute with.

        `max_tokens`, `max_depth`, `max_aliases`, `max_cost`, `max_directives`: the
        operation limits a document must stay within (0 turns one off), see
        `graphqlwire.execution.OperationLimits`. A document over one is refused before
        it is validated.

        `mask_errors`: answer "Unexpected error." with a correlation id (logged with the
        exception) for exceptions resolvers raise unexpectedly; `GraphQLError`s keep their
        message. Off while `debug` is on.

        `execution_timeout`: seconds a query or mutation may run before it is cancelled
        and answered with an error. Synchronous resolvers cannot be interrupted.

        `persisted_queries`: automatic persisted queries (Apollo's APQ): True (default)
        keeps registered queries in the process's `MemoryStore`, False turns APQ off, or
        pass a `DocumentStore`.

        `trusted_documents`: the documents a request may name by `documentId` (or by APQ
        hash): a manifest's path, or its content as a mapping (Apollo's persisted query
        manifest, or `{id: document}`). A bad manifest raises `ValueError` here.

        `only_trusted`: execute nothing but the trusted documents (named, or sent as
        their exact text); anything else is refused with 403.

        `http_handler`: the HTTP handler. Defaults to `GraphQLHTTPHandler()`.

        `websocket_handler`: the WebSocket handler. Defaults to `GraphQLAutoWSHandler()`
        (both subprotocols).

        `health_path`: where `GET` answers a health check: 200 `{"status": "ok"}`, 503 while
        graphqlwire's server drains or the configured pub/sub is unreachable. Defaults to
        `/health`; None or `""` turns it off.

        `metrics`: True serves Prometheus metrics at `/metrics` (requests by transport,
        operation type and outcome, durations, open connections, subscriptions, limit
        refusals, pub/sub counters), summed over `--workers`; or pass a
        `graphqlwire.observability.Metrics`. Defaults to False.
        """
        self.instruments = Instruments(health_path=health_path, metrics=metrics)
        if http_handler is None:
            http_handler = GraphQLHTTPHandler()
        self.http_handler = http_handler
        self.schema = schema
        self._options: dict[str, Any] = {
            "context_value": context_value,
            "root_value": root_value,
            "query_parser": query_parser,
            "query_validator": query_validator,
            "validation_rules": validation_rules,
            "execute_get_queries": execute_get_queries,
            "debug": debug,
            "introspection": introspection,
            "explorer": explorer if explorer is not None else cast("Explorer", _DefaultExplorer()),
            "logger": logger,
            "error_formatter": error_formatter,
            "execution_context_class": execution_context_class,
            "limits": OperationLimits(max_tokens, max_depth, max_aliases, max_cost, max_directives),
            "mask_errors": mask_errors,
            "execution_timeout": execution_timeout,
            **persisted_document_options(persisted_queries, trusted_documents, only_trusted),
            "observer": self.instruments.observer,
        }
        http_handler.configure(schema, **self._options)
        self._websocket_handler: GraphQLWebsocketHandler | None = None
        if websocket_handler is not None:
            self.websocket_handler = websocket_handler

    @property
    def websocket_handler(self) -> GraphQLWebsocketHandler:
        """The WebSocket handler; the default one is created on first use.

        Creating it lazily keeps the WebSocket machinery out of HTTP-only processes.
        """
        handler = self._websocket_handler
        if handler is None:
            from .handlers.auto_ws import GraphQLAutoWSHandler

            handler = GraphQLAutoWSHandler()
            self.websocket_handler = handler
        return handler

    @websocket_handler.setter
    def websocket_handler(self, handler: GraphQLWebsocketHandler) -> None:
        handler.configure(self.schema, http_handler=self.http_handler, **self._options)
        self._websocket_handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch an ASGI connection: `http`, `websocket` or `lifespan`.

        Lifespan events are acknowledged (the app needs no startup work), so servers
        that require lifespan support run it as is. Other scope types raise `ValueError`.
        """
        kind = scope["type"]
        if kind == "http":
            instruments = self.instruments
            endpoint = instruments.route(scope)
            timer = instruments.timer
            if endpoint is not None:
                await endpoint(scope, receive, send)
            elif timer is None:
                await self.http_handler.handle(scope, receive, send)
            else:
                started = timer.begin(scope)
                try:
                    await self.http_handler.handle(scope, receive, send)
                finally:
                    timer.end(scope, started)
        elif kind == "websocket":
            await self.instruments.websocket(self.websocket_handler.handle, scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        else:
            raise ValueError(f"Unsupported ASGI scope type {kind!r}: expected http or websocket.")

    async def handle_request(self, request: Any) -> Any:
        """Handle an HTTP request with the HTTP handler and return its response.

        A shortcut for mounting the app as a request handler in a framework route. The
        request is closed once the response is built (its uploaded files are closed and
        their temporary files deleted), as the app itself does: the response holds its
        whole body, so nothing reads the files after this returns.

        # Required arguments

        `request`: the `Request` (or any request with an async `close()`, Starlette's too).
        """
        try:
            return await self.http_handler.handle_request(request)
        finally:
            close = getattr(request, "close", None)
            if close is not None:
                closed = close()
                if inspect.isawaitable(closed):
                    await closed

    async def handle_websocket(self, websocket: Any) -> Any:
        """Handle a WebSocket connection with the WebSocket handler.

        A shortcut for mounting the app as a WebSocket handler in a framework route.

        # Required arguments

        `websocket`: the `WebSocket`.
        """
        return await self.websocket_handler.handle_websocket(websocket)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.instruments.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


__all__ = ["GraphQL", "GraphQLMiddleware"]
# (imported when first used: the middleware builds a GraphQL app for a schema)
__getattr__ = lazy_exports(__name__, {"GraphQLMiddleware": ".middleware"})
