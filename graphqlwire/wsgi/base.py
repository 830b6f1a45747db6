"""``GraphQLBase``: the options of the WSGI ``GraphQL`` app and the steps that run a request.

Reading the request data (URL parameters, JSON body, multipart uploads), building the
context, extensions and middleware, and executing with ``graphql_sync``. Every step takes
the WSGI ``environ`` and is a method, so a subclass replaces exactly one of them; nothing
per request is stored on the app, which is shared by every worker thread.
``graphqlwire.wsgi.app.GraphQL`` adds the HTTP side (methods, explorer, responses).
"""

from __future__ import annotations

from collections.abc import Mapping
from logging import Logger, LoggerAdapter
from typing import Any

from graphql import DocumentNode, GraphQLSchema, MiddlewareManager

from ..execution import (
    DEFAULT_LIMITS,
    ContextValue,
    DocumentStore,
    ErrorFormatter,
    ExecutionOptionAttributes,
    ExecutionOptions,
    ExtensionList,
    Extensions,
    GraphQLResult,
    MiddlewareList,
    Middlewares,
    OperationLimits,
    QueryParser,
    QueryValidator,
    RootValue,
    TrustedDocumentsSource,
    ValidationRules,
    build_context,
    ensure_sync,
    format_error,
    per_request_option,
    persisted_document_options,
    run_graphql_sync,
)
from ..explorers import Explorer, ExplorerGraphiQL
from ..http._batching import DEFAULT_MAX_BATCH_SIZE
from ..http._multipart import MultipartLimits
from ..http._requests import parse_json_body
from ..http._rules import (
    DEFAULT_MAX_BODY_SIZE,
    data_from_query_params,
    operation_policy,
    request_body_kind,
)
from ..http._status import StatusMode, check_status_mode
from ..http._uploads import multipart_operations, parse_form
from .environ import BodyReader, request_for

Environ = dict[str, Any]

#: Where the parsed multipart form of a request waits to have its files closed.
FORM_KEY = "graphqlwire.form"


def request_method(environ: Environ) -> str:
    """The request method, uppercase."""
    method: str = environ.get("REQUEST_METHOD", "GET")
    return method.upper()


class GraphQLBase(ExecutionOptionAttributes):
    """Options and GraphQL steps of the WSGI app (see ``GraphQL`` for the arguments).

    The execution options are attributes stored in one frozen `ExecutionOptions`
    (`execution_options`), as on the ASGI handlers.
    """

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
        extensions: Extensions | None = None,
        middleware: Middlewares | None = None,
        middleware_manager_class: type[MiddlewareManager] | None = None,
        execution_context_class: type[Any] | None = None,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        max_files: int = 1000,
        max_file_size: int | None = None,
        status_mode: StatusMode = "ariadne",
        max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
        max_tokens: int = DEFAULT_LIMITS.max_tokens,
        max_depth: int = DEFAULT_LIMITS.max_depth,
        max_aliases: int = DEFAULT_LIMITS.max_aliases,
        max_cost: int = DEFAULT_LIMITS.max_cost,
        max_directives: int = DEFAULT_LIMITS.max_directives,
        mask_errors: bool = False,
        persisted_queries: bool | DocumentStore = True,
        trusted_documents: TrustedDocumentsSource = None,
        only_trusted: bool = False,
    ) -> None:
        """Initialize the WSGI application.

        # Required arguments

        `schema`: the `GraphQLSchema` to serve.

        # Optional arguments

        `context_value`: the context passed to resolvers, or a callable called with the
        WSGI `environ` (or with `(environ, data)` when it takes two parameters) that
        returns it. Defaults to `{"request": environ}`.

        `root_value`: the root value, or a callable `(context, document)` returning it.

        `query_parser`, `query_validator`, `validation_rules`, `debug`, `introspection`
        (`False` also hides the explorer), `logger`, `error_formatter`,
        `execution_context_class`: as for the ASGI `GraphQL` app.

        `execute_get_queries`: execute queries sent with GET (mutations never are).

        `explorer`: the `Explorer` served to browsers on GET. Defaults to GraphiQL.

        `extensions`, `middleware`: a list, or a callable `(environ, context)` returning one.

        `middleware_manager_class`: the `MiddlewareManager` (sub)class to combine them.

        `max_body_size`: refuse bodies over this many bytes with 413 (default 10 MiB;
        None for no limit, which lets a JSON body of any size into memory).

        `max_files`, `max_file_size`: limits on multipart uploads (413 past them).

        `status_mode`: `"ariadne"` or `"spec"`, see `graphqlwire.graphql_http`.

        `max_batch_size`: most operations in one batched request (a JSON array, or a
        multipart `operations` array); 0 refuses batches. See `graphqlwire.batching`.

        `max_tokens`, `max_depth`, `max_aliases`, `max_cost`, `max_directives`,
        `mask_errors`, `persisted_queries` (APQ; its store must be thread-safe),
        `trusted_documents`, `only_trusted`: as for the ASGI `GraphQL` app. (Its
        `execution_timeout` has no WSGI twin: synchronous code cannot be interrupted.)
        """
        self.status_mode: StatusMode = check_status_mode(status_mode)
        self.schema = schema
        self.context_value = context_value
        self.execute_get_queries = execute_get_queries
        self.explorer: Explorer | None = explorer if explorer is not None else ExplorerGraphiQL()
        self.extensions = extensions
        self.middleware = middleware
        self.max_body_size = max_body_size
        self.max_files = max_files
        self.max_file_size = max_file_size
        self.max_batch_size = max_batch_size
        self.execution_options = ExecutionOptions(
            root_value, query_parser, query_validator, validation_rules, debug, introspection,
            logger, error_formatter, middleware_manager_class, execution_context_class,
            limits=OperationLimits(max_tokens, max_depth, max_aliases, max_cost, max_directives),
            mask_errors=mask_errors,
            **persisted_document_options(persisted_queries, trusted_documents, only_trusted),
        )  # fmt: skip

    def get_request_data(self, environ: Environ) -> Any:
        """Return the GraphQL request data of a POST, not yet validated.

        Dispatches on `Content-Type` to `extract_data_from_json_request` or
        `extract_data_from_multipart_request`; 415 for a missing or other type.

        # Required arguments

        `environ`: the WSGI environ.
        """
        content_type = environ.get("CONTENT_TYPE") or None
        if request_body_kind(content_type if isinstance(content_type, str) else None) == "json":
            return self.extract_data_from_json_request(environ)
        return self.extract_data_from_multipart_request(environ)

    def extract_data_from_json_request(self, environ: Environ) -> Any:
        """Return the decoded JSON body (400 for bad JSON or UTF-8, 413 past the limit).

        The body is read with `get_request_content_length` and `get_request_body`.

        # Required arguments

        `environ`: the WSGI environ.
        """
        content_length = self.get_request_content_length(environ)
        return parse_json_body(self.get_request_body(environ, content_length))

    def get_request_content_length(self, environ: Environ) -> int | None:
        """Return the body's declared length, None for a body the server de-chunked.

        400 for a malformed `CONTENT_LENGTH`, 411 when it is missing (and the server did
        not set `wsgi.input_terminated`), 413 over `max_body_size`.

        # Required arguments

        `environ`: the WSGI environ.
        """
        return BodyReader.of(environ, self.max_body_size).content_length()

    def get_request_body(self, environ: Environ, content_length: int | None) -> bytes:
        """Return the body: `content_length` bytes (None: until the server's end of body),
        read in bounded chunks. 400 when it ends early or there is no `wsgi.input`.

        # Required arguments

        `environ`: the WSGI environ.

        `content_length`: the length from `get_request_content_length`.
        """
        return BodyReader.of(environ, self.max_body_size).read(content_length)

    def extract_data_from_multipart_request(self, environ: Environ) -> Any:
        """Return the operations of a GraphQL multipart request with `UploadFile`s in place.

        The body (of `get_request_content_length` bytes) streams through the shared
        multipart parser; files are spooled (to disk past 1 MiB) and closed after the
        response is built. Malformed bodies and maps get a 400, limits a 413.

        # Required arguments

        `environ`: the WSGI environ.
        """
        _, params = request_for(environ).content_type
        limits = MultipartLimits(
            max_files=self.max_files,
            max_file_size=self.max_file_size,
            max_total_size=self.max_body_size,
        )
        content_length = self.get_request_content_length(environ)
        chunks = BodyReader.of(environ, self.max_body_size).chunks(content_length)
        form = environ[FORM_KEY] = parse_form(chunks, params.get("boundary"), limits)
        return multipart_operations(form)

    def extract_data_from_get(self, query_params: Mapping[str, str]) -> dict[str, Any]:
        """Return the GraphQL data in a GET request's URL parameters, not yet validated
        (400 for bad JSON in `variables` or `extensions`).

        # Required arguments

        `query_params`: the decoded URL parameters, a `dict` of `str`.
        """
        return data_from_query_params(query_params)

    def execute_query(
        self,
        environ: Environ,
        data: Any,
        *,
        context_value: Any | None = None,
        query_document: DocumentNode | None = None,
    ) -> GraphQLResult:
        """Execute `data` with the synchronous pipeline and return `(success, result)`.

        GET requests may only run queries.

        # Required arguments

        `environ`: the WSGI environ.

        `data`: the GraphQL request data.

        # Optional arguments

        `context_value`: the context (built by `get_context_for_request` when None).

        `query_document`: an already parsed document.
        """
        if context_value is None:
            context_value = self.get_context_for_request(environ, data)
        return run_graphql_sync(
            self.schema,
            data,
            self.execution_options,
            context_value=context_value,
            query_document=query_document,
            policy=operation_policy(request_method(environ)),
            extensions=self.get_extensions_for_request(environ, context_value),
            middleware=self.get_middleware_for_request(environ, context_value),
        )

    def get_context_for_request(self, environ: Environ, data: Any) -> Any:
        """Return the context: `context_value` called with `(environ)` or `(environ, data)`
        by its arity, used as is, or `{"request": environ}` by default.

        # Required arguments

        `environ`: the WSGI environ.

        `data`: the GraphQL request data.
        """
        return ensure_sync(build_context(self.context_value, environ, data), "context_value")

    def get_extensions_for_request(self, environ: Environ, context: Any) -> ExtensionList:
        """Return the extensions: the `extensions` option, called with `(environ, context)`
        when callable.

        # Required arguments

        `environ`: the WSGI environ.

        `context`: the context value.
        """
        extensions = per_request_option(self.extensions, environ, context)
        return ensure_sync(extensions, "extensions")  # type: ignore[no-any-return]

    def get_middleware_for_request(self, environ: Environ, context: Any) -> MiddlewareList:
        """Return the GraphQL middlewares: the `middleware` option, called with
        `(environ, context)` when callable.

        # Required arguments

        `environ`: the WSGI environ.

        `context`: the context value.
        """
        middleware = per_request_option(self.middleware, environ, context)
        return ensure_sync(middleware, "middleware")  # type: ignore[no-any-return]
