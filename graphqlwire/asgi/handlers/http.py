"""``GraphQLHTTPHandler``: queries and mutations over HTTP (GET, POST JSON, POST multipart).

Each step is a method so that a subclass can replace exactly one of them: reading the
request data, building the context, extensions and middleware, executing, and turning
the result into a response. The GraphQL-over-HTTP rules themselves (Accept negotiation,
status codes, GET parameters, Content-Type) live in ``graphqlwire.http`` and are shared
with the WSGI app.

Requests refused before any GraphQL work (wrong method, Content-Type or Accept, bad JSON,
broken multipart, a body over the limit) get a 4xx whose JSON body is
``{"errors": [{"message": "<what was wrong>"}]}``, labelled ``application/json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ...execution import (
    ExtensionList,
    Extensions,
    GraphQLResult,
    MiddlewareList,
    Middlewares,
    is_awaitable,
    per_request_option,
    run_graphql,
)
from ...http import ClientDisconnect, HttpError, Request, Response
from ...http._batching import DEFAULT_MAX_BATCH_SIZE
from ...http._incremental import graphql_response, negotiate_result
from ...http._rules import (
    BodyLimit,
    body_limit,
    data_from_query_params,
    operation_policy,
    request_body_kind,
    vary_on_accept,
)
from ...http._status import StatusMode, check_status_mode, error_response
from ...types import Receive, Scope, Send
from ._http_routes import explorer_page, handle_get, not_allowed, run_batch, run_incremental
from .base import GraphQLHttpHandlerBase

if TYPE_CHECKING:
    from graphql import DocumentNode, MiddlewareManager

    from ...explorers import Explorer


class SubscriptionHandler(Protocol):
    """A streaming transport served through the HTTP handler (GraphQL over SSE, ...)."""

    def supports(self, request: Request) -> bool:
        """Whether this handler answers `request` (decided from its head, cheaply)."""

    async def handle(self, request: Request, http_handler: GraphQLHTTPHandler) -> Response:
        """The response to a request `supports` took."""


class GraphQLHTTPHandler(GraphQLHttpHandlerBase):
    """Default ASGI handler for HTTP requests: executes queries and mutations.

    Subscriptions stream over SSE (`SSESubscriptionHandler`, on by default); over plain
    JSON they are refused (use SSE or a WebSocket handler).
    """

    def __init__(
        self,
        extensions: Extensions | None = None,
        middleware: Middlewares | None = None,
        middleware_manager_class: type[MiddlewareManager] | None = None,
        *,
        status_mode: StatusMode = "ariadne",
        max_body_size: int | BodyLimit | None = BodyLimit.FROM_SERVER,
        max_files: int = 1000,
        max_file_size: int | None = None,
        max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
        subscription_handlers: Sequence[SubscriptionHandler] | None = None,
    ) -> None:
        """Initialize the HTTP handler.

        # Optional arguments

        `extensions`: a list of extensions (classes or factories), or a callable
        `(request, context) -> list` (may be async). Defaults to no extensions.

        `middleware`: a list of GraphQL middlewares, or a callable
        `(request, context) -> list` (may be async). Defaults to no middleware.

        `middleware_manager_class`: the `MiddlewareManager` (sub)class combining the
        middlewares. Defaults to graphql-core's `MiddlewareManager`.

        `status_mode`: `"ariadne"` (default: 200 when `data` is not null, else 400, for
        `application/json`) or `"spec"` (the GraphQL-over-HTTP codes for every client).

        `max_body_size`: refuse bodies over this many bytes with 413 (as the WSGI app;
        None for no limit, which lets a JSON body of any size into memory). By default,
        the limit graphqlwire's server was given (``--max-body-size``), so that one
        setting governs both; under other servers 10 MiB.

        `max_files`: most files in one multipart request (413 past it).

        `max_file_size`: most bytes in one uploaded file (413 past it).

        `max_batch_size`: most operations in one batched request (a JSON array, or a
        multipart `operations` array); 0 refuses batches.

        `subscription_handlers`: the streaming transports tried, in order, before plain
        HTTP (Ariadne's newest option). Defaults to GraphQL over SSE in both modes
        (`graphqlwire.asgi.handlers.SSESubscriptionHandler()`); `[]` turns SSE off.
        """
        super().__init__()
        self._subscription_handlers = (
            None if subscription_handlers is None else list(subscription_handlers)
        )
        self.extensions = extensions
        self.middleware = middleware
        self.middleware_manager_class = middleware_manager_class
        self.status_mode: StatusMode = check_status_mode(status_mode)
        self.max_body_size = max_body_size
        self.max_files = max_files
        self.max_file_size = max_file_size
        self.max_batch_size = max_batch_size

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An entrypoint for the GraphQL HTTP handler.

        Builds a `Request` for the scope, calls `handle_request` with it and sends the
        response back. Uploaded files are closed once the response is built. An
        `HttpError` raised by any step becomes its 4xx JSON error response; a client
        that disconnects while its body is being read gets nothing.

        # Required arguments

        `scope`: the ASGI `http` connection scope.

        `receive`: the ASGI receive callable.

        `send`: the ASGI send callable.
        """
        request = Request(scope, receive, max_body_size=body_limit(self.max_body_size, scope))
        try:
            response = await self.handle_request(request)
        except HttpError as error:  # raised by an override outside graphql_http_server
            response = error_response(error)
        except ClientDisconnect:
            return
        finally:
            await request.close()
        if request.method == "GET":
            vary_on_accept(response)
        await response(scope, receive, send)

    @property
    def subscription_handlers(self) -> list[SubscriptionHandler]:
        """The streaming transports; the default SSE handler is created on first use."""
        if self._subscription_handlers is None:
            from .sse import SSESubscriptionHandler

            self._subscription_handlers = [SSESubscriptionHandler()]
        return self._subscription_handlers

    async def handle_request(self, request: Request) -> Response:
        """Handle a GraphQL request and return the response for the client.

        A request one of the `subscription_handlers` supports (GraphQL over SSE) is
        theirs. `GET` runs the query in the URL or shows the explorer, as
        `graphqlwire.http._rules.route_get` decides (responses carry `Vary: Accept`);
        `POST` runs the JSON or multipart body; others go to `handle_not_allowed_method`.

        # Required arguments

        `request`: the `Request`.
        """
        for handler in self.subscription_handlers:
            if handler.supports(request):
                return await handler.handle(request, self)
        method = request.method
        if method == "POST":
            return await self.graphql_http_server(request)
        if method != "GET":
            return self.handle_not_allowed_method(request)
        return vary_on_accept(await handle_get(self, request))

    async def render_explorer(self, request: Request, explorer: Explorer) -> Response:
        """Return an HTML response with the GraphQL explorer.

        # Required arguments

        `request`: the `Request`.

        `explorer`: an `Explorer` whose `html(request)` (maybe async) returns the page,
        or None (`ExplorerHttp405`), in which case the response is an empty-body 405
        with `Allow`, as Ariadne answers.
        """
        return await explorer_page(self, request, explorer)

    async def graphql_http_server(self, request: Request) -> Response:
        """Execute the GraphQL request in `request` and return its JSON response.

        Negotiates the media type (406), runs `extract_data_from_request`,
        `execute_graphql_query` and `create_json_response`; a refusal before execution is
        a 4xx JSON error. A batch (a list of operations) runs each one in order and is
        answered with a JSON array. A client that accepts `multipart/mixed` may run
        `@defer`/`@stream` operations (one that does not gets a 406 for them).

        # Required arguments

        `request`: the `Request`.
        """
        try:
            media_type, multipart = negotiate_result(request.headers.get("accept"))
            data = await self.extract_data_from_request(request)
        except HttpError as error:
            return error_response(error)
        if isinstance(data, list):
            return await run_batch(self, request, data, media_type)
        if multipart is not None:
            return await run_incremental(self, request, data)
        success, result = await self.execute_graphql_query(request, data)
        return await self.create_json_response(request, result, success)

    async def extract_data_from_request(self, request: Request) -> Any:
        """Return the GraphQL request data of `request`, not yet validated.

        GET reads the URL parameters; POST dispatches on the Content-Type to
        `extract_data_from_json_request` or `extract_data_from_multipart_request`.
        Raises `HttpUnsupportedMediaTypeError` (415) for a missing or other Content-Type.

        # Required arguments

        `request`: the `Request`.
        """
        if request.method == "GET":
            return self.extract_data_from_get_request(request)
        if request_body_kind(request.headers.get("content-type")) == "json":
            return await self.extract_data_from_json_request(request)
        return await self.extract_data_from_multipart_request(request)

    async def extract_data_from_json_request(self, request: Request) -> Any:
        """Return the decoded JSON body, not yet validated (400 for bad JSON or UTF-8).

        # Required arguments

        `request`: the `Request`.
        """
        return await request.json()

    async def extract_data_from_multipart_request(
        self, request: Request
    ) -> dict[str, Any] | list[Any]:
        """Return the operations of a GraphQL multipart request with files put in place.

        Implements the GraphQL multipart request spec: the `operations` JSON, the `map`
        of file fields to paths, and the files (`UploadFile`s in the variables). Malformed
        bodies and maps get a 400 and limits a 413 (`graphqlwire.uploads`). A batch
        (an `operations` array) is returned as a list, each operation with its own files.

        # Required arguments

        `request`: the `Request`.
        """
        from ...http._uploads import multipart_operations

        form = await request.form(max_files=self.max_files, max_file_size=self.max_file_size)
        return multipart_operations(form)

    def extract_data_from_get_request(self, request: Request) -> dict[str, Any]:
        """Return the GraphQL data in the URL's query parameters, not yet validated.

        `variables` and `extensions` are JSON text (400 when invalid); empty values
        count as absent.

        # Required arguments

        `request`: the `Request`.
        """
        return data_from_query_params(request.query_params)

    async def execute_graphql_query(
        self,
        request: Any,
        data: Any,
        *,
        context_value: Any | None = None,
        query_document: DocumentNode | None = None,
    ) -> GraphQLResult:
        """Execute the GraphQL request `data` and return `(success, result)`.

        Builds the context (unless given), extensions and middleware for the request,
        then runs the execution pipeline with the handler's `execution_options`. GET
        requests may only run queries (`graphqlwire.http` words the refusals).

        # Required arguments

        `request`: the `Request`.

        `data`: the GraphQL request data.

        # Optional arguments

        `context_value`: the context for this request (built by
        `get_context_for_request` when None).

        `query_document`: an already parsed document, so the query is not parsed again.
        """
        if context_value is None:
            context_value = await self.get_context_for_request(request, data)
        extensions = await self.get_extensions_for_request(request, context_value)
        middleware = await self.get_middleware_for_request(request, context_value)
        schema = self.schema
        if schema is None:
            schema = self.configured_schema()  # (raises the TypeError that explains it)
        result = await run_graphql(
            schema,
            data,
            self.execution_options,
            context_value=context_value,
            query_document=query_document,
            policy=operation_policy(getattr(request, "method", None)),
            extensions=extensions,
            middleware=middleware,
        )
        if self.observer is not None:
            self.observer.operation(self.execution_options, request, data, result[1])
        return result

    async def get_extensions_for_request(self, request: Any, context: Any) -> ExtensionList:
        """Return the extensions for this request (the `extensions` option, resolved).

        # Required arguments

        `request`: the `Request`.

        `context`: the GraphQL context value for this request.
        """
        extensions = per_request_option(self.extensions, request, context)
        if is_awaitable(extensions):
            extensions = await extensions
        return extensions  # type: ignore[no-any-return]

    async def get_middleware_for_request(self, request: Any, context: Any) -> MiddlewareList:
        """Return the GraphQL middlewares for this request (the `middleware` option, resolved).

        # Required arguments

        `request`: the `Request`.

        `context`: the GraphQL context value for this request.
        """
        middleware = per_request_option(self.middleware, request, context)
        if is_awaitable(middleware):
            middleware = await middleware
        return middleware  # type: ignore[no-any-return]

    async def create_json_response(
        self, request: Request, result: dict[str, Any], success: bool
    ) -> Response:
        """Return the JSON response for a GraphQL result.

        The media type is negotiated from `Accept`. For `application/json` in the default
        `"ariadne"` status mode the status is 200 if `success` else 400; otherwise the
        GraphQL-over-HTTP codes apply (294 partial, 400/422 failures, 405 for a mutation
        over GET, see `graphqlwire.graphql_http`).

        # Required arguments

        `request`: the `Request`.

        `result`: the JSON-ready result dict.

        `success`: whether `data` is not null.

        An incremental (`@defer`/`@stream`) result is a `multipart/mixed` response, as is
        any result for a client that accepts `multipart/mixed` but no JSON type; an
        incremental operation refused for want of `multipart/mixed` is a 406.
        """
        try:
            return graphql_response(
                result, success, request.headers.get("accept"),
                method=request.method, status_mode=self.status_mode,
            )  # fmt: skip
        except HttpError as error:
            return error_response(error)

    def handle_not_allowed_method(self, request: Request) -> Response:
        """Answer a request whose method is not served.

        `OPTIONS` gets an empty 200 with `Allow` (labelled `text/plain`, as the WSGI
        app's); other methods a 405 with `Allow` and a
        JSON error body naming the allowed methods. GET is allowed when the explorer
        (with introspection) or GET queries are enabled.

        # Required arguments

        `request`: the `Request`.
        """
        return not_allowed(self, request)
