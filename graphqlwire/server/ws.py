"""A WebSocket connection after ``Upgrade: websocket``: wsproto events <-> ASGI messages.

wsproto does the framing, masking, UTF-8 validation and the opening handshake; this module
adds what RFC 6455 leaves to the server and ASGI asks of it:

- closing before ``websocket.accept`` is an HTTP 403; the ``websocket.http.response``
  extension lets the app deny the handshake with any status, headers and body;
- fragmented messages are reassembled, up to ``ws_max_message_size`` (else close 1009;
  text is measured in characters, after wsproto's UTF-8 validation);
- pings are answered; the server's own pings (``wsping``) close with 1011 when unanswered;
- a peer close without a status code reaches the app as 1005 (RFC 6455 §7.1.5), a lost
  connection as 1006;
- an app that returns before accepting gets the client a 500; one that raises while
  connected closes with 1011; server shutdown closes with 1001 ("going away"), or 1012
  ("service restart") when a rolling restart replaces the worker.

No extension (permessage-deflate) is ever negotiated: a small compressed frame can inflate
to hundreds of megabytes before any size check could run.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import h11
from wsproto import ConnectionType, WSConnection
from wsproto.connection import Connection, ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from ..types import Message
from .http11 import simple_response
from .scope import websocket_scope
from .state import ClientConnection, ClientDisconnected, logger, wake
from .wsframe import (
    BINARY,
    INTERNAL_ERROR,
    TEXT,
    TOO_BIG,
    FrameWriter,
    MessageAssembler,
    MessageTooBig,
    check_message,
)
from .wshandshake import handshake_refusal, with_reason
from .wsping import Heartbeat

__all__ = ["WebSocketSession"]

#: Pause reading when the app falls this many messages behind.
QUEUE_HIGH_WATER = 32
#: How long to wait for the client's reply to our close frame before dropping the socket.
CLOSE_TIMEOUT = 2.0


class Phase(enum.Enum):
    """Where the session is, as the application sees it."""

    CONNECTING = "connecting"  # handshake received, not yet accepted or refused
    ACCEPTED = "accepted"  # the 101 went out: messages flow
    DENYING = "denying"  # an HTTP denial response is being sent instead
    CLOSED = "closed"  # refused, denied, or done


class WebSocketSession:
    """The WebSocket half of a connection, from the upgrade request to the close."""

    __slots__ = (
        "_close_timer",
        "_read_paused",
        "close_code",
        "config",
        "conn",
        "disconnected",
        "heartbeat",
        "messages",
        "phase",
        "protocol",
        "queue",
        "request",
        "scope",
        "task",
        "waiter",
        "writer",
    )

    def __init__(self, protocol: ClientConnection, request: h11.Request, scope: dict[str, Any]):
        self.protocol = protocol
        self.config = protocol.config
        self.request: h11.Request | None = request  # (dropped once replayed to wsproto)
        self.scope = websocket_scope(scope)
        #: The handshake-capable connection, then (once accepted) its framing part only.
        self.conn: WSConnection | Connection = WSConnection(ConnectionType.SERVER)
        self.phase = Phase.CONNECTING
        self.queue: list[Message] = []  # (short: reading pauses past QUEUE_HIGH_WATER)
        self.waiter: asyncio.Future[None] | None = None
        self.disconnected = False
        self.close_code: int | None = None
        self.messages = MessageAssembler(self.config.ws_max_message_size)
        self.task: asyncio.Task[None] | None = None
        self._read_paused = False
        config = self.config
        self.heartbeat = Heartbeat(
            protocol.loop,
            config.ws_ping_interval,
            config.ws_ping_timeout,
            self._send_ping,
            self._pong_timeout,
        )
        self._close_timer: asyncio.TimerHandle | None = None
        self.writer = FrameWriter(protocol.loop, protocol.write)

    # --- bytes from the connection --------------------------------------------------------
    def start(self, trailing: bytes) -> None:
        """Replay the upgrade request (already parsed by h11) into wsproto."""
        request = self.request
        if request is None:
            raise RuntimeError("the upgrade request was already replayed")
        self.request = None
        head = [b"%s %s HTTP/1.1\r\n" % (request.method, request.target)]
        head.extend(b"%s: %s\r\n" % item for item in request.headers.raw_items())
        head.append(b"\r\n")
        self.data_received(b"".join(head) + trailing)

    def data_received(self, data: bytes) -> None:
        try:
            self.conn.receive_data(data)
            self._handle_events()
        except RemoteProtocolError as error:
            logger.info("bad WebSocket handshake from %s: %s", self.protocol.client, error)
            self.writer.write(handshake_refusal(error, self.protocol.state.date_header))
            self._finish(None)
        except LocalProtocolError:
            pass  # data after the connection closed: nothing to do with it

    def connection_lost(self) -> None:
        self._cancel_timers()
        self._disconnect(1006 if self.close_code is None else self.close_code)

    def shutdown(self) -> None:
        """Server shutdown: close with 1001 Going Away (1012 Service Restart when a
        supervisor replaces this worker: see `ServerState.ws_shutdown_close`)."""
        if self.conn.state is ConnectionState.OPEN:
            self._close(*self.protocol.state.ws_shutdown_close)
        elif self.phase is Phase.CONNECTING:
            self.protocol.transport.close()

    # --- wsproto events -------------------------------------------------------------------
    def _handle_events(self) -> None:
        for event in self.conn.events():
            kind = type(event)
            if kind is TextMessage or kind is BytesMessage:
                self._on_message(event)  # type: ignore[arg-type]
            elif kind is Ping:
                if self.conn.state is ConnectionState.OPEN:  # (no pongs once closing)
                    self.writer.write(self.conn.send(event.response()))  # type: ignore[attr-defined]
            elif kind is Pong:
                if self.conn.state is ConnectionState.OPEN:  # (no more pings once closing)
                    self.heartbeat.pong_received()
            elif kind is CloseConnection:
                self._on_close(event)  # type: ignore[arg-type]
            elif kind is Request:
                self.queue.append({"type": "websocket.connect"})
                self.task = self.protocol.state.start(self._run())

    def _on_message(self, event: TextMessage | BytesMessage) -> None:
        if self.disconnected:
            return
        try:
            data = self.messages.add(event.data, event.message_finished)
        except MessageTooBig:
            logger.info(
                "WebSocket message from %s exceeds %d bytes",
                self.protocol.client,
                self.config.ws_max_message_size,
            )
            self._close(TOO_BIG, "message too big")
            return
        if data is None:
            return
        if isinstance(data, str):
            self._push({"type": "websocket.receive", "text": data})
        else:
            self._push({"type": "websocket.receive", "bytes": bytes(data)})
        if len(self.queue) > QUEUE_HIGH_WATER and not self._read_paused:
            self._read_paused = True
            self.protocol.transport.pause_reading()

    def _on_close(self, event: CloseConnection) -> None:
        state = self.conn.state
        if state is ConnectionState.REMOTE_CLOSING:
            # The peer closed: echo its code (RFC 6455 §5.5.1), then hang up.
            self.writer.write(self.conn.send(event.response()))
            self._finish(event.code)
        elif state is ConnectionState.OPEN:
            # wsproto reports a protocol violation (bad UTF-8 -> 1007, ...) as a close
            # event without closing: we close with that code.
            logger.info("WebSocket protocol error from %s: %s", self.protocol.client, event.reason)
            self._close(event.code, event.reason or "")
        else:  # the reply to our own close frame
            self._finish(self.close_code)

    # --- closing ----------------------------------------------------------------------------
    def _close(self, code: int, reason: str) -> None:
        """Send a close frame, tell the app, and wait (briefly) for the client's reply."""
        if self.conn.state is ConnectionState.OPEN:
            self.writer.write(self.conn.send(CloseConnection(code=code, reason=reason)))
        self._disconnect(code)
        self._cancel_timers()
        if self._read_paused:
            # The client's close reply must be read, even if the app is far behind (the
            # queue no longer grows: messages after the close are dropped).
            self._read_paused = False
            self.protocol.transport.resume_reading()
        self._close_timer = self.protocol.loop.call_later(
            CLOSE_TIMEOUT, self.protocol.transport.close
        )

    def _finish(self, code: int | None) -> None:
        """The conversation is over: close the socket and tell the app."""
        self.writer.flush()
        self._cancel_timers()
        if code is not None:
            self._disconnect(code)
        else:
            self.disconnected = True
            self._wake()
        self.protocol.transport.close()

    def _disconnect(self, code: int) -> None:
        if not self.disconnected:
            self.disconnected = True
            self.close_code = code
            self._push({"type": "websocket.disconnect", "code": code, "reason": ""})

    def _cancel_timers(self) -> None:
        self.heartbeat.stop()
        if self._close_timer is not None:
            self._close_timer.cancel()
            self._close_timer = None

    # --- server pings -----------------------------------------------------------------------
    def _send_ping(self) -> bool:
        if self.conn.state is not ConnectionState.OPEN:
            return False
        self.writer.write(self.conn.send(Ping(payload=b"graphqlwire")))
        return True

    def _pong_timeout(self) -> None:
        logger.info("WebSocket client %s did not answer a ping", self.protocol.client)
        self._close(INTERNAL_ERROR, "ping timeout")

    # --- ASGI -------------------------------------------------------------------------------
    def _push(self, message: Message) -> None:
        self.queue.append(message)
        self._wake()

    def _wake(self) -> None:
        waiter, self.waiter = self.waiter, None
        wake(waiter)

    async def _run(self) -> None:
        try:
            await self.protocol.state.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            logger.debug("WebSocket client disconnected")
        except BaseException as error:
            if not isinstance(error, asyncio.CancelledError):
                logger.error("Exception in ASGI application", exc_info=error)
            self._app_gone(error=True)
            if not isinstance(error, Exception):
                raise
        else:
            self._app_gone(error=False)
        finally:
            if self.protocol.state.access_log is not None:
                self.protocol.state.access_log.closed(
                    self.scope, "websocket", close_code=self.close_code
                )

    def _app_gone(self, *, error: bool) -> None:
        if self.phase is Phase.CONNECTING and not self.disconnected:
            if not error:
                logger.error("ASGI application returned without accepting the WebSocket")
            self.phase = Phase.CLOSED
            self.writer.write(
                simple_response(500, "Internal Server Error", self.protocol.state.date_header)
            )
            self._finish(None)
        elif self.phase is Phase.DENYING:
            self._finish(None)
        elif self.conn.state is ConnectionState.OPEN:
            self._close(INTERNAL_ERROR if error else 1000, "")

    async def receive(self) -> Message:
        """Next ``websocket.connect`` / ``receive`` / ``disconnect`` message."""
        while not self.queue:
            if self.disconnected:
                code = self.close_code or 1006
                return {"type": "websocket.disconnect", "code": code, "reason": ""}
            self.waiter = self.protocol.loop.create_future()
            await self.waiter
        message = self.queue.pop(0)
        if self._read_paused and len(self.queue) <= QUEUE_HIGH_WATER // 2:
            self._read_paused = False
            self.protocol.transport.resume_reading()
        return message

    async def send(self, message: Message) -> None:
        """Handle ``websocket.accept`` / ``send`` / ``close`` / ``http.response.*``."""
        protocol = self.protocol
        if protocol.write_paused:
            await protocol.drain()
        kind = message["type"]
        open_ = not self.disconnected and self.conn.state is ConnectionState.OPEN
        if kind == "websocket.send" and self.phase is Phase.ACCEPTED and open_:
            # The per-event path of every subscription, checked first.
            text = message.get("text")
            data = message.get("bytes")
            if text is not None and data is None:
                self.writer.queue(TEXT, text.encode("utf-8"))
                return
            if data is not None and text is None:
                self.writer.queue(BINARY, bytes(data))
                return
        check_message(kind, message)
        if self.phase is Phase.CONNECTING and not self.disconnected:
            self._send_handshake_answer(kind, message)
        elif self.phase is Phase.DENYING:
            self._send_denial_body(kind, message)
        elif not open_:
            if kind != "websocket.close":  # closing what is closed (a `finally:`) is harmless
                raise ClientDisconnected("WebSocket is closed")
        elif kind == "websocket.close":
            self._close(message.get("code") or 1000, message.get("reason") or "")
        else:
            raise RuntimeError(f"unexpected {kind!r} on an accepted WebSocket")

    def _send_handshake_answer(self, kind: str, message: Message) -> None:
        """Accept, refuse (403) or start denying the handshake, as the app says."""
        if kind == "websocket.accept":
            self._accept(message)
            return
        if kind == "websocket.close":
            status = 403
            self.phase = Phase.CLOSED
            self.writer.write(with_reason(self.conn.send(RejectConnection(status_code=403)), 403))
            self._finish(None)
        elif kind == "websocket.http.response.start":
            self.phase = Phase.DENYING
            headers = [(bytes(n), bytes(v)) for n, v in message.get("headers", ())]
            status = message["status"]
            deny = RejectConnection(status_code=status, headers=headers, has_body=True)
            self.writer.write(with_reason(self.conn.send(deny), status))
        else:
            raise RuntimeError(f"{kind!r} sent before the WebSocket was accepted")
        if self.protocol.state.access_log is not None:
            self.protocol.state.access_log.refused(self.scope, status)

    def _send_denial_body(self, kind: str, message: Message) -> None:
        """A part of the body of the HTTP response that denies the handshake."""
        if kind != "websocket.http.response.body":
            raise RuntimeError(f"expected 'websocket.http.response.body', got {kind!r}")
        more = message.get("more_body", False)
        body = RejectData(data=message.get("body", b""), body_finished=not more)
        self.writer.write(self.conn.send(body))
        if not more:
            self.phase = Phase.CLOSED
            self._finish(None)

    def _accept(self, message: Message) -> None:
        subprotocol = message.get("subprotocol")
        if subprotocol is not None and subprotocol not in self.scope["subprotocols"]:
            # RFC 6455 §4.2.2: the server must pick one of the client's offers (or none).
            raise RuntimeError(f"subprotocol {subprotocol!r} was not offered by the client")
        headers = [(bytes(n), bytes(v)) for n, v in message.get("headers", ())]
        accept = AcceptConnection(subprotocol=subprotocol, extra_headers=headers, extensions=[])
        self.writer.write(self.conn.send(accept))
        if isinstance(self.conn, WSConnection) and self.conn.connection is not None:
            # Keep the framing part only: the handshake's h11 connection is done with.
            self.conn = self.conn.connection
        self.phase = Phase.ACCEPTED
        self.heartbeat.start()
        if self.protocol.state.access_log is not None:
            self.protocol.state.access_log.opened(self.scope, "websocket")
