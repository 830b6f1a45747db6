"""``GraphQLTransportWSHandler``: the ``graphql-transport-ws`` subprotocol (graphql-ws library).

The sans-IO ``graphqlwire.protocols.graphql_transport_ws`` decides every close code; this
module pumps frames through it, keeping each connection's state in a ``ClientContext``
(``_transport_ws_context``, with its init timer).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any, ClassVar

from ...execution import incremental_delivery, subsequent_payloads
from ...http import WebSocket, WebSocketDisconnect, WebSocketState
from ...protocols import LocalProtocolError
from ...protocols.graphql_transport_ws import (
    PROTOCOL,
    Close,
    CloseCode,
    Complete,
    ConnectionInit,
    Ping,
    Pong,
    Subscribe,
    UnknownType,
)
from ...types import Message
from ._operation import Operation
from ._transport_ws_context import ClientContext, drop_init_timer, end_init_timer
from ._ws_base import OperationsHandler, Results, close_if_open


class GraphQLTransportWSHandler(OperationsHandler[ClientContext]):
    """Implementation of the (newer) ``graphql-transport-ws`` subprotocol.

    Close codes: 4400 invalid message, 4401 subscribe before ack, 4403 rejected by
    ``on_connect``, 4408 no ``connection_init`` in time, 4409 duplicate operation id, 4429
    second ``connection_init``, 4500 server bug (``on_connect`` crashing included). A
    handshake that does not offer ``graphql-transport-ws`` is refused with an HTTP 400
    naming it (403 where the server has no denial responses), not accepted and closed
    with 4406: clients fail a 101 without the subprotocol they asked for.
    """

    subprotocol = PROTOCOL

    # The protocol's message types, named as Ariadne's handler names them (for subclasses
    # and tests that build or match messages).
    GQL_CONNECTION_INIT: ClassVar[str] = "connection_init"  # client -> server
    GQL_CONNECTION_ACK: ClassVar[str] = "connection_ack"  # server -> client
    GQL_PING: ClassVar[str] = "ping"  # both ways
    GQL_PONG: ClassVar[str] = "pong"  # both ways
    GQL_SUBSCRIBE: ClassVar[str] = "subscribe"  # client -> server
    GQL_NEXT: ClassVar[str] = "next"  # server -> client
    GQL_ERROR: ClassVar[str] = "error"  # server -> client
    GQL_COMPLETE: ClassVar[str] = "complete"  # both ways

    def __init__(
        self,
        *args: Any,
        connection_init_wait_timeout: timedelta = timedelta(seconds=60),
        **kwargs: Any,
    ) -> None:
        """Initialize the WebSocket handler.

        # Optional arguments

        `connection_init_wait_timeout`: a `timedelta`: how long a new connection may wait
        before sending `connection_init`. Defaults to 60 seconds. The other arguments are
        the hooks of `GraphQLWebsocketHandler`.
        """
        super().__init__(*args, **kwargs)
        self.connection_init_wait_timeout = connection_init_wait_timeout

    def _new_connection(self, websocket: WebSocket) -> ClientContext:
        return ClientContext()

    async def _serve(self, websocket: WebSocket, client_context: ClientContext) -> None:
        # The init timer starts once the handshake is done (strawberry#2703).
        client_context.connection_init_timeout_task = asyncio.create_task(
            self.handle_connection_init_timeout(websocket, client_context)
        )
        # Each frame is handled by `_handle_frame`, to keep an idle connection's chain of
        # suspended coroutines short and free of the last message's text and JSON.
        while websocket.application_state is WebSocketState.CONNECTED:
            if not await self._handle_frame(websocket, await websocket.receive(), client_context):
                break

    async def _close_after_bug(self, websocket: WebSocket, client_context: ClientContext) -> None:
        close = client_context.protocol.close(4500, "Internal server error")
        await close_if_open(websocket, close.code, close.reason)

    async def _end_connection(self, websocket: WebSocket, client_context: ClientContext) -> None:
        await end_init_timer(client_context)
        for operation_id in list(client_context.operations):
            await self.stop_websocket_operation(websocket, operation_id, client_context)

    async def _handle_frame(
        self, websocket: WebSocket, message: Message, client_context: ClientContext
    ) -> bool:
        """Handle one ASGI message from the client; False once the connection is over."""
        if message["type"] == "websocket.disconnect":
            return False
        decoded = client_context.protocol.decode_frame(message.get("text"))
        if isinstance(decoded, Close):
            await close_if_open(websocket, decoded.code, decoded.reason)
            return False
        await self.handle_websocket_message(websocket, decoded, client_context)
        return True

    async def handle_connection_init_timeout(
        self, websocket: WebSocket, client_context: ClientContext
    ) -> None:
        """Close with 4408 when no `connection_init` arrived within the timeout.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `client_context`: the `ClientContext` of the connection.
        """
        await asyncio.sleep(self.connection_init_wait_timeout.total_seconds())
        if client_context.connection_init_received:
            return
        close = client_context.protocol.close(
            CloseCode.CONNECTION_INITIALISATION_TIMEOUT, "Connection initialisation timeout"
        )
        await close_if_open(websocket, close.code, close.reason)

    async def handle_websocket_message(
        self, websocket: WebSocket, message: dict[str, Any], client_context: ClientContext
    ) -> None:
        """Handle one decoded message: check it, then call the method for its type.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `message`: the decoded message.

        `client_context`: the `ClientContext` of the connection.
        """
        event = client_context.protocol.receive_message(message)
        if isinstance(event, ConnectionInit):
            await self.handle_websocket_connection_init_message(websocket, message, client_context)
        elif isinstance(event, Ping):
            client_context.ping_payload = event.payload
            await self.handle_websocket_ping_message(websocket, client_context)
        elif isinstance(event, Pong):
            await self.handle_websocket_pong_message(websocket, client_context)
        elif isinstance(event, Subscribe):
            await self.handle_websocket_subscribe(
                websocket, event.payload, event.id, client_context
            )
        elif isinstance(event, Complete):
            if event.active:  # else the operation already ended: there is nothing to stop
                await self.handle_websocket_complete_message(websocket, event.id, client_context)
        elif isinstance(event, UnknownType):
            await self.handle_websocket_invalid_type(websocket)
        else:
            await close_if_open(websocket, event.code, event.reason)

    async def handle_websocket_connection_init_message(
        self, websocket: WebSocket, message: dict[str, Any], client_context: ClientContext
    ) -> None:
        """Handle `connection_init`: run `on_connect`, then `connection_ack` or close.

        A refusal closes with 4403 and the refusal's message; an `on_connect` that crashed
        closes with 4500 "Unexpected error has occurred.".

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `message`: the `connection_init` message.

        `client_context`: the `ClientContext` of the connection.
        """
        drop_init_timer(client_context)
        payload = message.get("payload")
        websocket.scope["connection_params"] = payload
        rejection = await self._run_on_connect(websocket, payload)
        if rejection is not None:
            reason = rejection.payload.get("message")
            # A crashed `on_connect` is the server's fault (4500, as the graphql-ws server
            # closes then); a refusal is 4403.
            fault = rejection.server_fault
            code = CloseCode.INTERNAL_SERVER_ERROR if fault else CloseCode.FORBIDDEN
            close = client_context.protocol.close(
                code, reason if isinstance(reason, str) else "Forbidden"
            )
            await close_if_open(websocket, close.code, close.reason)
            return
        await websocket.send_text(client_context.protocol.connection_ack())

    async def handle_websocket_ping_message(
        self, websocket: WebSocket, client_context: ClientContext
    ) -> None:
        """Handle `ping`, answering with `pong` (which echoes the ping's payload).

        The payload is `client_context.ping_payload`, set just before this is called.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `client_context`: the `ClientContext` of the connection.
        """
        await websocket.send_text(client_context.protocol.pong(client_context.ping_payload))

    async def handle_websocket_pong_message(
        self, websocket: WebSocket, client_context: ClientContext
    ) -> None:
        """Handle `pong`: a heartbeat that needs no answer.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `client_context`: the `ClientContext` of the connection.
        """

    async def handle_websocket_complete_message(
        self, websocket: WebSocket, operation_id: str, client_context: ClientContext
    ) -> None:
        """Handle the client's `complete`: stop the operation and send nothing more for it.

        An unknown or finished `operation_id` is ignored.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `operation_id`: the id of the operation to stop.

        `client_context`: the `ClientContext` of the connection.
        """
        await self.stop_websocket_operation(websocket, operation_id, client_context)

    async def handle_websocket_subscribe(
        self, websocket: WebSocket, data: Any, operation_id: str, client_context: ClientContext
    ) -> None:
        """Handle `subscribe`: register the operation, run `on_operation`, start its task.

        The operation runs in its own task, so the connection keeps reading messages (a
        `complete` for it, other operations, pings) while it executes or streams.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `data`: the `subscribe` payload (`query`, `variables`, `operationName`...).

        `operation_id`: the id of the new operation.

        `client_context`: the `ClientContext` of the connection.
        """
        name = data.get("operationName")
        operation = Operation(id=operation_id, name=name if isinstance(name, str) else None)
        client_context.operations[operation_id] = operation
        await self._start_operation(websocket, data, operation, client_context)

    async def _run_operation(
        self, websocket: WebSocket, data: Any, operation: Operation, client_context: ClientContext
    ) -> None:
        context_value = await self.get_context_for_request(websocket, data)
        document, errors = self._parse_operation(context_value, data)
        if document is not None:
            with incremental_delivery():  # (observe_async_results sends every payload)
                results = await self._execute_operation(websocket, data, context_value, document)
            if isinstance(results, list):
                errors = results
            else:
                operation.generator = results  # closed by _end_operation, whatever happens
                await self.observe_async_results(websocket, results, operation.id, client_context)
        if errors:
            await self._send_errors(websocket, operation.id, errors, client_context)

    async def _send_errors(
        self, websocket: WebSocket, operation_id: str, errors: list[Any], context: ClientContext
    ) -> None:
        """Send `error` (which ends the operation), unless the operation or socket is gone."""
        with contextlib.suppress(WebSocketDisconnect, LocalProtocolError, RuntimeError):
            await websocket.send_text(context.protocol.error(operation_id, errors))

    async def _end_operation(
        self, websocket: WebSocket, operation: Operation, client_context: ClientContext
    ) -> None:
        """Forget the operation (unless its id already names a newer one) and finish it.

        An operation that ends without having sent `complete` or `error` (its error report
        failed, or a bug stopped it) gets `complete` now, so its id is free for reuse.
        """
        current = client_context.operations.get(operation.id) is operation
        if current:
            del client_context.operations[operation.id]
        try:
            await self._finish_operation(websocket, operation)
        finally:
            if current and client_context.protocol.is_active(operation.id):
                message = client_context.protocol.complete(operation.id)  # frees the id
                connected = WebSocketState.CONNECTED
                if websocket.application_state is connected and websocket.client_state is connected:
                    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                        await websocket.send_text(message)

    async def handle_websocket_invalid_type(self, websocket: WebSocket) -> None:
        """Handle a message of an unsupported type: close the connection with 4400.

        # Required arguments

        `websocket`: the `WebSocket` connection.
        """
        await close_if_open(websocket, CloseCode.BAD_REQUEST, "Invalid message type")

    async def handle_on_complete(self, websocket: WebSocket, operation: Operation) -> None:
        """Handle a finished operation: call `on_complete` (once per operation).

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `operation`: the `Operation` that ended.
        """
        await self._call_hook_logged(self.on_complete, websocket, operation)

    async def _notify_complete(self, websocket: WebSocket, operation: Operation) -> None:
        await self.handle_on_complete(websocket, operation)

    async def stop_websocket_operation(
        self, websocket: WebSocket, operation_id: str, client_context: ClientContext
    ) -> None:
        """Stop an operation: cancel its task and close its generator; unknown ids are ignored.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `operation_id`: the id of the operation to stop.

        `client_context`: the `ClientContext` of the connection.
        """
        operation = client_context.operations.get(operation_id)
        if operation is not None:
            await self._end_operation(websocket, operation, client_context)

    async def observe_async_results(
        self,
        websocket: WebSocket,
        results_producer: Results,
        operation_id: str,
        client_context: ClientContext,
    ) -> None:
        """Send each result as `next`, then `complete`.

        The producer is closed when the operation ends (`stop_websocket_operation`), which a
        failed send cannot skip. An incremental (`@defer`/`@stream`) result is followed by
        each of its later payloads as a `next` of its own; they are closed (the deferred
        work stops) when the operation ends first.

        # Required arguments

        `websocket`: the `WebSocket` connection.

        `results_producer`: the async generator of results from `subscribe()`.

        `operation_id`: the id of the operation.

        `client_context`: the `ClientContext` of the connection.
        """
        protocol = client_context.protocol
        send_text = websocket.send_text
        async for result in results_producer:
            await send_text(protocol.next(operation_id, result))
            later = subsequent_payloads(result)
            if later is not None:
                try:
                    async for payload in later:
                        await send_text(protocol.next(operation_id, payload))
                finally:
                    await later.aclose()
        await send_text(protocol.complete(operation_id))


__all__ = ["ClientContext", "GraphQLTransportWSHandler"]
