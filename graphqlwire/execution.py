"""The execution layer: a GraphQL request dict in, a JSON-ready result out. No HTTP here.

``graphql()`` (async), ``graphql_sync()`` and ``subscribe()`` check the request data, parse
and validate it (through ``graphqlwire.cache.document_cache`` unless the caller brings its own
parser or validator), run the extensions and middleware, execute, and format errors.

Results are ``(success, response)``. ``success`` is True when ``response["data"]`` is not
null. A request that fails before execution starts gets a response without a ``data`` entry
(as the GraphQL spec asks) and ``failure_of(response)`` says at which stage it failed, so
transports can pick status codes without parsing error messages.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    MiddlewareManager,
    OperationType,
    execute,
    get_operation_ast,
    specified_rules,
    validate,
)

from . import speedups
from ._compat import EXECUTION_CLASS_KWARG, SYNC_EXECUTION_OPTIONS, create_event_stream
from .cache import document_cache
from .callables import ensure_sync, positional_arity
from .errors import format_error
from .executor import Executor
from .extensions import ExtensionManager
from .request_data import check_request_data
from .results import (
    RequestFailure,
    ResultDict,
    Stage,
    execution_result,
    failure_of,
    failure_result,
    get_logger,
    log_errors,
)
from .streams import EventResults
from .types import (
    ErrorFormatter,
    ExtensionList,
    GraphQLResult,
    LoggerOption,
    MiddlewareList,
    QueryParser,
    QueryValidator,
    SubscriptionResult,
    ValidationRules,
)
from .validation import IntrospectionDisabledRule

__all__ = [
    "RequestFailure",
    "ResultDict",
    "Stage",
    "check_request_data",
    "failure_of",
    "get_logger",
    "get_operation_type",
    "graphql",
    "graphql_sync",
    "log_errors",
    "parse_query",
    "resolve_root_value",
    "subscribe",
]

_SPECIFIED_RULES: tuple[type[ASTValidationRule], ...] = tuple(specified_rules)

def parse_query(
    context_value: Any, data: dict[str, Any], query_parser: QueryParser | None = None
) -> DocumentNode:
    """Parse ``data["query"]`` with ``query_parser`` or the document cache.

    Raises ``GraphQLError`` on a syntax error.
    """
    if query_parser is not None:
        return query_parser(context_value, data)
    return document_cache.parse(data["query"])


def get_operation_type(
    document: DocumentNode, operation_name: str | None = None
) -> OperationType | None:
    """The type of the operation that ``operation_name`` selects, or None if none matches."""
    operation = get_operation_ast(document, operation_name)
    return operation.operation if operation else None


@dataclass(slots=True)
class _Prepared:
    document: DocumentNode
    variables: dict[str, Any] | None
    operation_name: str | None
    operation_type: OperationType | None


def _prepare(
    schema: GraphQLSchema,
    data: Any,
    context_value: Any,
    query_parser: QueryParser | None,
    query_validator: QueryValidator | None,
    query_document: DocumentNode | None,
    introspection: bool,
    validation_rules: ValidationRules | None,
) -> _Prepared:
    """Check, parse and validate; raise ``RequestFailure`` at the first stage that fails.

    The document cache serves parse and validation together unless the caller brings its
    own parser, validator, rules that depend on the request, or a document of its own.
    """
    query, variables, operation_name = check_request_data(data)
    static_rules = not callable(validation_rules)
    if query_parser is None and query_validator is None and static_rules and (
        query_document is None or query_document is document_cache.peek(query)
    ):
        rules = _rules_for(tuple(validation_rules or ()), introspection)  # type: ignore[arg-type]
        try:
            document, errors = document_cache.validate(schema, query, rules)
        except GraphQLError as error:
            raise RequestFailure("parse", [error]) from None
    else:
        if query_document is not None:
            document = query_document
        else:
            try:
                document = parse_query(context_value, data, query_parser)
            except GraphQLError as error:
                raise RequestFailure("parse", [error]) from None
        custom: Any = (
            validation_rules(context_value, document, data)
            if callable(validation_rules)
            else validation_rules
        )
        rules = _rules_for(tuple(custom or ()), introspection)
        errors = (query_validator or validate)(schema, document, rules=rules)
    if errors:
        # cached errors are shared by every request with this query: hand out copies, so an
        # extension or formatter that changes one cannot change later responses
        raise RequestFailure("validation", [_copy_error(error) for error in errors])
    return _Prepared(
        document, variables, operation_name, get_operation_type(document, operation_name)
    )


@lru_cache(maxsize=64)
def _rules_for(
    custom: tuple[type[ASTValidationRule], ...], introspection: bool
) -> tuple[type[ASTValidationRule], ...]:
    extra = () if introspection else (IntrospectionDisabledRule,)
    return _SPECIFIED_RULES + custom + extra


def _check_operation(prepared: _Prepared, require_query: bool) -> None:
    kind = prepared.operation_type
    if kind is OperationType.SUBSCRIPTION:
        raise RequestFailure(
            "operation",
            [
                GraphQLError(
                    "Subscriptions are not executed over HTTP: subscribe over a WebSocket "
                    "(graphql-transport-ws or graphql-ws subprotocol)."
                )
            ],
        )
    if require_query and kind is not None and kind is not OperationType.QUERY:
        raise RequestFailure(
            "operation",
            [
                GraphQLError(
                    f"Only query operations can be executed here (a GET request), and this "
                    f"is a {kind.value}: send it with POST."
                )
            ],
        )


async def graphql(
    schema: GraphQLSchema,
    data: Any,
    *,
    context_value: Any = None,
    root_value: Any = None,
    query_parser: QueryParser | None = None,
    query_validator: QueryValidator | None = None,
    query_document: DocumentNode | None = None,
    debug: bool = False,
    introspection: bool = True,
    logger: LoggerOption = None,
    validation_rules: ValidationRules | None = None,
    require_query: bool = False,
    error_formatter: ErrorFormatter = format_error,
    middleware: MiddlewareList = None,
    middleware_manager_class: type[MiddlewareManager] | None = None,
    extensions: ExtensionList = None,
    execution_context_class: type[Any] | None = None,
    **kwargs: Any,
) -> GraphQLResult:
    """Execute a GraphQL request (query or mutation) and return ``(success, response)``.

    # Required arguments

    `schema`: the `GraphQLSchema` to execute against.

    `data`: the request as decoded from the transport, not yet checked.

    # Optional arguments

    `context_value`, `root_value` (a value or a callable, see ``resolve_root_value``),
    `query_parser` (`(context, data) -> DocumentNode`), `query_validator` (graphql-core's
    `validate` signature), `query_document` (an already parsed document), `debug`,
    `introspection`, `logger`, `validation_rules` (a list, or `(context, document, data)`
    returning one), `require_query` (refuse anything but queries, for GET),
    `error_formatter`, `middleware`, `middleware_manager_class`, `extensions`,
    `execution_context_class`; other keyword arguments go to graphql-core's `execute`.
    """
    steps = _pipeline(
        schema, data, context_value, root_value, query_parser, query_validator,
        query_document, debug, introspection, logger, validation_rules, require_query,
        error_formatter, middleware, middleware_manager_class, extensions,
        execution_context_class, kwargs,
    )
    try:
        step = next(steps)
        while True:
            try:
                value = await step[1]
            except Exception as error:  # let the pipeline's finally blocks run
                step = steps.throw(error)
            else:
                step = steps.send(value)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    finally:
        steps.close()  # cancelled mid-await: still run request_finished


def graphql_sync(
    schema: GraphQLSchema,
    data: Any,
    *,
    context_value: Any = None,
    root_value: Any = None,
    query_parser: QueryParser | None = None,
    query_validator: QueryValidator | None = None,
    query_document: DocumentNode | None = None,
    debug: bool = False,
    introspection: bool = True,
    logger: LoggerOption = None,
    validation_rules: ValidationRules | None = None,
    require_query: bool = False,
    error_formatter: ErrorFormatter = format_error,
    middleware: MiddlewareList = None,
    middleware_manager_class: type[MiddlewareManager] | None = None,
    extensions: ExtensionList = None,
    execution_context_class: type[Any] | None = None,
    **kwargs: Any,
) -> GraphQLResult:
    """Synchronous ``graphql()``, for WSGI and scripts: the same options and results.

    Async resolvers or an async ``root_value`` cannot run here and raise ``RuntimeError``.
    A list value is iterated synchronously even when it is async iterable too.
    """
    steps = _pipeline(
        schema, data, context_value, root_value, query_parser, query_validator,
        query_document, debug, introspection, logger, validation_rules, require_query,
        error_formatter, middleware, middleware_manager_class, extensions,
        execution_context_class, {**SYNC_EXECUTION_OPTIONS, **kwargs},
    )
    try:
        step = next(steps)
        while True:  # every step is an awaitable: refuse it inside the pipeline
            try:
                ensure_sync(step[1], step[0])
            except RuntimeError as error:
                step = steps.throw(error)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    finally:
        steps.close()


def _pipeline(
    schema: GraphQLSchema,
    data: Any,
    context_value: Any,
    root_value: Any,
    query_parser: QueryParser | None,
    query_validator: QueryValidator | None,
    query_document: DocumentNode | None,
    debug: bool,
    introspection: bool,
    logger: LoggerOption,
    validation_rules: ValidationRules | None,
    require_query: bool,
    error_formatter: ErrorFormatter,
    middleware: MiddlewareList,
    middleware_manager_class: type[MiddlewareManager] | None,
    extensions: ExtensionList,
    execution_context_class: type[Any] | None,
    kwargs: dict[str, Any],
) -> Generator[tuple[str, Awaitable[Any]], Any, GraphQLResult]:
    """One request from data to result, written once for ``graphql`` and ``graphql_sync``.

    It yields ``(what, awaitable)`` wherever user code returned an awaitable and gets the
    awaited value back: the async driver awaits it, the sync driver refuses it.
    """
    manager = ExtensionManager(extensions, context_value)
    with manager.request():
        try:
            prepared = _prepare(
                schema, data, context_value, query_parser, query_validator,
                query_document, introspection, validation_rules,
            )
            _check_operation(prepared, require_query)
            root = resolve_root_value(root_value, context_value, prepared)
            if inspect.isawaitable(root):
                root = yield "root_value", root
            result = _execute(
                schema, prepared, root, context_value, manager, middleware,
                middleware_manager_class, execution_context_class, kwargs,
            )
            if inspect.isawaitable(result):
                result = yield "a resolver", result
        except (RequestFailure, GraphQLError) as error:
            # a GraphQLError raised by a hook (root_value, rules factory, validator) or by
            # graphql-core itself is the client's answer, not a server error
            return failure_result(_as_failure(error), manager, logger, error_formatter, debug)
        return execution_result(result, manager, logger, error_formatter, debug)


def _copy_error(error: GraphQLError) -> GraphQLError:
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=dict(error.extensions or {}),
    )


def _as_failure(error: RequestFailure | GraphQLError) -> RequestFailure:
    return error if isinstance(error, RequestFailure) else RequestFailure("execution", [error])


def _execute(
    schema: GraphQLSchema,
    prepared: _Prepared,
    root: Any,
    context_value: Any,
    manager: ExtensionManager,
    middleware: MiddlewareList,
    middleware_manager_class: type[MiddlewareManager] | None,
    execution_context_class: type[Any] | None,
    kwargs: dict[str, Any],
) -> Any:
    options = _speedups(kwargs)
    options[EXECUTION_CLASS_KWARG] = execution_context_class or Executor
    return execute(
        schema,
        prepared.document,
        root_value=root,
        context_value=context_value,
        variable_values=prepared.variables,
        operation_name=prepared.operation_name,
        middleware=manager.as_middleware_manager(middleware, middleware_manager_class),
        **options,
    )


def _speedups(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Executor keywords: graphqlwire's fast per-field hooks, then the caller's own."""
    return {
        "field_resolver": speedups.field_resolver,
        "is_awaitable": speedups.is_awaitable,
        **kwargs,
    }


def resolve_root_value(root_value: Any, context_value: Any, prepared: _Prepared) -> Any:
    """Return ``root_value``, or call it when it is callable (the result may be awaitable).

    A callable taking four parameters is called as ``(context, operation_name, variables,
    document)`` (newer Ariadne releases); any other as ``(context, document)`` (the seeds).
    """
    if not callable(root_value):
        return root_value
    if positional_arity(root_value, unknown=2) >= 4:
        return root_value(
            context_value, prepared.operation_name, prepared.variables, prepared.document
        )
    return root_value(context_value, prepared.document)


async def subscribe(
    schema: GraphQLSchema,
    data: Any,
    *,
    context_value: Any = None,
    root_value: Any = None,
    query_parser: QueryParser | None = None,
    query_validator: QueryValidator | None = None,
    query_document: DocumentNode | None = None,
    debug: bool = False,
    introspection: bool = True,
    logger: LoggerOption = None,
    validation_rules: ValidationRules | None = None,
    error_formatter: ErrorFormatter = format_error,
    middleware: MiddlewareList = None,
    middleware_manager_class: type[MiddlewareManager] | None = None,
    extensions: ExtensionList = None,
    execution_context_class: type[Any] | None = None,
    **kwargs: Any,
) -> SubscriptionResult:
    """Start a subscription: ``(True, async generator of results)`` or ``(False, errors)``.

    The generator executes the selection once per source event (graphql-core's
    ``subscribe()`` spawns and awaits a task per event; mapping in place is several times
    faster). Closing it closes the source stream, so the resolver's ``finally`` runs. A
    query or mutation sent here yields exactly one result. Takes ``graphql()``'s options.
    """
    manager = ExtensionManager(extensions, context_value)
    try:
        prepared = _prepare(
            schema, data, context_value, query_parser, query_validator,
            query_document, introspection, validation_rules,
        )
        root = resolve_root_value(root_value, context_value, prepared)
        if inspect.isawaitable(root):
            root = await root
    except (RequestFailure, GraphQLError) as error:
        failure = _as_failure(error)
        _, response = failure_result(failure, manager, logger, error_formatter, debug)
        return False, response["errors"]

    def run(event_root: Any) -> Any:
        return _execute(
            schema, prepared, event_root, context_value, manager, middleware,
            middleware_manager_class, execution_context_class, kwargs,
        )

    def finish(result: ExecutionResult) -> dict[str, Any]:
        return execution_result(result, manager, logger, error_formatter, debug)[1]

    if prepared.operation_type in (OperationType.QUERY, OperationType.MUTATION):
        return True, _single_result(run, root, finish)
    source, execute_event = create_event_stream(
        schema, prepared.document, root, context_value, prepared.variables,
        prepared.operation_name, execution_context_class or Executor,
        manager.as_middleware_manager(middleware, middleware_manager_class), _speedups(kwargs),
    )
    if inspect.isawaitable(source):
        source = await source
    if isinstance(source, ExecutionResult):
        response = finish(source)
        return False, response.get("errors", [])
    def source_failed(error: Exception) -> dict[str, Any]:
        if not isinstance(error, GraphQLError):
            error = GraphQLError(str(error), original_error=error)
        failure = RequestFailure("execution", [error])
        return failure_result(failure, manager, logger, error_formatter, debug)[1]

    return True, EventResults(source, execute_event or run, finish, source_failed)


async def _single_result(
    run: Callable[[Any], Any], root: Any, finish: Callable[[ExecutionResult], dict[str, Any]]
) -> AsyncGenerator[dict[str, Any], None]:
    result = run(root)
    if inspect.isawaitable(result):
        result = await result
    yield finish(result)
