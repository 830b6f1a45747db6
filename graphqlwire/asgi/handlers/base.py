"""Bases of the documented ASGI handler hierarchy.

``GraphQLHandler`` holds the configuration the ``GraphQL`` app propagates to its handlers
and builds context values; ``GraphQLHttpHandlerBase`` and ``GraphQLWebsocketHandler`` add the
abstract steps of each transport. Handlers are shared by every connection: nothing
per-request or per-connection is ever stored on them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from logging import Logger, LoggerAdapter
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, GraphQLSchema

from ...execution import (
    DEFAULT_LIMITS,
    ContextValue,
    DocumentStore,
    ErrorFormatter,
    ExecutionOptionAttributes,
    GraphQLResult,
    OperationLimits,
    QueryParser,
    QueryValidator,
    RootValue,
    TrustedDocumentsSource,
    ValidationRules,
    build_context,
    format_error,
    is_awaitable,
    persisted_document_options,
)
from ...http import WebSocket
from ...types import Receive, Scope, Send
from ._operation import OnComplete, OnConnect, OnDisconnect, OnOperation

if TYPE_CHECKING:
    from ...explorers import Explorer
    from ...observability import OperationObserver


class GraphQLHandler(ExecutionOptionAttributes, ABC):
    """Base class for ASGI connection handlers.

    The execution options (`root_value`, `debug`, ...) are attributes stored in one frozen
    `ExecutionOptions` (`execution_options`), which the handler hands to the pipeline whole.
    """

    #: Told about every operation (metrics, access log); the ``GraphQL`` app sets it.
    observer: OperationObserver | None = None

    def __init__(self) -> None:
        """Initialize the handler instance with empty configuration."""
        self.schema: GraphQLSchema | None = None
        self.context_value: ContextValue = None
        self.execute_get_queries = False
        self.explorer: Explorer | None = None

    @abstractmethod
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An entrypoint for the ASGI connection handler.

        # Required arguments

        `scope`: the ASGI connection scope.

        `receive`: the ASGI receive callable.

        `send`: the ASGI send callable.
        """

    def configure(
        self,
        schema: GraphQLSchema,
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
        limits: OperationLimits = DEFAULT_LIMITS,
        mask_errors: bool = False,
        execution_timeout: float | None = None,
        persisted_queries: bool | DocumentStore | None = True,
        trusted_documents: TrustedDocumentsSource = None,
        only_trusted: bool = False,
        observer: OperationObserver | None = None,
    ) -> None:
        """Configure the handler with options from the ASGI application.

        Called by the ``GraphQL`` app as part of its initialization, propagating its
        configuration to its handlers. Options set on the handler before (such as its
        `middleware_manager_class`) are kept. `persisted_queries` (None or False: off),
        `trusted_documents` and `only_trusted` are the app's, see its docstring;
        `observer` is told about every operation (metrics, access log).
        """
        self.schema = schema
        self.observer = observer
        self.context_value = context_value
        self.execute_get_queries = execute_get_queries
        self.explorer = explorer
        self.execution_options = replace(
            self.execution_options,
            root_value=root_value,
            query_parser=query_parser,
            query_validator=query_validator,
            validation_rules=validation_rules,
            debug=debug,
            introspection=introspection,
            logger=logger,
            error_formatter=error_formatter,
            execution_context_class=execution_context_class,
            limits=limits,
            mask_errors=mask_errors,
            execution_timeout=execution_timeout,
            **persisted_document_options(persisted_queries, trusted_documents, only_trusted),
        )

    def configured_schema(self) -> GraphQLSchema:
        """The schema the handler serves; a `TypeError` if it was never configured with one.

        A handler used on its own (not through the `GraphQL` app) must be given a schema
        with `configure(schema)` first; every operation checks, so the mistake surfaces at
        the first one with this message, not as an `AttributeError` deep inside execution.
        """
        schema = self.schema
        if schema is None:
            name = type(self).__name__
            raise TypeError(
                f"{name} has no schema: pass the handler to GraphQL(schema, ...) or call "
                f"its configure(schema) before it serves requests."
            )
        return schema

    async def get_context_for_request(self, request: Any, data: dict[str, Any]) -> Any:
        """Return the GraphQL context value for a request or WebSocket operation.

        A callable ``context_value`` is called with the request (the seeds' signature) or,
        when it takes two parameters, with the request and the GraphQL request data (newer
        Ariadne releases); an awaitable result is awaited. Without ``context_value`` the
        context is ``{"request": request}``.

        # Required arguments

        `request`: the connection: a `Request` for HTTP, a `WebSocket` for WebSockets.

        `data`: the GraphQL request data (query, variables, operationName).
        """
        context = build_context(self.context_value, request, data)
        if is_awaitable(context):
            context = await context
        return context


class GraphQLHttpHandlerBase(GraphQLHandler):
    """Base class for ASGI HTTP connection handlers."""

    @abstractmethod
    async def handle_request(self, request: Any) -> Any:
        """Handle a request and return a response that is an ASGI app."""

    @abstractmethod
    async def execute_graphql_query(
        self,
        request: Any,
        data: Any,
        *,
        context_value: Any | None = None,
        query_document: DocumentNode | None = None,
    ) -> GraphQLResult:
        """Execute a GraphQL query or mutation from ``request`` and return its result."""


class GraphQLWebsocketHandler(GraphQLHandler):
    """Base class for ASGI WebSocket connection handlers.

    The `connection_init` payload of a connection is stored in
    `websocket.scope["connection_params"]`, so a `context_value` callable (which gets the
    `WebSocket`) can authenticate every operation from it; the context is built per
    operation, never once per socket.
    """

    def __init__(
        self,
        on_connect: OnConnect | None = None,
        on_disconnect: OnDisconnect | None = None,
        on_operation: OnOperation | None = None,
        on_complete: OnComplete | None = None,
    ) -> None:
        """Initialize the WebSocket handler with its optional hooks.

        # Optional arguments

        `on_connect`: called with `(websocket, payload)` on `connection_init`; may be
        async; returning `False` or raising (`WebSocketConnectionError`) rejects it.

        `on_disconnect`: called with `(websocket)` when the connection ends, however it ends.

        `on_operation`: called with `(websocket, operation)` when an operation starts.

        `on_complete`: called with `(websocket, operation)` once when an operation ends.
        """
        super().__init__()
        self.on_connect = on_connect
        self.on_disconnect = on_disconnect
        self.on_operation = on_operation
        self.on_complete = on_complete
        self.http_handler: GraphQLHttpHandlerBase | None = None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An entrypoint for the GraphQL WebSocket handler: wraps the ASGI connection.

        Creates the `graphqlwire.websocket.WebSocket` for the connection and calls
        `handle_websocket` with it.

        # Required arguments

        `scope`, `receive`, `send`: the ASGI connection scope (type `websocket`) and callables.
        """
        await self.handle_websocket(WebSocket(scope, receive, send))

    @abstractmethod
    async def handle_websocket(self, websocket: Any) -> None:
        """Handle one WebSocket connection from accept to close."""

    def configure(
        self,
        *args: Any,
        http_handler: GraphQLHttpHandlerBase | None = None,
        **kwargs: Any,
    ) -> None:
        """Configure the handler with options from the ASGI application.

        # Optional arguments

        `http_handler`: the HTTP handler whose `execute_graphql_query` runs the queries
        and mutations sent over the WebSocket, so both transports share one pipeline
        (extensions, middleware, context).
        """
        super().configure(*args, **kwargs)
        self.http_handler = http_handler
