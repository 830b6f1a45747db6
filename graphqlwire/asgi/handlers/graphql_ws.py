"""``GraphQLWSHandler``: the legacy ``graphql-ws`` subprotocol (subscriptions-transport-ws).

https://github.com/apollographql/subscriptions-transport-ws/blob/master/PROTOCOL.md. The
message rules live in the sans-IO ``graphqlwire.protocols.graphql_ws``; this module pumps
frames through it and runs the operations, one task each.

Per-connection state: the operations dict that ``handle_websocket`` creates, and the
protocol object, kept in the connection scope under ``"graphqlwire.graphql_ws"``. The
``connection_init`` payload is stored in ``websocket.scope["connection_params"]`` so a
``context_value`` callable can read it per operation.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any, ClassVar

from graphql import DocumentNode

from ...http import WebSocket, WebSocketDisconnect, WebSocketState
from ...protocols.graphql_ws import (
    PROTOCOL,
    ConnectionInit,
    ConnectionTerminate,
    GraphQLWSConnection,
    Reply,
    Start,
    Stop,
)
from ...types import Message
from ._operation import Operation
from ._ws_base import TASK, OperationsHandler, Results, close_if_open, wait_cancelled

#: The close code of a connection that sent no ``connection_init`` in time (the one
#: graphql-transport-ws uses; the legacy protocol has none of its own).
INIT_TIMEOUT = 4408

#: Where the connection's protocol state lives in the scope.
SCOPE_KEY = "graphqlwire.graphql_ws"


def _protocol(websocket: WebSocket) -> GraphQLWSConnection:
    """The connection's protocol state, created on first use (once per connection)."""
    connection: GraphQLWSConnection | None = websocket.scope.get(SCOPE_KEY)
    if connection is None:
        connection = websocket.scope[SCOPE_KEY] = GraphQLWSConnection()
    return connection


class GraphQLWSHandler(OperationsHandler[dict[str, Operation]]):
    """Implementation of the (older) ``graphql-ws`` subprotocol.

    A handshake that does not offer `graphql-ws` is refused with an HTTP 400 naming it
    (403 where the server has no denial responses).

    Bad input keeps the connection open: unparsable frames get `connection_error`, unknown
    types get `error`. A rejected `connection_init` gets `connection_error`, then close 1011.
    A connection that sends no `connection_init` in time is closed with 4408, as
    graphql-transport-ws does (the legacy protocol names no code for it).
    """

    subprotocol = PROTOCOL

    # The protocol's message types, named as Ariadne's handler names them (for subclasses
    # and tests that build or match messages).
    GQL_CONNECTION_INIT: ClassVar[str] = "connection_init"  # client -> server
    GQL_CONNECTION_ACK: ClassVar[str] = "connection_ack"  # server -> client
    GQL_CONNECTION_ERROR: ClassVar[str] = "connection_error"  # server -> client
    GQL_CONNECTION_KEEP_ALIVE: ClassVar[str] = "ka"  # server -> client
    GQL_CONNECTION_TERMINATE: ClassVar[str] = "connection_terminate"  # client -> server
    GQL_START: ClassVar[str] = "start"  # client -> server
    GQL_DATA: ClassVar[str] = "data"  # server -> client
    GQL_ERROR: ClassVar[str] = "error"  # server -> client
    GQL_COMPLETE: ClassVar[str] = "complete"  # server -> client
    GQL_STOP: ClassVar[str] = "stop"  # client -> server

    def __init__(
        self,
        *args: Any,
        keepalive: float | None = None,
        connection_init_wait_timeout: timedelta = timedelta(seconds=60),
        **kwargs: Any,
    ) -> None:
        """Initialize the WebSocket handler.

        # Optional arguments

        `keepalive`: seconds between the `ka` messages sent to acknowledged connections
        (the first goes right after `connection_ack`). `None` or `0` sends none.

        `connection_init_wait_timeout`: a `timedelta`: how long a new connection may wait
        before sending `connection_init` (then close 4408). Defaults to 60 seconds.

        The other arguments are the hooks of `GraphQLWebsocketHandler`.
        """
        super().__init__(*args, **kwargs)
        self.keepalive = keepalive
        self.connection_init_wait_timeout = connection_init_wait_timeout

    def _new_connection(self, websocket: WebSocket) -> dict[str, Operation]:
        return {}

    async def _serve(self, websocket: WebSocket, operations: dict[str, Operation]) -> None:
        protocol = _protocol(websocket)
        keepalive: asyncio.Task[None] | None = None
        # The init timeout is a deadline on this loop's own reads (from the end of the
        # handshake, strawberry#2703), not a timer task: the 4408 close is sent by the task
        # that would handle the next frame, so no frame can arrive while it is in flight.
        # (A receive cancelled while it waits has taken no message: the server keeps it.)
        loop = asyncio.get_running_loop()
        init_deadline = loop.time() + self.connection_init_wait_timeout.total_seconds()
        try:
            while websocket.application_state is WebSocketState.CONNECTED:
                try:
                    if protocol.init_received:
                        message = await websocket.receive()
                    else:
                        timeout = max(init_deadline - loop.time(), 0.0)
                        message = await asyncio.wait_for(websocket.receive(), timeout)
                except asyncio.TimeoutError:
                    reason = "Connection initialisation timeout"
                    await close_if_open(websocket, INIT_TIMEOUT, reason)
                    return
                if message["type"] == "websocket.disconnect":
                    return
                await self._receive_frame(websocket, message, operations)
                if keepalive is None and self.keepalive and protocol.acknowledged:
                    keepalive = asyncio.create_task(self.keep_websocket_alive(websocket))
        finally:
            await wait_cancelled(keepalive)

    async def _close_after_bug(
        self, websocket: WebSocket, operations: dict[str, Operation]
    ) -> None:
        await close_if_open(websocket, 1011)

    async def _end_connection(self, websocket: WebSocket, operations: dict[str, Operation]) -> None:
        for operation in list(operations.values()):
            del operations[operation.id]
            await self.stop_websocket_operation(websocket, operation)

    async def _receive_frame(
        self, websocket: WebSocket, frame: Message, operations: dict[str, Operation]
    ) -> None:
        message = _protocol(websocket).decode_frame(frame.get("text"))
        if isinstance(message, Reply):
            await self._reply(websocket, message)
        else:
            await self.handle_websocket_message(websocket, message, operations)

    async def _reply(self, websocket: WebSocket, event: Any) -> None:
        if isinstance(event, Reply):
            for message in event.messages:
                await websocket.send_text(message)

    async def handle_websocket_message(
        self, websocket: WebSocket, message: dict[str, Any], operations: dict[str, Operation]
    ) -> None:
        """Handle one decoded message: check it, then call the method for its type.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `message`: the decoded message.

        `operations`: the connection's active operations by id.
        """
        event = _protocol(websocket).receive_message(message)
        if isinstance(event, ConnectionInit):
            await self.handle_websocket_connection_init_message(websocket, message)
        elif isinstance(event, Start):
            await self.process_single_message(websocket, event.payload, event.id, operations)
        elif isinstance(event, Stop):
            operation = operations.pop(event.id, None)
            if operation is not None:
                await self.stop_websocket_operation(websocket, operation)
                await websocket.send_text(_protocol(websocket).complete(event.id))
        elif isinstance(event, ConnectionTerminate):
            await self.handle_websocket_connection_terminate_message(websocket)
        else:
            await self._reply(websocket, event)

    async def process_single_message(
        self,
        websocket: WebSocket,
        data: Any,
        operation_id: str,
        operations: dict[str, Operation],
    ) -> None:
        """Handle `start`: register the operation, run `on_operation`, start its task.

        A `start` whose id is still running stops that operation first (no `complete` is
        sent for it: the id now names the new one), as the reference server does.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `data`: the `start` payload (`query`, `variables`, `operationName`...).

        `operation_id`: the id of the new operation.

        `operations`: the connection's active operations by id.
        """
        previous = operations.pop(operation_id, None)
        if previous is not None:
            await self.stop_websocket_operation(websocket, previous)
        name = data.get("operationName")
        operation = Operation(id=operation_id, name=name if isinstance(name, str) else None)
        operations[operation_id] = operation
        await self._start_operation(websocket, data, operation, operations)

    async def _run_operation(
        self,
        websocket: WebSocket,
        data: dict[str, Any],
        operation: Operation,
        operations: dict[str, Operation],
    ) -> None:
        context_value = await self.get_context_for_request(websocket, data)
        document, errors = self._parse_operation(context_value, data)
        if document is None:
            await self._send_errors(websocket, operation.id, errors, operations)
        else:
            await self.start_websocket_operation(
                websocket, data, context_value, document, operation.id, operations
            )

    async def _send_errors(
        self,
        websocket: WebSocket,
        operation_id: str,
        errors: list[dict[str, Any]],
        operations: dict[str, Operation],
    ) -> None:
        """Send `error` with the first error, then `complete`, unless the socket is gone."""
        protocol = _protocol(websocket)
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.send_text(protocol.error(operation_id, errors[0]))
            await websocket.send_text(protocol.complete(operation_id))

    async def _end_operation(
        self, websocket: WebSocket, operation: Operation, operations: dict[str, Operation]
    ) -> None:
        """Forget the operation (unless its id already names a newer one) and stop it."""
        if operations.get(operation.id) is operation:
            del operations[operation.id]
        await self.stop_websocket_operation(websocket, operation)

    async def handle_websocket_connection_init_message(
        self, websocket: WebSocket, message: dict[str, Any]
    ) -> None:
        """Handle `connection_init`: run `on_connect`, then `connection_ack` (and `ka`).

        A rejection sends `connection_error` with the rejection's payload, then closes
        the connection with 1011.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `message`: the `connection_init` message.
        """
        protocol = _protocol(websocket)
        payload = message.get("payload")
        websocket.scope["connection_params"] = payload
        rejection = await self._run_on_connect(websocket, payload)
        if rejection is not None:
            await websocket.send_text(protocol.connection_error(rejection.payload))
            await websocket.close(1011)
            return
        await websocket.send_text(protocol.connection_ack())
        if self.keepalive:
            await websocket.send_text(protocol.keep_alive())

    async def handle_websocket_connection_terminate_message(self, websocket: WebSocket) -> None:
        """Handle `connection_terminate`: close the connection.

        # Required arguments

        `websocket`: the `WebSocket` connection.
        """
        await websocket.close()

    async def keep_websocket_alive(self, websocket: WebSocket) -> None:
        """Send `ka` every `keepalive` seconds while the connection is open.

        # Required arguments

        `websocket`: the `WebSocket` connection.
        """
        interval = float(self.keepalive or 0)
        if interval <= 0:
            return
        protocol = _protocol(websocket)
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await asyncio.sleep(interval)
                if websocket.application_state is not WebSocketState.CONNECTED:
                    return
                await websocket.send_text(protocol.keep_alive())

    async def start_websocket_operation(
        self,
        websocket: WebSocket,
        data: Any,
        context_value: Any,
        query_document: DocumentNode,
        operation_id: str,
        operations: dict[str, Operation],
    ) -> None:
        """Execute a parsed operation and stream its results.

        Failures before execution (validation, unknown operation name...) get `error`
        (the first error) and `complete`.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `data`: the `start` payload.

        `context_value`: the context value for this operation.

        `query_document`: the parsed document.

        `operation_id`: the id of the operation.

        `operations`: the connection's active operations by id.
        """
        results = await self._execute_operation(websocket, data, context_value, query_document)
        if isinstance(results, list):
            await self._send_errors(websocket, operation_id, results, operations)
            return
        # The documented signature names the operation by id; it is this one only if this is
        # its task (a newer operation may reuse the id).
        operation = operations.get(operation_id)
        owned = False
        if operation is not None and operation.extra.get(TASK) is asyncio.current_task():
            operation.generator = results  # closed by stop_websocket_operation, whatever happens
            owned = True
        try:
            await self.observe_async_results(websocket, results, operation_id)
        finally:
            if not owned:  # called outside an operation's task: nothing else closes it
                await results.aclose()

    async def stop_websocket_operation(self, websocket: WebSocket, operation: Operation) -> None:
        """Stop an operation: cancel its task, close its generator, call `on_complete` once.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `operation`: the `Operation` to stop.
        """
        await self._finish_operation(websocket, operation)

    async def observe_async_results(
        self, websocket: WebSocket, results: Results, operation_id: str
    ) -> None:
        """Send each result as `data`, then `complete`.

        The generator is closed when the operation ends (`stop_websocket_operation`), which a
        failed send cannot skip.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `results`: the async generator of results from `subscribe()`.

        `operation_id`: the id of the operation.
        """
        protocol = _protocol(websocket)
        async for result in results:
            await websocket.send_text(protocol.data(operation_id, result))
        await websocket.send_text(protocol.complete(operation_id))


__all__ = ["GraphQLWSHandler"]
