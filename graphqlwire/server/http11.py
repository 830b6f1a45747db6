"""One HTTP/1.1 request/response cycle: the ASGI ``receive``/``send`` pair of a request.

The connection (`connection.py`) feeds parsed request events in (`feed_body`,
`end_of_body`, `disconnect`); the application drives `receive` and `send`. The response head
is serialised here rather than by h11 (it is the hottest path of the server); the connection
then tells h11 the response happened so its state machine stays consistent.

Response framing follows RFC 9112 §6: a body sent whole with the start gets a
``content-length``; a streamed body without one is chunked for HTTP/1.1 clients and
delimited by closing the connection for HTTP/1.0 clients.
"""

from __future__ import annotations

import asyncio
import enum
from http import HTTPStatus
from typing import Any

from ..types import ASGIApp, Message, Scope
from .head import comma_tokens
from .state import ClientConnection, ClientDisconnected, logger, wake

__all__ = ["HttpCycle", "RequestBody", "Response", "is_event_stream", "simple_response"]

#: Read no more than this much unconsumed request body before pausing the socket.
BODY_HIGH_WATER = 64 * 1024
#: Bodies smaller than this are copied to join their head/framing in one write.
COPY_LIMIT = 64 * 1024

STATUS_LINES: dict[int, bytes] = {
    status.value: b"HTTP/1.1 %d %s\r\n" % (status.value, status.phrase.encode())
    for status in HTTPStatus
}
NO_BODY_STATUSES = frozenset({204, 304, *range(100, 200)})
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
PLAIN = b"text/plain; charset=utf-8"
CLOSE_HEADER = b"connection: close\r\n"
CHUNKED_HEADER = b"transfer-encoding: chunked\r\n"
LAST_CHUNK = b"0\r\n\r\n"
FRAMING_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"connection"})


def status_line(status: int) -> bytes:
    """``HTTP/1.1 <status> <reason>\\r\\n`` (cached for the registered codes)."""
    line = STATUS_LINES.get(status)
    if line is None:
        if not 200 <= status <= 999:
            raise RuntimeError(f"invalid response status {status!r}")
        line = b"HTTP/1.1 %d \r\n" % status
    return line


def simple_response(
    status: int,
    message: str,
    date: bytes,
    *,
    close: bool = True,
    content_type: bytes = PLAIN,
    headers: bytes = b"",
) -> bytes:
    """A complete response the server sends on its own (errors, limits): `message` is the
    body, of `content_type` (plain text unless told); `headers` are extra header lines,
    each ending in CRLF."""
    body = message.encode()
    return b"".join(
        (
            status_line(status),
            date,
            b"content-type: %s\r\ncontent-length: %d\r\n" % (content_type, len(body)),
            headers,
            CLOSE_HEADER if close else b"",
            b"\r\n",
            body,
        )
    )


class RequestBody(enum.Enum):
    """How much of the request body has arrived, and been handed to the app."""

    ARRIVING = "more of the body is to come"
    RECEIVED = "the whole body arrived; some of it may still wait for the app"
    CONSUMED = "receive returned the last of the body"


class Response(enum.Enum):
    """How far the response has got."""

    NOT_STARTED = "waiting for http.response.start"
    STARTED = "http.response.start received, the head not written yet"
    STREAMING = "the head is written, more body is to come"
    COMPLETE = "the whole response is written (or the server answered instead)"


# Bound to module names because they are read on every request, and a global is cheaper to
# read than an enum member.
ARRIVING, RECEIVED, CONSUMED = RequestBody
NOT_STARTED, STARTED, STREAMING, COMPLETE = Response


class HttpCycle:
    """The ASGI side of one request: body buffering, response framing, disconnects.

    Two state machines: `request_body` (`RequestBody`) and `response` (`Response`);
    ``disconnected`` can happen in any of their states.
    """

    __slots__ = (
        "body",
        "buffered",
        "chunked",
        "disconnected",
        "expect_continue",
        "headers",
        "is_head",
        "keep_alive",
        "length_left",
        "protocol",
        "request_body",
        "response",
        "scope",
        "sent",
        "status",
        "waiter",
    )

    def __init__(
        self, protocol: ClientConnection, scope: Scope, *, keep_alive: bool, expect_continue: bool
    ) -> None:
        self.protocol = protocol
        self.scope = scope
        self.keep_alive = keep_alive
        self.expect_continue = expect_continue
        #: Request body chunks received but not yet handed to the app.
        self.body: list[bytes] = []
        self.request_body = ARRIVING
        #: Bytes of request body received but not yet handed to the app.
        self.buffered = 0
        self.disconnected = False
        self.response = NOT_STARTED
        self.is_head = scope["method"] == "HEAD"
        self.chunked = False
        #: Bytes still owed for a response with a ``content-length`` (-1: not length-framed).
        self.length_left = -1
        self.status = 0
        self.headers: Any = ()
        self.waiter: asyncio.Future[None] | None = None
        #: Response body bytes the app sent (counted for the access log only).
        self.sent = 0

    @property
    def body_complete(self) -> bool:
        """Whether the whole request body arrived."""
        return self.request_body is not ARRIVING

    # --- events from the connection -------------------------------------------------------
    def feed_body(self, data: bytes) -> None:
        """A piece of request body arrived."""
        self.body.append(data)
        self.buffered += len(data)
        self._wake()

    def end_of_body(self) -> None:
        """The request body is complete."""
        self.request_body = RECEIVED
        self._wake()

    def disconnect(self) -> None:
        """The client went away (or the connection was closed under the request)."""
        self.disconnected = True
        self._wake()

    def _wake(self) -> None:
        waiter, self.waiter = self.waiter, None
        wake(waiter)

    # --- ASGI -----------------------------------------------------------------------------
    async def run(self, app: ASGIApp) -> None:
        """Run the application for this request and clean up after it, whatever it does."""
        try:
            await app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            logger.debug("client disconnected before the response was sent")
        except asyncio.CancelledError:
            self.protocol.abort_cycle(self)
            raise
        except BaseException as error:
            if self.disconnected:
                # Typically the app's own "client went away" exception: not a server error.
                logger.info("ASGI application raised after the client left: %r", error)
            else:
                logger.error("Exception in ASGI application", exc_info=error)
            self._fail(500)
            if not isinstance(error, Exception):
                raise
        else:
            response = self.response
            if self.disconnected or response is COMPLETE:
                return
            if response is NOT_STARTED:
                logger.error("ASGI application returned without starting a response")
                self._fail(500)
            else:
                logger.error("ASGI application returned without completing the response")
                self._fail(0)

    def _fail(self, status: int) -> None:
        """Answer `status` if nothing was sent yet, else cut the connection."""
        response = self.response
        if self.disconnected or response is COMPLETE:
            return
        if status and response is not STREAMING:
            self.response = COMPLETE
            self.keep_alive = False
            protocol = self.protocol
            protocol.write(
                simple_response(status, "Internal Server Error", protocol.state.date_header)
            )
            protocol.cycle_done(self)
        else:
            self.protocol.abort_cycle(self)

    async def receive(self) -> Message:
        """Next ``http.request`` chunk, or ``http.disconnect`` once the client is gone."""
        if self.expect_continue:
            self.expect_continue = False
            if self.response is NOT_STARTED and not self.disconnected:
                self.protocol.write(CONTINUE)
        if self.request_body is CONSUMED:
            # ASGI: after the last body chunk, receive blocks until the client disconnects
            # (a finished response counts as the end of the exchange, as in uvicorn).
            while not self.disconnected and self.response is not COMPLETE:
                await self._wait()
            return {"type": "http.disconnect"}
        while not self.body and self.request_body is ARRIVING and not self.disconnected:
            self.protocol.resume_body()
            await self._wait()
        if self.disconnected:
            return {"type": "http.disconnect"}
        body = self.body[0] if len(self.body) == 1 else b"".join(self.body)
        self.body.clear()
        self.buffered = 0
        if self.request_body is ARRIVING:
            self.protocol.resume_body()
            return {"type": "http.request", "body": body, "more_body": True}
        self.request_body = CONSUMED
        return {"type": "http.request", "body": body, "more_body": False}

    async def _wait(self) -> None:
        self.waiter = self.protocol.state.loop.create_future()
        await self.waiter

    async def send(self, message: Message) -> None:
        """Write the response: ``http.response.start`` then ``http.response.body`` messages."""
        protocol = self.protocol
        if protocol.write_paused:
            await protocol.drain()
        if self.disconnected:
            raise ClientDisconnected("client disconnected")
        kind = message["type"]
        response = self.response
        if response is NOT_STARTED:
            self._start(kind, message)
            return
        if response is COMPLETE:
            raise RuntimeError(f"{kind!r} sent after the response was complete")
        if kind != "http.response.body":
            raise RuntimeError(f"expected 'http.response.body', got {kind!r}")
        body: bytes = message.get("body", b"")
        more_body: bool = message.get("more_body", False)
        access_log = protocol.state.access_log
        if access_log is not None:
            self.sent += len(body)
        if response is STARTED:
            head = self._head(None if more_body else len(body))
            self.response = STREAMING
            if self.is_head or self.status in NO_BODY_STATUSES:
                protocol.write(head)
            else:
                self._write_body(head, body)
        elif body and not self.is_head and self.status not in NO_BODY_STATUSES:
            self._write_body(b"", body)
        if not more_body:
            if self.chunked and not self.is_head:
                protocol.write(LAST_CHUNK)
            self.response = COMPLETE
            if self.length_left > 0:
                logger.warning("response shorter than its content-length; closing")
                self.keep_alive = False
            if access_log is not None:
                access_log.request(self.scope, self.status, self.sent)
            protocol.cycle_done(self)
            self._wake()

    def _start(self, kind: str, message: Message) -> None:
        """Take ``http.response.start``: the head is written with the first body message."""
        if kind != "http.response.start":
            raise RuntimeError(f"expected 'http.response.start', got {kind!r}")
        self.response = STARTED
        self.status = message["status"]
        self.headers = message.get("headers", ())
        access_log = self.protocol.state.access_log
        if access_log is not None and is_event_stream(self.headers):
            access_log.opened(self.scope, "sse")

    def _write_body(self, prefix: bytes, body: bytes) -> None:
        """Write `prefix` (the head, if still unsent) and `body`, framed.

        Small pieces go out in one write (one syscall, one packet); a large body is not
        copied just to glue a few framing bytes to it.
        """
        write = self.protocol.write
        if self.chunked:
            if not body:
                if prefix:
                    write(prefix)
                return
            if len(body) < COPY_LIMIT:
                write(b"%s%x\r\n%s\r\n" % (prefix, len(body), body))
            else:
                write(b"%s%x\r\n" % (prefix, len(body)))
                write(body)
                write(b"\r\n")
            return
        self._count(body)
        if not prefix:
            write(body)
        elif len(body) < COPY_LIMIT:
            write(prefix + body)
        else:
            write(prefix)
            write(body)

    def _count(self, body: bytes) -> None:
        if self.length_left >= 0:
            self.length_left -= len(body)
            if self.length_left < 0:
                raise RuntimeError("response body longer than its content-length")

    def _head(self, whole_length: int | None) -> bytes:
        """Serialise the response head; decide framing and keep-alive."""
        status = self.status
        lines = [status_line(status), self.protocol.state.date_header]
        content_length = -1
        for name, value in self.headers:
            lowered = name.lower()
            if lowered in FRAMING_HEADERS:
                if lowered == b"content-length":
                    content_length = int(value)
                elif lowered == b"connection":
                    if b"close" in comma_tokens(value):
                        self.keep_alive = False
                    continue
                else:  # transfer-encoding: we frame the body ourselves
                    continue
            lines.append(b"%s: %s\r\n" % (name, value))
        if status in NO_BODY_STATUSES:
            pass
        elif content_length >= 0:
            self.length_left = content_length if not self.is_head else -1
        elif whole_length is not None:
            if whole_length or not self.is_head:
                lines.append(b"content-length: %d\r\n" % whole_length)
        elif self.scope["http_version"] == "1.1":
            self.chunked = True
            lines.append(CHUNKED_HEADER)
        else:
            self.keep_alive = False
        if self.request_body is ARRIVING and not self.disconnected:
            # The app answers before the body is in: we will not read the rest of it.
            self.keep_alive = False
        if not self.keep_alive or self.protocol.state.shutting_down:
            self.keep_alive = False
            lines.append(CLOSE_HEADER)
        lines.append(b"\r\n")
        head = b"".join(lines)
        # Header injection guard: every header line must end exactly where we ended it.
        lf = len(lines)
        if head.count(b"\n") != lf or head.count(b"\r") != lf:
            raise RuntimeError("invalid character in response header")
        return head


def is_event_stream(headers: Any) -> bool:
    """Whether a response's headers label it ``text/event-stream`` (an SSE stream)."""
    for name, value in headers:
        if name.lower() == b"content-type":
            return bytes(value).split(b";", 1)[0].strip().lower() == b"text/event-stream"
    return False
