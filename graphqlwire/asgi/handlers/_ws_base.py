"""``OperationsHandler``: what both GraphQL WebSocket handlers do the same way.

A private base class of ``GraphQLWSHandler`` and ``GraphQLTransportWSHandler``. It owns the
life of a connection (handshake, read loop, cleanup, ``on_disconnect``) and of each operation
(``on_operation``, its own task, error reports, ``on_complete`` once); the subclasses fill
in the protocol's steps through the template methods below, and keep the documented methods
users override.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from graphql import DocumentNode, GraphQLError

from ...execution import get_logger
from ...http import (
    JSONResponse,
    WebSocket,
    WebSocketConnectionError,
    WebSocketDisconnect,
    WebSocketState,
)
from ...http._websocket import DENIAL_RESPONSE_EXTENSION
from ...protocols import LocalProtocolError
from ._execute import Results as Results  # (re-exported: both handlers use it)
from ._execute import call_hook, execute_operation, parse_operation
from ._operation import Operation
from .base import GraphQLWebsocketHandler

#: ``Operation.extra`` key: the task that runs the operation.
TASK = "task"
#: ``Operation.extra`` key: set once the operation began finishing (closing its generator,
#: then ``on_complete``).
FINISHED = "finished"
#: The connection scope's key for its live operations (see `_live_operations`).
LIVE_KEY = "graphqlwire.live_operations"
#: What the client is told when even formatting or sending an operation's error failed.
INTERNAL_ERROR = {"message": "Internal server error"}
#: The payload of a connection ``on_connect`` refused without saying why.
FORBIDDEN = {"message": "Forbidden"}
#: The payload of a connection whose ``on_connect`` crashed (Ariadne's words).
UNEXPECTED_ERROR = {"message": "Unexpected error has occurred."}

#: The per-connection state a subclass keeps (created by ``_new_connection``).
ConnectionT = TypeVar("ConnectionT")


async def refuse_subprotocols(websocket: WebSocket, supported: Sequence[str]) -> None:
    """Refuse a handshake that offers none of the `supported` subprotocols.

    RFC 6455 section 4.2.2 lets a server select only a subprotocol the client offered, and
    browsers and the `ws` library fail a 101 without the one they asked for ("Server sent
    no subprotocol"), so the handshake is refused instead: with a 400 whose JSON body and
    ``Sec-WebSocket-Protocol`` header name the supported subprotocols, through the
    ``websocket.http.response`` extension when the server offers it, else with the 403
    every ASGI server sends for a close before accept.
    """
    names = ", ".join(supported)
    offered = ", ".join(websocket.subprotocols) or "none"
    message = (
        f"Unsupported WebSocket subprotocol (offered: {offered}): this endpoint speaks "
        f"{names}; name one in Sec-WebSocket-Protocol."
    )
    if websocket.client_state is WebSocketState.CONNECTING:
        await websocket.receive()  # the websocket.connect message
    if DENIAL_RESPONSE_EXTENSION in (websocket.scope.get("extensions") or {}):
        headers = {"sec-websocket-protocol": names}
        await websocket.send_denial_response(
            JSONResponse({"errors": [{"message": message}]}, 400, headers=headers)
        )
    else:
        await websocket.close()


def _live_operations(websocket: WebSocket) -> dict[asyncio.Task[None], Operation]:
    """The connection's operations whose task has not ended yet, by task."""
    live: dict[asyncio.Task[None], Operation] | None = websocket.scope.get(LIVE_KEY)
    if live is None:
        live = websocket.scope[LIVE_KEY] = {}
    return live


class Rejection(NamedTuple):
    """Why ``on_connect`` did not accept a connection: what the client is told, and whether
    it was a server fault (the hook crashed) rather than a refusal."""

    payload: dict[str, Any]
    server_fault: bool


async def close_if_open(websocket: Any, code: int, reason: str | None = None) -> None:
    """Close the connection, unless it is closed already (a timer and the client can race)."""
    if websocket.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.close(code, reason)


async def wait_cancelled(task: asyncio.Task[Any] | None) -> None:
    """Cancel a helper task (timer, keep-alive) and wait until it is gone."""
    if task is not None:
        task.cancel()
        await asyncio.wait({task})


class OperationsHandler(GraphQLWebsocketHandler, Generic[ConnectionT]):
    """A WebSocket handler that runs GraphQL operations, each in its own task."""

    #: The subprotocol the handler speaks; a client that does not offer it is refused.
    subprotocol: ClassVar[str]

    async def handle_websocket(self, websocket: WebSocket) -> None:
        """Handle the GraphQL WebSocket connection, from handshake to cleanup.

        A client that did not offer the handler's subprotocol is refused before the
        handshake completes (`refuse_subprotocols`). Whatever ends the connection, every
        operation is stopped, its `on_complete` has run, and then `on_disconnect` runs.

        # Required arguments

        `websocket`: the `WebSocket` connection.
        """
        connection = self._new_connection(websocket)
        try:
            if self.subprotocol not in websocket.subprotocols:
                await refuse_subprotocols(websocket, (self.subprotocol,))
                return
            await websocket.accept(self.subprotocol)
            await self._serve(websocket, connection)
        except WebSocketDisconnect:
            pass
        except Exception:
            self._log_bug(f"{self.subprotocol} connection failed")
            await self._close_after_bug(websocket, connection)
        finally:
            try:
                await self._end_connection(websocket, connection)
                # Operations that ended by themselves may still be finishing (closing
                # their generator, in `on_complete`): `on_disconnect` comes after them.
                for operation in list(_live_operations(websocket).values()):
                    await self._finish_operation(websocket, operation)
            finally:
                await self._call_hook_logged(self.on_disconnect, websocket)

    # Template methods: the protocol's steps.

    @abstractmethod
    def _new_connection(self, websocket: WebSocket) -> ConnectionT:
        """The state of a new connection."""

    @abstractmethod
    async def _serve(self, websocket: WebSocket, connection: ConnectionT) -> None:
        """Read and handle messages until the connection is over (after the handshake)."""

    @abstractmethod
    async def _close_after_bug(self, websocket: WebSocket, connection: ConnectionT) -> None:
        """Close the connection after a bug in the handler (already logged)."""

    @abstractmethod
    async def _end_connection(self, websocket: WebSocket, connection: ConnectionT) -> None:
        """Stop the connection's operations and timers; ``on_disconnect`` runs after."""

    @abstractmethod
    async def _run_operation(
        self, websocket: WebSocket, data: Any, operation: Operation, connection: ConnectionT
    ) -> None:
        """The operation's task: build the context, parse, execute, send the results."""

    @abstractmethod
    async def _send_errors(
        self,
        websocket: WebSocket,
        operation_id: str,
        errors: list[dict[str, Any]],
        connection: ConnectionT,
    ) -> None:
        """Tell the client the operation failed with ``errors`` (which ends it for the client)."""

    @abstractmethod
    async def _end_operation(
        self, websocket: WebSocket, operation: Operation, connection: ConnectionT
    ) -> None:
        """Forget the operation and finish it (``_finish_operation``), however it ended."""

    async def _notify_complete(self, websocket: WebSocket, operation: Operation) -> None:
        """Run ``on_complete`` for an operation that ended (once per operation)."""
        await self._call_hook_logged(self.on_complete, websocket, operation)

    # What both protocols do the same way.

    async def _call_hook_logged(self, hook: Callable[..., Any] | None, *args: Any) -> None:
        """Call a hook whose failure must not stop the cleanup around it: log it instead."""
        try:
            await call_hook(hook, *args)
        except Exception:
            self._log_bug("A WebSocket hook raised an exception")

    def _log_bug(self, message: str) -> None:
        """Log the exception being handled once, on the handler's logger, with its traceback."""
        get_logger(self.logger).exception(message)

    async def _run_on_connect(self, websocket: WebSocket, payload: Any) -> Rejection | None:
        """Run ``on_connect``: None when the connection is accepted, else why it is not.

        ``on_connect`` refuses by returning ``False`` or raising ``WebSocketConnectionError``
        (whose payload the client is told). Any other exception is a bug of the server, not
        a refused login: it is logged, and the client gets Ariadne's "Unexpected error has
        occurred." as a server fault.
        """
        try:
            accepted = await call_hook(self.on_connect, websocket, payload)
        except WebSocketConnectionError as error:
            return Rejection(error.payload or dict(FORBIDDEN), server_fault=False)
        except Exception:
            self._log_bug("on_connect raised an exception; the connection is refused")
            return Rejection(dict(UNEXPECTED_ERROR), server_fault=True)
        return Rejection(dict(FORBIDDEN), server_fault=False) if accepted is False else None

    def _parse_operation(
        self, context_value: Any, data: Any
    ) -> tuple[DocumentNode | None, list[dict[str, Any]]]:
        """Check and parse an operation's data: ``(document, [])`` or ``(None, errors)``.

        A persisted document's id or hash is looked up first (and again, cheaply, when
        the operation executes); see ``_execute.parse_operation``, shared with SSE.
        """
        return parse_operation(self, context_value, data)

    async def _execute_operation(
        self,
        websocket: WebSocket,
        data: dict[str, Any],
        context_value: Any,
        query_document: DocumentNode,
    ) -> list[dict[str, Any]] | Results:
        """Run one operation: its results generator, or the list of errors it failed with.

        Subscriptions go through the subscription pipeline; queries and mutations through
        the HTTP handler's ``execute_graphql_query`` when the app has one (so every
        transport shares extensions and middleware). See ``_execute.execute_operation``,
        shared with SSE.
        """
        self.configured_schema()  # a TypeError for a handler that has none
        return await execute_operation(
            self, self.http_handler, websocket, data, context_value, query_document
        )

    async def _start_operation(
        self, websocket: WebSocket, data: Any, operation: Operation, connection: ConnectionT
    ) -> None:
        """Run ``on_operation``, then ``_run_operation`` in the operation's own task.

        The connection keeps reading messages (a stop for this operation, pings, other
        operations) while the operation executes or streams. ``on_operation`` is awaited
        first, before the next message is read, so it always runs before the operation can
        be stopped. An exception from either is logged and reported to the client with
        ``_send_errors``; ``_end_operation`` always runs afterwards.
        """
        try:
            await call_hook(self.on_operation, websocket, operation)
        except Exception as error:
            self._log_bug("on_operation raised an exception")
            try:
                await self._report_error(websocket, operation, error, connection)
            finally:
                await self._end_operation(websocket, operation, connection)
            return
        task = asyncio.create_task(
            self._operation_task(websocket, data, operation, connection),
            name=f"graphqlwire operation {operation.id!r}",
        )
        operation.extra[TASK] = task
        live = _live_operations(websocket)
        live[task] = operation
        task.add_done_callback(lambda done: live.pop(done, None))

    async def _operation_task(
        self, websocket: WebSocket, data: Any, operation: Operation, connection: ConnectionT
    ) -> None:
        try:
            await self._run_operation(websocket, data, operation, connection)
        except (WebSocketDisconnect, LocalProtocolError):
            pass  # the client left, or already ended the operation: nothing more to send
        except Exception as error:
            if websocket.application_state is not WebSocketState.CONNECTED:
                return  # the connection closed under the operation: no one to tell
            self._log_bug(f"Operation {operation.id!r} failed")
            await self._report_error(websocket, operation, error, connection)
        finally:
            await self._end_operation(websocket, operation, connection)

    async def _report_error(
        self, websocket: WebSocket, operation: Operation, error: Exception, connection: ConnectionT
    ) -> None:
        """Tell the client about ``error``; never raises (it runs where nothing could catch it).

        When the ``error_formatter``, the encoding or the send itself fails, that failure is
        logged once and the client gets ``INTERNAL_ERROR`` instead, so the operation still
        ends for it. A client that is gone (or an operation it already ended) is told nothing.
        """
        try:
            if not isinstance(error, GraphQLError):
                error = GraphQLError(str(error) or type(error).__name__, original_error=error)
            formatted = self.error_formatter(error, self.debug)
            await self._send_errors(websocket, operation.id, [formatted], connection)
            return
        except (WebSocketDisconnect, LocalProtocolError):
            return
        except Exception:
            self._log_bug("Formatting or sending an operation's error failed")
        # Logged above; should this fail too, the operation's end still completes it.
        with contextlib.suppress(Exception):
            await self._send_errors(websocket, operation.id, [dict(INTERNAL_ERROR)], connection)

    async def _finish_operation(self, websocket: WebSocket, operation: Operation) -> None:
        """End an operation, whoever ends it: cancel its task, close its generator, notify once.

        The caller may be the operation's own task (it ended by itself) or another one (the
        client stopped it, the connection closed). The generator is closed in a ``finally``
        so that neither a failed send nor a cancelled task can skip it, and
        ``_notify_complete`` runs exactly once however many paths reach here.
        """
        task = operation.extra.get(TASK)
        if task is not None and task is not asyncio.current_task() and not task.done():
            # A task that is already finishing (closing its generator, in `on_complete`)
            # is waited for, never cancelled: that would cut `on_complete` short.
            if not operation.extra.get(FINISHED):
                task.cancel()
            await asyncio.wait({task})
        if operation.extra.get(FINISHED):
            return
        operation.extra[FINISHED] = True
        try:
            if operation.generator is not None:
                await operation.generator.aclose()
        except Exception:
            self._log_bug(f"Closing the generator of operation {operation.id!r} failed")
        finally:
            await self._notify_complete(websocket, operation)
