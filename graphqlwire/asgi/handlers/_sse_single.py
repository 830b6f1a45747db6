"""The I/O steps of graphql-sse's single connection mode, for ``SSESubscriptionHandler``.

A ``PUT`` reserves a stream (``reserve``), the event stream opens with its token
(``open_event_stream``), operations posted with the token run on it (``stream_operation``)
and ``DELETE`` stops one (``stop_operation``). The rules (404, 409, 429, expiry, bounds)
are sans-IO in ``graphqlwire.protocols.sse``; what lives here is the asyncio side: the
clock, the ``Channel`` each reservation carries, and the tasks running its operations.

Each function takes the handler (``SingleConnectionHost``) and calls its overridable steps
(``prepare_operation``, ``create_event_stream_response``, ``stream_token``) through it,
so a subclass replacing one still has it called.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from ...http import PlainTextResponse, Request, Response
from ...http._errors import HttpBadRequestError, HttpNotAcceptableError
from ...http._mediatypes import negotiate
from ...http._rules import GRAPHQL_RESPONSE_JSON, JSON, negotiate_media_type
from ...http._status import StatusMode, result_response
from ...protocols.sse import Reservation, Reservations
from ._execute import Results
from ._operation import Operation
from ._sse_operation import (
    SSEHooks,
    finish_operation,
    notify_complete,
    operation_name,
    produce,
    request_data,
)
from ._sse_stream import Channel

if TYPE_CHECKING:
    from .base import GraphQLHttpHandlerBase

_PLAIN = ("text/plain",)
#: ``SSESubscriptionHandler.prepare_operation``: ``(request, data, http_handler, operation)``.
PrepareOperation: TypeAlias = Callable[
    [Request, dict[str, Any], "GraphQLHttpHandlerBase", Operation],
    Awaitable[Results | list[dict[str, Any]]],
]


class SingleConnectionHost(SSEHooks, Protocol):
    """What the single connection steps need of ``SSESubscriptionHandler``."""

    reservations: Reservations
    max_queued_events: int

    def stream_token(self, request: Request) -> str | None: ...

    @property
    def prepare_operation(self) -> PrepareOperation: ...

    def create_event_stream_response(
        self, events: AsyncIterator[bytes], on_close: Callable[[], Awaitable[None]] | None = None
    ) -> Response: ...


def reserve(host: SingleConnectionHost, request: Request) -> Response:
    """``handle_reservation``'s work: a reservation with its ``Channel``; 201, the token."""
    if negotiate(request.headers.get("accept"), _PLAIN) is None:
        raise HttpNotAcceptableError("A reservation's token is text/plain: accept it.")
    expire_reservations(host)
    loop = asyncio.get_running_loop()
    reservation = host.reservations.reserve(loop.time())
    reservation.channel = Channel(host.max_queued_events)
    loop.call_later(host.reservations.ttl, expire_reservations, host)
    return PlainTextResponse(reservation.token, status_code=201)


def open_event_stream(host: SingleConnectionHost, token: str) -> Response:
    """``handle_event_stream``'s work: the stream of `token`'s reservation, which ends with it."""
    reservation = host.reservations.open(token, asyncio.get_running_loop().time())
    channel: Channel = reservation.channel

    async def close() -> None:
        host.reservations.close(reservation)
        await channel.stop_all()

    return host.create_event_stream_response(channel.stream(), on_close=close)


async def stream_operation(
    host: SingleConnectionHost,
    request: Request,
    token: str,
    http_handler: GraphQLHttpHandlerBase,
) -> Response:
    """``handle_stream_operation``'s work: register, prepare and start the operation.

    The operation is registered before anything is awaited (so one id cannot start twice),
    and unregistered on every path that does not leave it running on the stream.
    """
    loop = asyncio.get_running_loop()
    host.reservations.find(token, loop.time())
    if negotiate(request.headers.get("accept"), (JSON, GRAPHQL_RESPONSE_JSON)) is None:
        raise HttpNotAcceptableError(
            f"An operation for an event stream is answered with {JSON}: accept it."
        )
    data = await request_data(request, http_handler)
    extensions = data.get("extensions")
    operation_id = extensions.get("operationId") if isinstance(extensions, dict) else None
    reservation = host.reservations.start_operation(token, operation_id, loop.time())
    operation = Operation(id=str(operation_id), name=operation_name(data))
    try:
        results = await host.prepare_operation(request, data, http_handler, operation)
    except BaseException:
        host.reservations.end_operation(reservation, operation.id)
        raise
    if isinstance(results, list):
        host.reservations.end_operation(reservation, operation.id)
        await notify_complete(host, request, operation)
        return _errors_response(request, results, http_handler)
    if operation.id not in reservation.operations:  # stopped, or its stream ended, meanwhile
        await finish_operation(host, request, results, operation)
        return Response(status_code=204)
    channel: Channel = reservation.channel
    channel.start(operation.id, _run_on_stream(host, request, results, operation, reservation))
    return Response(status_code=202)


async def _run_on_stream(
    host: SingleConnectionHost,
    request: Request,
    results: Results,
    operation: Operation,
    reservation: Reservation,
) -> None:
    """The operation's task on its reservation's stream; it unregisters itself at the end."""
    try:
        await produce(host, request, results, operation, reservation.channel, operation.id)
    finally:
        host.reservations.end_operation(reservation, operation.id)


async def stop_operation(host: SingleConnectionHost, request: Request) -> Response:
    """``handle_stop_operation``'s work: stop the ``?operationId=`` operation; 200."""
    reservation = host.reservations.find(
        host.stream_token(request), asyncio.get_running_loop().time()
    )
    operation_id = request.query_params.get("operationId")
    if not operation_id:
        raise HttpBadRequestError("Operation ID is missing: send ?operationId=<id>.")
    if host.reservations.end_operation(reservation, operation_id):
        channel: Channel = reservation.channel
        await channel.stop(operation_id)
    return Response(status_code=200)


def expire_reservations(host: SingleConnectionHost) -> None:
    """Drop the reservations whose stream did not connect in time; cancel their operations."""
    now = asyncio.get_running_loop().time()
    for reservation in host.reservations.expire(now):
        channel: Channel = reservation.channel
        channel.cancel_all()


def _errors_response(
    request: Request, errors: list[dict[str, Any]], http_handler: GraphQLHttpHandlerBase
) -> Response:
    """The JSON answer to a single-connection operation refused before it could stream,
    as the HTTP handler words a failed request (its media type and status mode)."""
    media_type = negotiate_media_type(request.headers.get("accept"))
    status_mode: StatusMode = getattr(http_handler, "status_mode", "ariadne")
    return result_response(
        {"errors": errors}, False, media_type, method=request.method, status_mode=status_mode
    )
