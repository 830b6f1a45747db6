"""Parse and execute one streamed operation: what the WebSocket and SSE handlers share.

Both WebSocket subprotocols and GraphQL over SSE run an operation the same way: look up a
persisted document, check and parse the request data, then run a subscription through the
subscription pipeline, or a query or mutation through the HTTP handler's
``execute_graphql_query`` (so every transport shares extensions, middleware and the
operation policy). Either way the caller gets an async generator of result dicts to send,
one ``next`` per result, or the list of formatted errors the operation failed with.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Callable
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationType

from ...execution import (
    RequestFailure,
    check_request_data,
    get_operation_type,
    parse_query,
    resolve_persisted,
    run_graphql,
    run_subscription,
)
from .base import GraphQLHandler, GraphQLHttpHandlerBase

Results = AsyncGenerator[dict[str, Any], None]


async def call_hook(hook: Callable[..., Any] | None, *args: Any) -> Any:
    """Call a user hook, awaiting it when it is async; None when there is no hook."""
    if hook is None:
        return None
    result = hook(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


def parse_operation(
    handler: GraphQLHandler, context_value: Any, data: Any
) -> tuple[DocumentNode | None, list[dict[str, Any]]]:
    """Check and parse an operation's data: ``(document, [])`` or ``(None, errors)``.

    A persisted document's id or hash is looked up first (and again, cheaply, when the
    operation executes). Errors are formatted with `handler`'s ``error_formatter``.
    """
    options = handler.execution_options
    try:
        data = resolve_persisted(data, options)
        check_request_data(data)
        # (with the limit the execution parses with: the same cached document, validated once)
        return parse_query(context_value, data, handler.query_parser, options.limits.max_tokens), []
    except RequestFailure as failure:
        return None, [handler.error_formatter(error, handler.debug) for error in failure.errors]
    except GraphQLError as error:
        return None, [handler.error_formatter(error, handler.debug)]


async def execute_operation(
    handler: GraphQLHandler,
    http_handler: GraphQLHttpHandlerBase | None,
    request: Any,
    data: dict[str, Any],
    context_value: Any,
    query_document: DocumentNode,
) -> list[dict[str, Any]] | Results:
    """Run one operation: its results generator, or the list of errors it failed with.

    Subscriptions go through the subscription pipeline with `handler`'s options. Queries
    and mutations go through `http_handler`'s ``execute_graphql_query`` with `request` (a
    ``WebSocket`` or an HTTP ``Request``: its method picks the operation policy) when there
    is one, else through the query pipeline; their result is yielded by a one-item
    generator. A result without ``data`` (the request failed before execution) is a failure.
    """
    schema = handler.schema
    if schema is None:
        raise RuntimeError("The handler is not configured: call configure(schema) first")
    operation_type = get_operation_type(query_document, data.get("operationName"))
    if operation_type is not OperationType.SUBSCRIPTION and http_handler is not None:
        _, result = await http_handler.execute_graphql_query(
            request, data, context_value=context_value, query_document=query_document
        )
        return results_or_errors(result)
    options = handler.execution_options
    if operation_type is OperationType.SUBSCRIPTION:
        _, results = await run_subscription(
            schema, data, options, context_value=context_value, query_document=query_document
        )
        if handler.observer is not None:
            return handler.observer.subscription(options, request, data, results)
        return results
    _, result = await run_graphql(
        schema, data, options, context_value=context_value, query_document=query_document
    )
    return results_or_errors(result)


def results_or_errors(result: dict[str, Any]) -> list[dict[str, Any]] | Results:
    """A query's result as a one-item results generator; its errors when it has no data."""
    if "data" not in result:
        return list(result.get("errors") or [{"message": "The operation failed."}])
    return _one_result(result)


async def _one_result(result: dict[str, Any]) -> Results:
    yield result
