"""The per-connection ``asyncio.Protocol``: bytes in, h11 events, ASGI cycles, bytes out.

One `HttpProtocol` per TCP connection owns one ``h11.Connection`` for its whole life
(keep-alive requests reuse it) and at most one live `HttpCycle`. Pipelined requests wait in
h11's buffer (reading is paused) and are answered one after another, in order. After an
``Upgrade: websocket`` request the bytes go to a `WebSocketSession` instead.

Enforced here, before the application sees a request: the limits of `limits` (431, 505,
414, 400, 413), the head and body timeouts and the body's minimum rate (408), the
keep-alive idle timeout (one `Deadline`, and a `BodyPace`), and the connection limit (503).

A request whose head h11 already parsed (same bytes, see `headcache`) and that arrives whole
between requests is served from that parse without feeding h11: h11 stays idle, and bytes
that arrive while it is answered wait in h11's buffer until the response is out.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import h11

from ._h11 import buffered_bytes, record_response_sent
from .deadline import BodyPace, Deadline, Wait
from .head import RequestHead
from .headcache import HeadShortcut
from .http11 import BODY_HIGH_WATER, PLAIN, HttpCycle, Response, is_event_stream, simple_response
from .limits import Refusal, body_too_large, check_head, protocol_error
from .scope import endpoints, http_scope
from .state import ServerState, logger, wake

if TYPE_CHECKING:
    from .ws import WebSocketSession

__all__ = ["HttpProtocol"]

#: Seconds a connection that has not sent its request yet still gets once a shutdown began.
SHUTDOWN_HEAD_GRACE = 1.0


class HttpProtocol(asyncio.Protocol):
    """One client connection."""

    __slots__ = (
        "_body_size",
        "_closed",
        "_deadline",
        "_discarding",
        "_drain_waiter",
        "_head_bytes",
        "_heads",
        "_pace",
        "_read_paused",
        "client",
        "config",
        "conn",
        "cycle",
        "loop",
        "scheme",
        "server",
        "state",
        "task",
        "transport",
        "write_paused",
        "ws",
    )

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.config = state.config
        self.loop = state.loop
        self.conn = h11.Connection(
            h11.SERVER, max_incomplete_event_size=self.config.max_header_size
        )
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.client: tuple[str, int] | None = None
        self.server: tuple[str, int | None] | None = None
        self.scheme = "http"
        self.cycle: HttpCycle | None = None
        self.task: asyncio.Task[None] | None = None
        self.ws: WebSocketSession | None = None
        self.write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._read_paused = False
        self._closed = False
        self._discarding = False
        self._head_bytes = 0
        self._body_size = 0
        self._deadline = Deadline(self.loop, self._on_deadline)
        self._pace = BodyPace(self.loop, self.config)
        self._heads = HeadShortcut(state.heads)

    # --- asyncio.Protocol -----------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (uvloop's transports implement the interface without subclassing it.)
        self.transport = transport  # type: ignore[assignment]
        state = self.state
        state.connections.add(self)
        self.client, self.server, self.scheme = endpoints(transport)
        # (Accepted just before a shutdown closed the listener: served once, then closed.)
        count, limit = len(state.connections), self.config.max_connections
        if count > limit:
            logger.info("refusing a connection: %d open (limit %d)", count, limit)
            self.reject(503, "Service Unavailable")
            return
        self._deadline.set(self.config.request_head_timeout, Wait.HEAD)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self.state.connections.discard(self)
        self._deadline.stop()
        if self.cycle is not None:
            self.cycle.disconnect()
        if self.ws is not None:
            self.ws.connection_lost()
        wake(self._drain_waiter)

    def data_received(self, data: bytes) -> None:
        if self.ws is not None:
            try:
                self.ws.data_received(data)
            except Exception:  # a bug of ours must cost this connection only
                logger.exception("internal error on the WebSocket from %s", self.client)
                self.transport.abort()
            return
        if self._discarding:
            return
        if self.cycle is None:
            if not self._head_bytes and self._serve_cached(data):
                return
        elif self._heads.serving:
            # h11 is idle while a cached request is answered: keep what comes next
            # unparsed until the response is out (`cycle_done`), as h11 would.
            self._head_bytes += len(data)
            self.conn.receive_data(data)
            if not self._read_paused:
                self._read_paused = True
                self.transport.pause_reading()
            return
        self._head_bytes += len(data)
        deadline = self._deadline
        if self.cycle is None:
            if deadline.wait is not Wait.HEAD:
                deadline.set(self.config.request_head_timeout, Wait.HEAD)
        elif deadline.wait is Wait.BODY and deadline.when is not None:  # (not once it is in)
            self._pace.read()
            deadline.set(self._pace.seconds_left(self._body_size), Wait.BODY)
        try:
            self.conn.receive_data(data)
            self._handle_events()
        except Exception:  # a bug of ours must cost this connection only, never the server
            logger.exception("internal error on the connection from %s", self.client)
            self.transport.abort()
        finally:
            self._heads.forget()

    def _serve_cached(self, data: bytes) -> bool:
        """Serve `data` without h11 if it is exactly a cached head and its whole body."""
        request = self._heads.whole_request(data)
        if request is None:
            return False
        self._start_cycle(*request, from_cache=True)
        return True

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        waiter, self._drain_waiter = self._drain_waiter, None
        wake(waiter)

    # --- used by cycles and sessions ------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Queue bytes for the client (a no-op once the connection is closed)."""
        if not self._closed:
            self.transport.write(data)

    async def drain(self) -> None:
        """Wait until the transport's write buffer is below its high-water mark."""
        while self.write_paused and not self._closed:
            if self._drain_waiter is None:
                self._drain_waiter = self.loop.create_future()
            await asyncio.shield(self._drain_waiter)

    def resume_body(self) -> None:
        """The app consumed the buffered body: read more if reading was paused for it."""
        if self._read_paused and self.cycle is not None and not self.cycle.body_complete:
            self._read_paused = False
            self.transport.resume_reading()

    def cycle_done(self, cycle: HttpCycle) -> None:
        """The response of `cycle` was fully written: move on to the next request."""
        if cycle is not self.cycle:
            return
        self.cycle = None
        conn = self.conn
        if not cycle.keep_alive:
            self.close(linger=not cycle.body_complete)
            return
        if self._heads.serving:
            self._heads.serving = False  # (h11 never saw it: nothing to replay)
        elif not self._replay_response():
            self.close(linger=not cycle.body_complete)
            return
        self._head_bytes = buffered_bytes(conn)  # bytes of heads still to come
        self._deadline.set(self.config.keep_alive_timeout, Wait.IDLE)
        if self._read_paused:
            self._read_paused = False
            self.transport.resume_reading()
        if buffered_bytes(conn):  # pipelined requests already received
            self._handle_events()

    def _replay_response(self) -> bool:
        """Tell h11 the response was sent and ready it for the next request; False if the
        request was not read to its end (the connection cannot be reused)."""
        try:
            # HttpCycle serialised the response itself; replaying it to h11's state machine
            # keeps keep-alive, pipelining and protocol-switch bookkeeping exact.
            record_response_sent(self.conn)
        except h11.LocalProtocolError:
            return False
        return True

    def abort_cycle(self, cycle: HttpCycle) -> None:
        """`cycle` cannot finish its response: drop the connection."""
        cycle.disconnect()
        if cycle is self.cycle:
            self.cycle = None
            self.close(linger=False)

    def refuse(self, refusal: Refusal) -> None:
        """Log why the request is refused, answer it (`reject`) and close."""
        logger.info("refusing a request from %s: %s", self.client, refusal.log)
        self.reject(refusal.status, refusal.message, refusal.content_type)

    def reject(self, status: int, message: str, body_type: bytes = PLAIN) -> None:
        """Answer an error ourselves (the app never saw, or may no longer answer) and close."""
        cycle = self.cycle
        if cycle is not None:
            if cycle.response is not Response.NOT_STARTED:
                self.abort_cycle(cycle)
                return
            cycle.response = Response.COMPLETE
            cycle.disconnect()
            self.cycle = None
        self.write(simple_response(status, message, self.state.date_header, content_type=body_type))
        self.close(linger=True)

    def close(self, *, linger: bool) -> None:
        """Close the connection; with `linger`, half-close first and discard what the client
        still sends, so that unread input does not turn our last response into a reset."""
        if self._closed or self.transport.is_closing():
            return
        if linger and self.transport.can_write_eof():
            self._discarding = True
            self.transport.write_eof()
            if self._read_paused:
                self._read_paused = False
                self.transport.resume_reading()
            self._deadline.set(1.0, Wait.LINGER)
        else:
            self.transport.close()

    def shutdown(self) -> None:
        """Graceful shutdown: finish the current response, then close."""
        if self.ws is not None:
            self.ws.shutdown()
        elif self.cycle is None and self._deadline.wait is Wait.HEAD:
            # A new connection, or a head on its way: the client expects an answer (it may
            # have connected a moment before another worker took over). Answer it, then
            # close; a client that sends nothing is closed after SHUTDOWN_HEAD_GRACE.
            limit = min(self.config.request_head_timeout, SHUTDOWN_HEAD_GRACE)
            self._deadline.set(limit, Wait.HEAD)
        elif self.cycle is None:
            self.close(linger=False)
        elif self.cycle.response is Response.STREAMING and is_event_stream(self.cycle.headers):
            # An event stream (SSE) never ends by itself: end it now, so the app sees
            # http.disconnect and stops its subscriptions instead of holding the shutdown.
            self.abort_cycle(self.cycle)
        else:
            self.cycle.keep_alive = False

    # --- h11 events -------------------------------------------------------------------------
    def _handle_events(self) -> None:
        conn = self.conn
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as error:
                self.refuse(protocol_error(self.config, error, conn.trailing_data[0]))
                return
            kind = type(event)
            if kind is h11.Data:
                self._on_body(event.data)  # type: ignore[union-attr]
                if self.cycle is None:
                    return
            elif kind is h11.Request:
                self._on_request(event)  # type: ignore[arg-type]
                if self.cycle is None:
                    return
            elif kind is h11.EndOfMessage:
                cycle = self.cycle
                if cycle is not None:
                    cycle.end_of_body()
                if self._deadline.wait is Wait.BODY:
                    self._deadline.clear()
                # Anything after this belongs to the next request, which waits until this
                # one is answered (`cycle_done`): pipelined requests are answered in order.
                return
            elif event is h11.NEED_DATA:
                return
            elif event is h11.PAUSED:
                if not self._read_paused:
                    self._read_paused = True
                    self.transport.pause_reading()
                return
            else:  # ConnectionClosed
                return

    def _on_body(self, data: bytes) -> None:
        cycle = self.cycle
        if cycle is None:
            return
        self._body_size += len(data)
        if self._body_size > self.config.max_body_size:
            self.refuse(body_too_large(self.config))
            return
        cycle.feed_body(data)
        if cycle.buffered > BODY_HIGH_WATER and not self._read_paused:
            self._read_paused = True
            self.transport.pause_reading()

    def _on_request(self, event: h11.Request) -> None:
        buffered = buffered_bytes(self.conn)  # what follows this head
        # `_head_bytes` counts what arrived since the head began: the head is the difference,
        # to the byte, however the client's writes were split or served.
        head_length = self._head_bytes - buffered
        self._head_bytes = buffered
        head = check_head(self.config, event, head_length)
        if isinstance(head, Refusal):
            self.refuse(head)
            return
        self._heads.learn(head, head_length)
        if head.upgrade and head.method == "GET":
            if self.state.shutting_down:  # (a WebSocket would outlive the drain: go elsewhere)
                self.reject(503, "Service Unavailable: shutting down")
                return
            from .ws import WebSocketSession  # (wsproto is loaded on the first upgrade only)

            self._deadline.stop()  # (the WebSocket keeps its own timers)
            self.ws = WebSocketSession(self, event, http_scope(self, head))
            self.ws.start(self.conn.trailing_data[0])
            del self.conn  # (HTTP is over on this connection: its bytes go to self.ws now)
            return
        self._start_cycle(head)

    def _start_cycle(
        self, head: RequestHead, body: bytes | None = None, *, from_cache: bool = False
    ) -> None:
        """Run the app for the request `head`; `body`: the whole body, when already here."""
        self._body_size = 0
        self._heads.serving = from_cache
        cycle = self.cycle = HttpCycle(
            self, http_scope(self, head), keep_alive=head.keep_alive, expect_continue=head.expect
        )
        if body is not None:
            if body:
                cycle.feed_body(body)
            cycle.end_of_body()
            self._deadline.clear()
        elif head.content_length > 0 or head.chunked:
            self._pace.start()
            self._deadline.set(self._pace.seconds_left(0), Wait.BODY)
        else:
            self._deadline.clear()
        self.task = self.state.start(cycle.run(self.state.app))

    # --- timeouts ---------------------------------------------------------------------------
    def _on_deadline(self, wait: Wait) -> None:
        if self._closed:
            return
        if wait is Wait.HEAD and self._head_bytes:
            logger.info("request head from %s timed out", self.client)
            self.reject(408, "Request Timeout")
        elif wait is Wait.BODY and self.cycle is not None:
            if self.cycle.waiter is None:
                # The app is not waiting for the body (busy, or reading paused for it):
                # that is not the client's slowness. Count again from now.
                self._pace.start(self._body_size)
            left = self._pace.seconds_left(self._body_size)
            if left > 0:  # (the bytes of the last read earned more time)
                self._deadline.set(left, Wait.BODY)
                return
            logger.info("request body from %s timed out", self.client)
            self.reject(408, "Request Timeout")
        else:
            self.transport.close()
