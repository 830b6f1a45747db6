"""The request pipeline: ``graphql()``, ``graphql_sync()`` and ``subscribe()``.

Results are ``(success, response)``. ``success`` is True when ``response["data"]`` is not
null. A request that fails before execution starts gets a response without a ``data`` entry
(as the GraphQL spec asks) and ``failure_of(response)`` says at which stage it failed.

The public functions keep Ariadne's keyword signatures and build an ``ExecutionOptions``;
transports hold one already and call ``run_graphql``, ``run_graphql_sync`` and
``run_subscription`` with it and the request's own values.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    MiddlewareManager,
    OperationType,
)

from . import _speedups as speedups
from ._callables import ensure_sync
from ._compat import SYNC_EXECUTION_OPTIONS, create_event_stream
from ._errors import format_error
from ._extensions import ExtensionList, ExtensionManager, MiddlewareList
from ._failure import RequestFailure
from ._incremental import SYNC_REASON, incremental_operation
from ._options import ExecutionOptions
from ._payloads import expand_payloads, payloads_within, response_of
from ._prepare import OperationPolicy, no_subscriptions, prepare, queries_only
from ._prepare import resolve_root_value as resolve_root_value
from ._proxy_root import BaseProxyRootValue, unwrap_root_value, updated_result
from ._results import failure_result
from ._run import execute_prepared, executor_class, executor_keywords
from ._streams import EventResults
from ._timeout import within
from ._types import (
    ErrorFormatter,
    GraphQLResult,
    LoggerOption,
    QueryParser,
    QueryValidator,
    SubscriptionResult,
    ValidationRules,
)

Steps = Generator[tuple[str, Awaitable[Any]], Any, GraphQLResult]


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

    `context_value`, `query_document` (an already parsed document), `require_query`
    (refuse anything but queries), `middleware` and `extensions` belong to this request;
    the others are the fields of `ExecutionOptions`, and other keyword arguments go to
    graphql-core's `execute`.
    """
    options = ExecutionOptions(
        root_value, query_parser, query_validator, validation_rules, debug, introspection,
        logger, error_formatter, middleware_manager_class, execution_context_class, kwargs,
    )  # fmt: skip
    return await run_graphql(
        schema, data, options, context_value=context_value, query_document=query_document,
        policy=queries_only if require_query else no_subscriptions,
        extensions=extensions, middleware=middleware,
    )  # fmt: skip


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
    options = ExecutionOptions(
        root_value, query_parser, query_validator, validation_rules, debug, introspection,
        logger, error_formatter, middleware_manager_class, execution_context_class, kwargs,
    )  # fmt: skip
    return run_graphql_sync(
        schema, data, options, context_value=context_value, query_document=query_document,
        policy=queries_only if require_query else no_subscriptions,
        extensions=extensions, middleware=middleware,
    )  # fmt: skip


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

    As Ariadne's ``subscribe()``: the results are graphql-core ``ExecutionResult`` objects
    (``data``, ``errors`` as ``GraphQLError`` objects, ``extensions``), the errors of a
    refused subscription are formatted dicts. Takes ``graphql()``'s options; see
    ``run_subscription``.
    """
    options = ExecutionOptions(
        root_value, query_parser, query_validator, validation_rules, debug, introspection,
        logger, error_formatter, middleware_manager_class, execution_context_class, kwargs,
    )  # fmt: skip
    return await run_subscription(
        schema, data, options, context_value=context_value, query_document=query_document,
        extensions=extensions, middleware=middleware, execution_results=True,
    )  # fmt: skip


async def run_graphql(
    schema: GraphQLSchema,
    data: Any,
    options: ExecutionOptions,
    *,
    context_value: Any = None,
    query_document: DocumentNode | None = None,
    policy: OperationPolicy | None = no_subscriptions,
    extensions: ExtensionList = None,
    middleware: MiddlewareList = None,
    incremental: bool | None = None,
) -> GraphQLResult:
    """``graphql()`` with configured `options`: awaits what the steps hand over, within
    ``options.execution_timeout`` if one is set.

    `incremental`: whether the caller delivers every payload of a ``@defer``/``@stream``
    result (``subsequent_payloads(response)``); False refuses such an operation (stage
    ``"incremental"``), None leaves it to the enclosing ``incremental_delivery()``.
    """
    steps = _steps(
        schema, data, options, context_value, query_document, policy, extensions, middleware,
        options.execute_kwargs, incremental,
    )  # fmt: skip
    timeout = options.execution_timeout
    deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
    try:
        step = next(steps)
        while True:
            try:
                if deadline is None:
                    value = await step[1]
                else:
                    value = await within(deadline, step[1], timeout)
            except Exception as error:  # let the pipeline's finally blocks run
                step = steps.throw(error)
            else:
                step = steps.send(value)
    except StopIteration as done:
        if deadline is not None:
            payloads_within(done.value[1], deadline)
        return done.value  # type: ignore[no-any-return]
    finally:
        steps.close()  # cancelled mid-await: still run request_finished


def run_graphql_sync(
    schema: GraphQLSchema,
    data: Any,
    options: ExecutionOptions,
    *,
    context_value: Any = None,
    query_document: DocumentNode | None = None,
    policy: OperationPolicy | None = no_subscriptions,
    extensions: ExtensionList = None,
    middleware: MiddlewareList = None,
) -> GraphQLResult:
    """``graphql_sync()`` with configured `options`: refuses what would need awaiting, and
    ``@defer``/``@stream`` (stage ``"incremental"``)."""
    steps = _steps(
        schema, data, options, context_value, query_document, policy, extensions, middleware,
        {**SYNC_EXECUTION_OPTIONS, **options.execute_kwargs}, False, SYNC_REASON,
    )  # fmt: skip
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


def _steps(
    schema: GraphQLSchema,
    data: Any,
    options: ExecutionOptions,
    context_value: Any,
    query_document: DocumentNode | None,
    policy: OperationPolicy | None,
    extensions: ExtensionList,
    middleware: MiddlewareList,
    execute_kwargs: dict[str, Any] | Any,
    incremental: bool | None,
    single_reason: str | None = None,
) -> Steps:
    """One request from data to result, written once for the async and the sync driver.

    It yields ``(what, awaitable)`` wherever user code returned an awaitable and gets the
    awaited value back: the async driver awaits it, the sync driver refuses it.
    """
    manager = ExtensionManager(extensions, context_value)
    proxy = None
    with manager.request():
        try:
            prepared = prepare(schema, data, options, context_value, query_document, policy)
            directive = incremental_operation(schema, prepared, incremental, single_reason)
            root = resolve_root_value(options.root_value, context_value, prepared)
            if speedups.is_awaitable(root):
                root = yield "root_value", root
            if root is not None and isinstance(root, BaseProxyRootValue):
                proxy, root = root, root.root_value
            result = execute_prepared(
                schema, prepared, root, context_value, options, manager, middleware,
                execute_kwargs, directive,
            )  # fmt: skip
            if speedups.is_awaitable(result):
                result = yield "a resolver", result
        except (RequestFailure, GraphQLError) as error:
            # a GraphQLError raised by a hook (root_value, rules factory, validator) or by
            # graphql-core itself is the client's answer, not a server error
            return updated_result(proxy, failure_result(_as_failure(error), manager, options))
        response = response_of(result, manager, options)
        return response if proxy is None else proxy.update_result(response)


async def run_subscription(
    schema: GraphQLSchema,
    data: Any,
    options: ExecutionOptions,
    *,
    context_value: Any = None,
    query_document: DocumentNode | None = None,
    extensions: ExtensionList = None,
    middleware: MiddlewareList = None,
    execution_results: bool = False,
) -> SubscriptionResult:
    """``subscribe()`` with configured `options`.

    The generator executes the selection once per source event (graphql-core's
    ``subscribe()`` spawns and awaits a task per event; mapping in place is cheaper).
    Closing it closes the source stream, so the resolver's ``finally`` runs. A query or
    mutation sent here yields exactly one result.

    It yields JSON-ready result dicts, which the transports send as they are; with
    `execution_results` (the public ``subscribe()``, as Ariadne's) graphql-core
    ``ExecutionResult`` objects instead: the dict's ``data`` and ``extensions``, and the
    ``GraphQLError`` objects themselves as ``errors``. The payloads of a query with
    ``@defer`` or ``@stream`` stay dicts: no ``ExecutionResult`` holds them.
    """
    manager = ExtensionManager(extensions, context_value)
    try:
        prepared = prepare(schema, data, options, context_value, query_document, None)
        root = resolve_root_value(options.root_value, context_value, prepared)
        if speedups.is_awaitable(root):
            root = await root
        root, proxy = unwrap_root_value(root)
        directive = incremental_operation(schema, prepared, True)  # (not a subscription's)
    except (RequestFailure, GraphQLError) as error:
        _, response = failure_result(_as_failure(error), manager, options)
        return False, response["errors"]
    execute_kwargs = options.execute_kwargs

    def run(event_root: Any) -> Any:
        return execute_prepared(
            schema, prepared, event_root, context_value, options, manager, middleware,
            execute_kwargs, directive,
        )  # fmt: skip

    def respond(result: ExecutionResult) -> dict[str, Any]:
        return updated_result(proxy, response_of(result, manager, options))[1]

    def finish(result: ExecutionResult) -> Any:
        response = respond(result)
        if execution_results and directive is None:
            errors = getattr(result, "errors", None)
            return ExecutionResult(response.get("data"), errors, response.get("extensions"))
        return response

    if prepared.operation_type in (OperationType.QUERY, OperationType.MUTATION):
        results = _single_result(run, root, finish)
        return True, results if directive is None else expand_payloads(results)
    source, execute_event = create_event_stream(
        schema, prepared.document, root, context_value, prepared.variables,
        prepared.operation_name, executor_class(options),
        manager.as_middleware_manager(middleware, options.middleware_manager_class),
        executor_keywords(execute_kwargs),
    )  # fmt: skip
    if speedups.is_awaitable(source):
        source = await source
    if isinstance(source, ExecutionResult):
        response = respond(source)
        return False, response.get("errors", [])

    def source_failed(error: Exception) -> Any:
        if not isinstance(error, GraphQLError):
            error = GraphQLError(str(error), original_error=error)
        failure = RequestFailure("execution", [error])
        response = updated_result(proxy, failure_result(failure, manager, options))[1]
        if execution_results:
            return ExecutionResult(response.get("data"), [error], response.get("extensions"))
        return response

    return True, EventResults(source, execute_event or run, finish, source_failed)


def _as_failure(error: RequestFailure | GraphQLError) -> RequestFailure:
    return error if isinstance(error, RequestFailure) else RequestFailure("execution", [error])


async def _single_result(
    run: Callable[[Any], Any], root: Any, finish: Callable[[ExecutionResult], dict[str, Any]]
) -> AsyncGenerator[dict[str, Any], None]:
    result = run(root)
    if speedups.is_awaitable(result):
        result = await result
    yield finish(result)
