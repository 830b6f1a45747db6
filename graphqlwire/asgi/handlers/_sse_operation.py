"""One GraphQL operation over SSE, in either mode: started, streamed as events, finished.

``SSESubscriptionHandler`` (``sse.py``) and the single connection mode (``_sse_single.py``)
both run operations the same way, so the steps live here once: read the one GraphQL request
of the body (``request_data``), start the operation as the WebSocket transports do
(``start_operation``: hooks, context, parse, execute), turn its results into ``next`` and
``complete`` events for a ``Channel`` (``produce``), and close it however it ended, calling
``on_complete`` exactly once (``finish_operation``). Failures the client was not meant to
see are logged and reported as ``INTERNAL_ERROR``, so no client is left waiting.

The functions take the handler (``SSEHooks``) rather than its hooks, so they read
``on_operation``/``on_complete`` when they call them, as the methods once did.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

from graphql import GraphQLError

from ...execution import get_logger, incremental_delivery, subsequent_payloads
from ...http import HttpError, Request
from ...http._errors import HttpBadRequestError
from ...protocols.sse import complete_event, encode_payload, next_event
from ._execute import Results, call_hook, execute_operation, parse_operation
from ._operation import OnComplete, OnOperation, Operation
from ._sse_stream import Channel

if TYPE_CHECKING:
    from .base import GraphQLHttpHandlerBase

#: ``Operation.extra`` key: the logger of the HTTP handler the operation runs for.
LOGGER = "logger"
#: What the client is told when an operation fails in a way it was not formatted for.
INTERNAL_ERROR = {"message": "Internal server error"}


class SSEHooks(Protocol):
    """What these steps need of the SSE handler: the hooks it calls around an operation."""

    on_operation: OnOperation | None
    on_complete: OnComplete | None


async def request_data(request: Request, http_handler: Any) -> dict[str, Any]:
    """The request's one GraphQL request (a batch is refused: an event stream has one)."""
    data = await http_handler.extract_data_from_request(request)
    if not isinstance(data, dict):
        raise HttpBadRequestError(
            "The GraphQL request over SSE must be one JSON object (batches are not streamed)."
        )
    return data


def operation_name(data: dict[str, Any]) -> str | None:
    """The request's ``operationName``, when it is a string (for the ``Operation``)."""
    name = data.get("operationName")
    return name if isinstance(name, str) else None


async def start_operation(
    hooks: SSEHooks,
    request: Request,
    data: dict[str, Any],
    http_handler: GraphQLHttpHandlerBase,
    operation: Operation,
) -> Results | list[dict[str, Any]]:
    """``prepare_operation``'s work: ``on_operation``, the context, parse and execute.

    Returns the results generator, or the errors the operation failed with before
    execution (anything but an ``HttpError`` raised on the way is logged and formatted).
    """
    operation.extra[LOGGER] = http_handler.logger
    try:
        await call_hook(hooks.on_operation, request, operation)
        context_value = await http_handler.get_context_for_request(request, data)
        document, errors = parse_operation(http_handler, context_value, data)
        if document is not None:
            with incremental_delivery():  # (operation_events sends every payload)
                results = await execute_operation(
                    http_handler, http_handler, request, data, context_value, document
                )
            if not isinstance(results, list):
                operation.generator = results
                return results
            errors = results
    except HttpError:
        raise
    except Exception as error:
        errors = [_format_bug(http_handler, error, "Starting an SSE operation failed")]
    return errors


async def error_results(errors: list[dict[str, Any]]) -> Results:
    """Errors found before execution as a results generator: one result carrying them."""
    yield {"errors": errors}


async def produce(
    hooks: SSEHooks,
    request: Request,
    results: Results,
    operation: Operation,
    channel: Channel,
    operation_id: str | None,
) -> None:
    """An operation's task: its events into `channel`, then its generator closed.

    `operation_id` is None in distinct connections mode, where the operation's end is
    the stream's end.
    """
    try:
        async for chunk in operation_events(results, operation_id, operation):
            await channel.put(chunk)
    finally:
        channel.forget(operation.id)
        if operation_id is None:
            channel.end()
        await finish_operation(hooks, request, results, operation)


async def operation_events(
    results: Results, operation_id: str | None, operation: Operation
) -> AsyncIterator[bytes]:
    """The encoded events of one operation: ``next`` per result, then ``complete``.

    An incremental (``@defer``/``@stream``) result is followed by a ``next`` per later
    payload. An exception from the generator (or a result that cannot be encoded) is
    logged and reported as a last ``next`` with an error, so the client is never left
    waiting.
    """
    try:
        async for result in results:
            yield next_event(encode_payload(result), operation_id)
            later = subsequent_payloads(result)
            if later is not None:
                try:
                    async for payload in later:
                        yield next_event(encode_payload(payload), operation_id)
                finally:
                    await later.aclose()  # (the client left: stop the deferred work)
    except Exception:
        _log_bug(operation, "An SSE operation failed")
        yield next_event(encode_payload({"errors": [INTERNAL_ERROR]}), operation_id)
    yield complete_event(operation_id)


async def finish_operation(
    hooks: SSEHooks, request: Request, results: Results, operation: Operation
) -> None:
    """Close the operation's generator (its ``finally`` runs), then ``on_complete`` once."""
    try:
        await results.aclose()
    except Exception:
        _log_bug(operation, "Closing an SSE operation's generator failed")
    finally:
        await notify_complete(hooks, request, operation)


async def notify_complete(hooks: SSEHooks, request: Request, operation: Operation) -> None:
    """Call ``on_complete``; an exception from it is logged, never raised."""
    try:
        await call_hook(hooks.on_complete, request, operation)
    except Exception:
        _log_bug(operation, "on_complete raised an exception")


def _format_bug(
    http_handler: GraphQLHttpHandlerBase, error: Exception, message: str
) -> dict[str, Any]:
    """Log `error` and format it as the HTTP handler formats errors (a fallback if that fails)."""
    get_logger(http_handler.logger).exception(message)
    if not isinstance(error, GraphQLError):
        error = GraphQLError(str(error) or type(error).__name__, original_error=error)
    try:
        return http_handler.error_formatter(error, http_handler.debug)
    except Exception:
        get_logger(http_handler.logger).exception("The error formatter failed")
        return dict(INTERNAL_ERROR)


def _log_bug(operation: Operation, message: str) -> None:
    """Log the exception being handled on the operation's logger, with its traceback."""
    get_logger(operation.extra.get(LOGGER)).exception(message)
