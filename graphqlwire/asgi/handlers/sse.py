"""GraphQL over Server-Sent Events (the graphql-sse protocol), through the HTTP handler.

``SSESubscriptionHandler`` is one of ``GraphQLHTTPHandler``'s ``subscription_handlers``
(Ariadne's newest shape; graphqlwire's HTTP handler has one by default), so SSE is served on
the same endpoint as plain HTTP and both WebSocket subprotocols. It speaks both modes of
graphql-sse's PROTOCOL.md:

- distinct connections: a ``GET`` or ``POST`` preferring ``Accept: text/event-stream`` is
  answered with a 200 event stream: a ``next`` event per result, then ``complete``.
  Errors found before execution (parse, validation, limits, a persisted query not found)
  arrive as a ``next`` event on that stream, as the protocol requires; a request that is not
  GraphQL at all (bad JSON, wrong Content-Type, too large) gets its usual 4xx.
- single connection: ``PUT`` reserves a stream (201, the token as text/plain); the event
  stream opens with the token (``X-GraphQL-Event-Stream-Token`` or ``?token=``);
  operations posted with the token and ``extensions.operationId`` get 202 and stream
  ``{id, payload}`` events on it; ``DELETE ?operationId=`` stops one. The rules (404, 409,
  429, expiry, the bound on reservations) are sans-IO, in ``graphqlwire.protocols.sse``.

Operations run exactly as on the WebSocket transports (``_execute``): the HTTP handler's
context, extensions, middleware, limits, persisted queries and error formatting apply, and
``on_operation``/``on_complete`` are called with the ``Request`` and an ``Operation``. When
the client goes away (``http.disconnect``), the task streaming the operation is cancelled
wherever it waits, so the subscription's generator is closed and its ``finally`` runs.

Each step is a method, so a subclass can replace one: ``supports``, ``handle``,
``handle_sse_request`` (distinct), ``handle_reservation``, ``handle_event_stream``,
``handle_stream_operation``, ``handle_stop_operation``, ``prepare_operation`` and
``create_event_stream_response``. This module is the handler's routing and its public
steps; the work behind them is in ``_sse_single`` (single connection mode's reservations
and streams) and ``_sse_operation`` (one operation, start to end), which call the steps
back through the handler, so an override is still what runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...http import HttpError, Request, Response
from ...http._mediatypes import negotiate
from ...http._rules import GRAPHQL_RESPONSE_JSON, JSON
from ...http._status import error_response
from ...protocols.sse import TOKEN_HEADER, Reservations, StreamRefusal
from . import _sse_single
from ._execute import Results
from ._operation import OnComplete, OnOperation, Operation
from ._sse_operation import INTERNAL_ERROR as INTERNAL_ERROR
from ._sse_operation import LOGGER as LOGGER
from ._sse_operation import error_results, operation_name, produce, request_data, start_operation
from ._sse_stream import EVENT_STREAM, Channel, ServerSentEventResponse

if TYPE_CHECKING:
    from .base import GraphQLHttpHandlerBase

#: Event stream preferred when weights tie: a client naming it wants a stream.
_STREAM_FIRST = (EVENT_STREAM, JSON, GRAPHQL_RESPONSE_JSON)
_METHODS = ("GET", "POST", "PUT", "DELETE")
_TOKEN_HEADER = TOKEN_HEADER.encode()


class SSESubscriptionHandler:
    """Serves GraphQL over SSE for an HTTP handler: both graphql-sse modes.

    One instance is shared by every request of the handler; it keeps the single connection
    mode's reservations (in this process: with several worker processes, single connection
    mode needs the client's requests to reach one process, distinct connections do not).

    # Optional arguments

    `ping_interval`: seconds between keep-alive comments on an event stream (12, as
    graphql-sse's server; None sends only the first one).

    `single_connection`: serve the single connection mode (``PUT``, tokens, ``DELETE``).

    `reservation_ttl`: seconds a reservation waits for its event stream to connect.

    `max_reservations`: most reservations held at once (``PUT`` gets 503 past it).

    `max_operations`: most operations running at once on one single-connection stream.

    `max_queued_events`: most events waiting for a stream (a slow client, or a
    single-connection stream not connected yet): past it, the operations feeding it wait
    before producing more, so memory stays bounded.

    `default_response_headers`: extra headers for every event stream response.

    `on_operation`: called with `(request, operation)` when an operation starts; may be async.

    `on_complete`: called with `(request, operation)` once when it ends; may be async.
    """

    def __init__(
        self,
        *,
        ping_interval: float | None = 12.0,
        single_connection: bool = True,
        reservation_ttl: float = 30.0,
        max_reservations: int = 1000,
        max_operations: int = 100,
        max_queued_events: int = 1000,
        default_response_headers: Mapping[str, str] | None = None,
        on_operation: OnOperation | None = None,
        on_complete: OnComplete | None = None,
    ) -> None:
        if max_queued_events < 1:
            raise ValueError("max_queued_events must be at least 1")
        self.ping_interval = ping_interval
        self.single_connection = single_connection
        self.max_queued_events = max_queued_events
        self.default_response_headers = dict(default_response_headers or {})
        self.on_operation = on_operation
        self.on_complete = on_complete
        self.reservations = Reservations(
            ttl=reservation_ttl, limit=max_reservations, max_operations=max_operations
        )

    # --- routing ----------------------------------------------------------------------------

    def supports(self, request: Request) -> bool:
        """Whether `request` is GraphQL over SSE, decided from its head alone (cheap).

        True for a ``GET`` or ``POST`` whose ``Accept`` prefers ``text/event-stream``. In
        single connection mode also for a request naming a stream token, and for a
        ``PUT`` without a body whose ``Accept`` admits the token (``fetch`` and curl send
        ``*/*``): a ``PUT`` with a GraphQL body, like every other method, keeps its 405.
        """
        scope = request.scope
        method = scope["method"]
        if method not in _METHODS:
            return False
        accept: bytes | None = None
        token = has_body = False
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == _TOKEN_HEADER:
                token = True
            elif name == b"content-type":
                has_body = True
        if method == "PUT":
            return self.single_connection and accept is not None and not has_body
        if (
            accept is not None
            and b"text/event-stream" in accept
            and method != "DELETE"
            and self.wants_event_stream(request)
        ):
            return True
        if not self.single_connection:
            return False
        return token or (
            b"token=" in scope["query_string"] and self.stream_token(request) is not None
        )

    async def handle(self, request: Request, http_handler: GraphQLHttpHandlerBase) -> Response:
        """Answer a request `supports` took, by method, token and ``Accept``.

        # Required arguments

        `request`: the `Request`.

        `http_handler`: the HTTP handler whose configuration and steps run the operations.
        """
        method = request.method
        try:
            if self.single_connection:
                if method == "PUT":
                    return self.handle_reservation(request)
                if method == "DELETE":
                    return await self.handle_stop_operation(request)
                token = self.stream_token(request)
                if token is not None:
                    if self.wants_event_stream(request):
                        return self.handle_event_stream(request, token)
                    return await self.handle_stream_operation(request, token, http_handler)
            return await self.handle_sse_request(request, http_handler)
        except StreamRefusal as refusal:
            return error_response(HttpError(refusal.status, refusal.message))
        except HttpError as error:
            return error_response(error)

    @staticmethod
    def wants_event_stream(request: Request) -> bool:
        """Whether ``Accept`` prefers ``text/event-stream`` to the JSON types (ties: yes)."""
        accept = request.headers.get("accept")
        return (
            accept is not None
            and EVENT_STREAM in accept
            and negotiate(accept, _STREAM_FIRST) == EVENT_STREAM
        )

    @staticmethod
    def stream_token(request: Request) -> str | None:
        """The reservation token: the ``X-GraphQL-Event-Stream-Token`` header, else ``?token=``."""
        token = request.headers.get(TOKEN_HEADER)
        if token is None and request.scope["query_string"]:
            token = request.query_params.get("token")
        return token

    # --- distinct connections mode ------------------------------------------------------------

    async def handle_sse_request(
        self, request: Request, http_handler: GraphQLHttpHandlerBase
    ) -> Response:
        """Distinct connections mode: run the request's operation on its own event stream.

        The body (or the GET parameters) must be one GraphQL request: bad JSON, a wrong
        Content-Type or a batch get their 4xx. Everything after that is on the stream.

        # Required arguments

        `request`: the `Request`.

        `http_handler`: the HTTP handler.
        """
        data = await request_data(request, http_handler)
        operation = Operation(id="", name=operation_name(data))
        results = await self.prepare_operation(request, data, http_handler, operation)
        if isinstance(results, list):  # reported on the stream, as the protocol requires
            results = error_results(results)
        channel = Channel(self.max_queued_events)
        channel.start(operation.id, produce(self, request, results, operation, channel, None))
        return self.create_event_stream_response(channel.stream(), on_close=channel.stop_all)

    # --- single connection mode (the steps: ``_sse_single``) ----------------------------------

    def handle_reservation(self, request: Request) -> Response:
        """``PUT``: reserve an event stream; 201 with the token as ``text/plain``.

        # Required arguments

        `request`: the `Request`.
        """
        return _sse_single.reserve(self, request)

    def handle_event_stream(self, request: Request, token: str) -> Response:
        """Open the event stream of `token`'s reservation (404 unknown, 409 already open).

        When the client closes it, the reservation ends and its operations are stopped.

        # Required arguments

        `request`: the `Request`.

        `token`: the reservation's token.
        """
        return _sse_single.open_event_stream(self, token)

    async def handle_stream_operation(
        self, request: Request, token: str, http_handler: GraphQLHttpHandlerBase
    ) -> Response:
        """An operation for `token`'s stream: 202, its events go to the stream.

        404 for an unknown stream, 400 without ``extensions.operationId``, 409 for an id
        that is running, 429 past ``max_operations``. A request refused before execution
        (parse, validation, limits) is answered here with its JSON errors, as GraphQL over
        HTTP says, and nothing goes to the stream; 204 when the operation was stopped (or
        its stream closed) while it was being prepared.

        # Required arguments

        `request`: the `Request`.

        `token`: the reservation's token.

        `http_handler`: the HTTP handler.
        """
        return await _sse_single.stream_operation(self, request, token, http_handler)

    async def handle_stop_operation(self, request: Request) -> Response:
        """``DELETE ?operationId=``: stop an operation of the token's stream; 200.

        404 for an unknown stream, 400 without ``operationId``; an operation that already
        ended is no error (the client and the server may race).

        # Required arguments

        `request`: the `Request`.
        """
        return await _sse_single.stop_operation(self, request)

    # --- one operation (the steps: ``_sse_operation``) ----------------------------------------

    async def prepare_operation(
        self,
        request: Request,
        data: dict[str, Any],
        http_handler: GraphQLHttpHandlerBase,
        operation: Operation,
    ) -> Results | list[dict[str, Any]]:
        """Start `operation`: run ``on_operation``, build its context, parse and execute it.

        Returns its results generator, or the list of errors it failed with before
        execution (``on_operation`` raising counts: it is logged and reported).

        # Required arguments

        `request`: the `Request`.

        `data`: the GraphQL request data.

        `http_handler`: the HTTP handler (context, options, ``execute_graphql_query``).

        `operation`: the `Operation` the hooks are told about.
        """
        return await start_operation(self, request, data, http_handler, operation)

    def create_event_stream_response(
        self, events: AsyncIterator[bytes], on_close: Callable[[], Awaitable[None]] | None = None
    ) -> Response:
        """The ``ServerSentEventResponse`` writing `events`, with this handler's options.

        # Required arguments

        `events`: an async iterator of encoded events.

        # Optional arguments

        `on_close`: awaited once the stream is over, however it ended.
        """
        return ServerSentEventResponse(
            events,
            ping_interval=self.ping_interval,
            headers=self.default_response_headers,
            on_close=on_close,
        )


__all__ = ["SSESubscriptionHandler", "ServerSentEventResponse"]
