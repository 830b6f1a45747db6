"""The execution layer: a GraphQL request dict in, a JSON-ready result out. No HTTP here.

``graphql()`` (async), ``graphql_sync()`` and ``subscribe()`` check the request data, parse and
validate it (through ``graphqlwire.cache.document_cache`` unless the caller brings its own
parser or validator), run the extensions and middleware, execute, and format errors.

Results are ``(success, response)``. ``success`` is True when ``response["data"]`` is not
null. A request that fails before execution starts gets a response without a ``data`` entry
(as the GraphQL spec asks) and ``failure_of(response)`` says at which stage it failed, so
transports can pick status codes without parsing error messages.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncGenerator, AsyncIterable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

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

from ._compat import EXECUTION_CLASS_KWARG, create_event_stream
from .cache import document_cache
from .errors import format_error, unwrap_graphql_error
from .extensions import ExtensionManager
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

Stage = Literal["request", "parse", "validation", "operation", "execution"]

DEFAULT_LOGGER = "graphqlwire"
_SPECIFIED_RULES: tuple[type[ASTValidationRule], ...] = tuple(specified_rules)


class ResultDict(dict[str, Any]):
    """A response dict that remembers why the request failed (see ``failure_of``)."""

    __slots__ = ("failure",)

    def __init__(self, failure: Stage | None = None, **fields: Any) -> None:
        super().__init__(**fields)
        self.failure = failure


def failure_of(response: dict[str, Any]) -> Stage | None:
    """The stage at which a request failed before producing data, or None.

    ``"request"``: the data is not a well-formed GraphQL request; ``"parse"``: syntax error;
    ``"validation"``; ``"operation"``: the operation type is not allowed here (a mutation
    with ``require_query``, a subscription outside ``subscribe()``); ``"execution"``:
    execution could not start (variables could not be coerced, unknown operation name).
    """
    return getattr(response, "failure", None)


class RequestFailure(Exception):
    """Internal: the request failed at ``stage`` before execution with ``errors``."""

    def __init__(self, stage: Stage, errors: list[GraphQLError]) -> None:
        super().__init__(stage)
        self.stage: Stage = stage
        self.errors = errors


def check_request_data(data: Any) -> tuple[str, dict[str, Any] | None, str | None]:
    """Check the shape of a GraphQL request and return ``(query, variables, operationName)``.

    Unknown keys are ignored and ``null`` counts as absent, as GraphQL over HTTP requires.
    Raises ``RequestFailure("request", ...)`` with a message that says what is wrong.
    """
    if not isinstance(data, dict):
        _bad_request(f"The GraphQL request must be a JSON object, not {_json_type(data)}.")
    query = data.get("query")
    if query is None:
        _bad_request("The GraphQL request has no 'query': send the document as a string.")
    if not isinstance(query, str):
        _bad_request(f"'query' must be a string, not {_json_type(query)}.")
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        _bad_request(f"'variables' must be an object or null, not {_json_type(variables)}.")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        _bad_request(
            f"'operationName' must be a string or null, not {_json_type(operation_name)}."
        )
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        _bad_request(f"'extensions' must be an object or null, not {_json_type(extensions)}.")
    return query, variables, operation_name


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
        query_document is None or query_document is _cached_parse(query)
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
        raise RequestFailure("validation", list(errors))
    return _Prepared(
        document, variables, operation_name, get_operation_type(document, operation_name)
    )


def _cached_parse(query: str) -> DocumentNode | None:
    try:
        return document_cache.parse(query)
    except GraphQLError:
        return None


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
                root = await root
            result = _execute(
                schema, prepared, root, context_value, manager, middleware,
                middleware_manager_class, execution_context_class, kwargs,
            )
            if inspect.isawaitable(result):
                result = await result
        except RequestFailure as failure:
            return _failure_result(failure, manager, logger, error_formatter, debug)
        return _execution_result(result, manager, logger, error_formatter, debug)


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
            result = _execute(
                schema, prepared, _sync(root, "root_value"), context_value, manager,
                middleware, middleware_manager_class, execution_context_class, kwargs,
            )
        except RequestFailure as failure:
            return _failure_result(failure, manager, logger, error_formatter, debug)
        result = _sync(result, "a resolver")
        return _execution_result(result, manager, logger, error_formatter, debug)


def _sync(value: Any, what: str) -> Any:
    if inspect.isawaitable(value):
        if inspect.iscoroutine(value):
            value.close()  # do not leave a "never awaited" warning behind
        raise RuntimeError(
            f"graphql_sync() cannot run async code, but {what} returned an awaitable: "
            "use the ASGI app or graphql() instead."
        )
    return value


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
    options: dict[str, Any] = {EXECUTION_CLASS_KWARG: execution_context_class, **kwargs}
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


def resolve_root_value(root_value: Any, context_value: Any, prepared: _Prepared) -> Any:
    """Return ``root_value``, or call it when it is callable (the result may be awaitable).

    A callable taking four parameters is called as ``(context, operation_name, variables,
    document)`` (newer Ariadne releases); any other as ``(context, document)`` (the seeds).
    """
    if not callable(root_value):
        return root_value
    if _positional_arity(root_value) >= 4:
        return root_value(
            context_value, prepared.operation_name, prepared.variables, prepared.document
        )
    return root_value(context_value, prepared.document)


@lru_cache(maxsize=256)
def _positional_arity(function: Callable[..., Any]) -> int:
    """How many positional arguments ``function`` accepts (a large number for ``*args``)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 2
    count = 0
    for parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            return 99
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def _failure_result(
    failure: RequestFailure,
    manager: ExtensionManager,
    logger: LoggerOption,
    error_formatter: ErrorFormatter,
    debug: bool,
) -> GraphQLResult:
    response = ResultDict(failure.stage)
    _add_errors(response, failure.errors, manager, logger, error_formatter, debug)
    _add_extensions(response, manager)
    return False, response


def _execution_result(
    result: ExecutionResult,
    manager: ExtensionManager,
    logger: LoggerOption,
    error_formatter: ErrorFormatter,
    debug: bool,
) -> GraphQLResult:
    errors = result.errors
    if result.data is None and errors and all(error.path is None for error in errors):
        # Execution never started (variables not coercible, unknown operation name): the
        # GraphQL spec says the response then has no "data" entry.
        response = ResultDict("execution")
    else:
        response = ResultDict(None, data=result.data)
    if errors:
        _add_errors(response, errors, manager, logger, error_formatter, debug)
    _add_extensions(response, manager)
    return response.get("data") is not None, response


def _add_errors(
    response: dict[str, Any],
    errors: list[GraphQLError],
    manager: ExtensionManager,
    logger: LoggerOption,
    error_formatter: ErrorFormatter,
    debug: bool,
) -> None:
    log_errors(errors, logger)
    manager.has_errors(errors)
    response["errors"] = [error_formatter(error, debug) for error in errors]


def _add_extensions(response: dict[str, Any], manager: ExtensionManager) -> None:
    if manager.extensions:
        data = manager.format()
        if data:
            response["extensions"] = data


def get_logger(logger: LoggerOption) -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The logger an option names: None means ``graphqlwire``, a str a logger name."""
    if logger is None or isinstance(logger, str):
        return logging.getLogger(logger or DEFAULT_LOGGER)
    return logger


def log_errors(errors: list[GraphQLError], logger: LoggerOption) -> None:
    """Log, once each, the errors that came from an exception raised in a resolver.

    A ``GraphQLError`` raised on purpose, a syntax or validation error is the client's
    business, not the server's, and is not logged.
    """
    seen: set[int] = set()
    for error in errors:
        original = unwrap_graphql_error(error)
        if original is None or isinstance(original, GraphQLError) or id(original) in seen:
            continue
        seen.add(id(original))
        get_logger(logger).error("%s", error, exc_info=original)


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
    except RequestFailure as failure:
        _, response = _failure_result(failure, manager, logger, error_formatter, debug)
        return False, response["errors"]

    def run(event_root: Any) -> Any:
        return _execute(
            schema, prepared, event_root, context_value, manager, middleware,
            middleware_manager_class, execution_context_class, kwargs,
        )

    def finish(result: ExecutionResult) -> dict[str, Any]:
        return _execution_result(result, manager, logger, error_formatter, debug)[1]

    if prepared.operation_type in (OperationType.QUERY, OperationType.MUTATION):
        return True, _single_result(run, root, finish)
    source = create_event_stream(
        schema, prepared.document, root, context_value, prepared.variables,
        prepared.operation_name, execution_context_class,
        manager.as_middleware_manager(middleware, middleware_manager_class),
    )
    if inspect.isawaitable(source):
        source = await source
    if isinstance(source, ExecutionResult):
        response = finish(source)
        return False, response.get("errors", [])
    return True, _event_results(source, run, finish, logger, error_formatter, debug)


async def _single_result(
    run: Callable[[Any], Any], root: Any, finish: Callable[[ExecutionResult], dict[str, Any]]
) -> AsyncGenerator[dict[str, Any], None]:
    result = run(root)
    if inspect.isawaitable(result):
        result = await result
    yield finish(result)


async def _event_results(
    source: AsyncIterable[Any],
    run: Callable[[Any], Any],
    finish: Callable[[ExecutionResult], dict[str, Any]],
    logger: LoggerOption,
    error_formatter: ErrorFormatter,
    debug: bool,
) -> AsyncGenerator[dict[str, Any], None]:
    iterator = aiter(source)
    try:
        while True:
            try:
                event = await anext(iterator)
            except StopAsyncIteration:
                return
            except Exception as error:  # the source stream failed: report it, then end
                graphql_error = error if isinstance(error, GraphQLError) else GraphQLError(
                    str(error), original_error=error
                )
                log_errors([graphql_error], logger)
                yield {"errors": [error_formatter(graphql_error, debug)]}
                return
            result = run(event)
            if inspect.isawaitable(result):
                result = await result
            yield finish(result)
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


def _bad_request(message: str) -> None:
    raise RequestFailure("request", [GraphQLError(message)])


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
