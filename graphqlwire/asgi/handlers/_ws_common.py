"""What both GraphQL WebSocket handlers do the same way: hooks, execution, cleanup.

Private to ``graphql_ws.py`` and ``graphql_transport_ws.py``; the protocol-specific steps
(and the documented methods users override) stay in those modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationType

from ...execution import (
    RequestFailure,
    check_request_data,
    get_logger,
    get_operation_type,
    parse_query,
    run_graphql,
    run_subscription,
)
from ...http import WebSocketConnectionError, WebSocketDisconnect, WebSocketState
from ...protocols import LocalProtocolError
from ._operation import Operation
from .base import GraphQLWebsocketHandler

#: ``Operation.extra`` key: the task that runs the operation.
TASK = "task"
#: ``Operation.extra`` key: set once the generator was closed and ``on_complete`` ran.
FINISHED = "finished"
#: What the client is told when even formatting or sending an operation's error failed.
INTERNAL_ERROR = {"message": "Internal server error"}

Results = AsyncGenerator[dict[str, Any], None]


async def call_hook(hook: Callable[..., Any] | None, *args: Any) -> Any:
    """Call a user hook, awaiting it when it is async; None when there is no hook."""
    if hook is None:
        return None
    result = hook(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


async def call_hook_logged(
    handler: GraphQLWebsocketHandler, hook: Callable[..., Any] | None, *args: Any
) -> None:
    """Call a hook whose failure must not stop the cleanup around it: log it instead."""
    try:
        await call_hook(hook, *args)
    except Exception:
        log_bug(handler, "A WebSocket hook raised an exception")


def log_bug(handler: GraphQLWebsocketHandler, message: str) -> None:
    """Log the exception being handled once, on the handler's logger, with its traceback."""
    get_logger(handler.logger).exception(message)


async def run_on_connect(
    handler: GraphQLWebsocketHandler, websocket: Any, payload: Any
) -> dict[str, Any] | None:
    """Run ``on_connect``: None when the connection is accepted, else the rejection payload.

    ``on_connect`` rejects by returning ``False`` or raising; a ``WebSocketConnectionError``
    carries the payload the client is told, any other exception is a bug: it is logged
    and the client only learns that it was refused.
    """
    try:
        accepted = await call_hook(handler.on_connect, websocket, payload)
    except WebSocketConnectionError as error:
        return error.payload or {"message": "Forbidden"}
    except Exception:
        log_bug(handler, "on_connect raised an exception; the connection is refused")
        return {"message": "Forbidden"}
    return {"message": "Forbidden"} if accepted is False else None


def format_exception(handler: GraphQLWebsocketHandler, error: Exception) -> dict[str, Any]:
    """An exception as a GraphQL error dict, through the handler's ``error_formatter``."""
    if not isinstance(error, GraphQLError):
        error = GraphQLError(str(error) or type(error).__name__, original_error=error)
    return handler.error_formatter(error, handler.debug)


def parse_operation(
    handler: GraphQLWebsocketHandler, context_value: Any, data: Any
) -> tuple[DocumentNode | None, list[dict[str, Any]]]:
    """Check and parse an operation's data: ``(document, [])`` or ``(None, errors)``."""
    try:
        check_request_data(data)
        return parse_query(context_value, data, handler.query_parser), []
    except RequestFailure as failure:
        return None, [handler.error_formatter(error, handler.debug) for error in failure.errors]
    except GraphQLError as error:
        return None, [handler.error_formatter(error, handler.debug)]


async def execute_operation(
    handler: GraphQLWebsocketHandler,
    websocket: Any,
    data: dict[str, Any],
    context_value: Any,
    query_document: DocumentNode,
) -> list[dict[str, Any]] | Results:
    """Run one operation: its results generator, or the list of errors it failed with.

    Subscriptions go through ``subscribe()``. Queries and mutations go through the HTTP
    handler's ``execute_graphql_query`` when the app has one (so both transports share
    extensions and middleware), else through ``graphql()``; their result is yielded by a
    one-item generator. A result without ``data`` (the request failed before execution)
    is a failure.
    """
    if handler.schema is None:
        raise RuntimeError("The handler is not configured: call configure(schema) first")
    operation_type = get_operation_type(query_document, data.get("operationName"))
    if operation_type is not OperationType.SUBSCRIPTION and handler.http_handler is not None:
        _, result = await handler.http_handler.execute_graphql_query(
            websocket, data, context_value=context_value, query_document=query_document
        )
        return _results_or_errors(result)
    options = handler.execution_options
    if operation_type is OperationType.SUBSCRIPTION:
        _, results = await run_subscription(
            handler.schema, data, options, context_value=context_value,
            query_document=query_document,
        )  # fmt: skip
        return results
    _, result = await run_graphql(
        handler.schema, data, options, context_value=context_value,
        query_document=query_document,
    )  # fmt: skip
    return _results_or_errors(result)


def _results_or_errors(result: dict[str, Any]) -> list[dict[str, Any]] | Results:
    if "data" not in result:
        return list(result.get("errors") or [{"message": "The operation failed."}])
    return _one_result(result)


async def _one_result(result: dict[str, Any]) -> Results:
    yield result


async def launch_operation(
    handler: GraphQLWebsocketHandler,
    websocket: Any,
    operation: Operation,
    work: Callable[[], Awaitable[None]],
    send_errors: Callable[[list[dict[str, Any]]], Awaitable[None]],
    end: Callable[[], Awaitable[None]],
) -> None:
    """Run ``on_operation``, then ``work`` in the operation's own task.

    The connection keeps reading messages (a stop for this operation, pings, other
    operations) while the operation executes or streams. ``on_operation`` is awaited first,
    before the next message is read, so it always runs before the operation can be stopped.
    An exception from either is logged and reported to the client with ``send_errors``
    (formatted by the handler's ``error_formatter``); ``end`` always runs afterwards.
    """
    try:
        await call_hook(handler.on_operation, websocket, operation)
    except Exception as error:
        log_bug(handler, "on_operation raised an exception")
        try:
            await report_error(handler, error, send_errors)
        finally:
            await end()
        return
    operation.extra[TASK] = asyncio.create_task(
        _guarded(handler, websocket, operation, work, send_errors, end),
        name=f"graphqlwire operation {operation.id!r}",
    )


async def _guarded(
    handler: GraphQLWebsocketHandler,
    websocket: Any,
    operation: Operation,
    work: Callable[[], Awaitable[None]],
    send_errors: Callable[[list[dict[str, Any]]], Awaitable[None]],
    end: Callable[[], Awaitable[None]],
) -> None:
    try:
        await work()
    except (WebSocketDisconnect, LocalProtocolError):
        pass  # the client left, or already ended the operation: nothing more to send
    except Exception as error:
        if websocket.application_state is not WebSocketState.CONNECTED:
            return  # the connection closed under the operation: no one to tell (end runs)
        log_bug(handler, f"Operation {operation.id!r} failed")
        await report_error(handler, error, send_errors)
    finally:
        await end()


async def report_error(
    handler: GraphQLWebsocketHandler,
    error: Exception,
    send_errors: Callable[[list[dict[str, Any]]], Awaitable[None]],
) -> None:
    """Tell the client about ``error``; never raises (it runs where nothing could catch it).

    When the ``error_formatter``, the encoding or the send itself fails, that failure is
    logged once and the client gets ``INTERNAL_ERROR`` instead, so the operation still ends
    for it. A client that is gone (or an operation it already ended) is told nothing.
    """
    try:
        await send_errors([format_exception(handler, error)])
        return
    except (WebSocketDisconnect, LocalProtocolError):
        return
    except Exception:
        log_bug(handler, "Formatting or sending an operation's error failed")
    # Logged above; should this fail too, the operation's end still completes it.
    with contextlib.suppress(Exception):
        await send_errors([dict(INTERNAL_ERROR)])


async def close_if_open(websocket: Any, code: int, reason: str | None = None) -> None:
    """Close the connection, unless it is closed already (a timer and the client can race)."""
    if websocket.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.close(code, reason)


async def refuse_subprotocol(websocket: Any, code: int) -> None:
    """Complete the handshake without a subprotocol, then close with ``code``.

    RFC 6455 section 4.2.2: the server may only select a subprotocol the client offered, so
    a client without the handler's one is accepted with none and told why at once.
    """
    await websocket.accept()
    await websocket.close(code, "Subprotocol not acceptable")


async def finish_operation(
    handler: GraphQLWebsocketHandler,
    operation: Operation,
    notify_complete: Callable[[], Awaitable[None]],
) -> None:
    """End an operation, whoever ends it: cancel its task, close its generator, notify once.

    The caller may be the operation's own task (it ended by itself) or another one (the
    client stopped it, the connection closed). The generator is closed in a ``finally`` so
    that neither a failed send nor a cancelled task can skip it, and ``notify_complete``
    runs exactly once however many paths reach here.
    """
    task = operation.extra.get(TASK)
    if task is not None and task is not asyncio.current_task() and not task.done():
        task.cancel()
        await asyncio.wait({task})
    if operation.extra.get(FINISHED):
        return
    operation.extra[FINISHED] = True
    try:
        if operation.generator is not None:
            await operation.generator.aclose()
    except Exception:
        log_bug(handler, f"Closing the generator of operation {operation.id!r} failed")
    finally:
        await notify_complete()


async def wait_cancelled(task: asyncio.Task[Any] | None) -> None:
    """Cancel a helper task (timer, keep-alive) and wait until it is gone."""
    if task is not None:
        task.cancel()
        await asyncio.wait({task})
