"""``WebSocket``: one ASGI WebSocket connection, with the ASGI message order enforced.

Two state machines run side by side, one per direction (the shape Starlette uses):

- ``client_state`` follows what ``receive()`` returned: ``CONNECTING`` until the
  ``websocket.connect`` message, ``CONNECTED`` until ``websocket.disconnect``, then
  ``DISCONNECTED``.
- ``application_state`` follows what the application sent: ``CONNECTING`` until
  ``websocket.accept`` (or a close, or a denial response), ``CONNECTED`` until
  ``websocket.close``, then ``DISCONNECTED``.

A message that is illegal in the current state raises ``RuntimeError`` instead of being
passed on to the server, so a bug shows up at the line that caused it. The connection
scope is kept as is (``websocket.scope is scope``): what a hook writes there (for example
``scope["connection_params"]``, set by the GraphQL handlers on ``connection_init``) is seen
by every later step on the same connection.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from typing import Any

from .._json import compact_encoder, loads
from ..types import ASGIApp, Message, Receive, Scope, Send
from ._datastructures import URL, Headers, QueryParams

#: The ASGI extension that lets an application answer the handshake with an HTTP response.
DENIAL_RESPONSE_EXTENSION = "websocket.http.response"

#: Strict compact JSON for ``send_json``: NaN and infinities raise ``ValueError``.
_encode_json = compact_encoder(allow_nan=False)


class WebSocketState(enum.Enum):
    """Where one direction of the connection is (see the module docstring)."""

    CONNECTING = 0
    CONNECTED = 1
    DISCONNECTED = 2
    #: The application is sending an HTTP denial response instead of accepting.
    RESPONSE = 3


class WebSocketDisconnect(Exception):
    """The client went away (or a send found the connection already gone)."""

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason or ""


class WebSocket:
    """An ASGI WebSocket connection: its scope, and checked ``receive`` / ``send``."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            raise ValueError(f"WebSocket needs a 'websocket' scope, not {scope['type']!r}")
        self.scope = scope
        self._receive = receive
        self._send = send
        self.client_state = WebSocketState.CONNECTING
        self.application_state = WebSocketState.CONNECTING

    # --- connection details ----------------------------------------------------------
    @property
    def headers(self) -> Headers:
        """The handshake request's headers (case-insensitive, multi-valued)."""
        return Headers(scope=self.scope)

    @property
    def query_params(self) -> QueryParams:
        """The handshake URL's query parameters."""
        return QueryParams(self.scope.get("query_string") or b"")

    @property
    def url(self) -> URL:
        """The URL the client connected to (``ws://`` or ``wss://``)."""
        return URL(scope=self.scope)

    @property
    def client(self) -> tuple[str, int] | None:
        """The client's ``(host, port)``, when the server knows it."""
        client = self.scope.get("client")
        return (client[0], client[1]) if client else None

    @property
    def subprotocols(self) -> list[str]:
        """The subprotocols the client offered, in its order of preference."""
        return list(self.scope.get("subprotocols") or ())

    # --- receiving -------------------------------------------------------------------
    async def receive(self) -> Message:
        """Receive the next ASGI message, checking it is legal in ``client_state``."""
        if self.client_state is WebSocketState.DISCONNECTED:
            raise RuntimeError('Cannot call "receive" once a disconnect message was received.')
        message = await self._receive()
        kind = message["type"]
        if self.client_state is WebSocketState.CONNECTING:
            if kind != "websocket.connect":
                raise RuntimeError(f'Expected "websocket.connect", received {kind!r}.')
            self.client_state = WebSocketState.CONNECTED
        elif kind == "websocket.disconnect":
            self.client_state = WebSocketState.DISCONNECTED
        elif kind != "websocket.receive":
            raise RuntimeError(
                f'Expected "websocket.receive" or "websocket.disconnect", received {kind!r}.'
            )
        return message

    async def _receive_data(self) -> Message:
        if self.application_state is not WebSocketState.CONNECTED:
            raise RuntimeError('WebSocket is not connected: call "accept" first.')
        message = await self.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        return message

    async def receive_text(self) -> str:
        """The next text frame. A binary frame raises ``TypeError``."""
        text = (await self._receive_data()).get("text")
        if text is None:
            raise TypeError("Expected a text frame, received a binary frame.")
        return str(text)

    async def receive_bytes(self) -> bytes:
        """The next binary frame. A text frame raises ``TypeError``."""
        data = (await self._receive_data()).get("bytes")
        if data is None:
            raise TypeError("Expected a binary frame, received a text frame.")
        return bytes(data)

    async def receive_json(self, mode: str = "text") -> Any:
        """The next frame (text, or binary with ``mode="binary"``) decoded as JSON.

        Invalid JSON, including ``NaN`` and ``Infinity``, raises ``ValueError``.
        """
        if mode == "binary":
            return loads(await self.receive_bytes())
        return loads(await self.receive_text())

    async def iter_text(self) -> AsyncIterator[str]:
        """Text frames until the client disconnects."""
        try:
            while True:
                yield await self.receive_text()
        except WebSocketDisconnect:
            return

    # --- sending ---------------------------------------------------------------------
    async def send(self, message: Message) -> None:
        """Send an ASGI message, checking it is legal in ``application_state``."""
        kind = message["type"]
        state = self.application_state
        if state is WebSocketState.CONNECTED:  # (first: every subscription event comes here)
            if kind == "websocket.close":
                self.application_state = WebSocketState.DISCONNECTED
            elif kind != "websocket.send":
                raise RuntimeError(f'Expected "websocket.send" or "websocket.close", not {kind!r}.')
        elif state is WebSocketState.CONNECTING:
            if kind == "websocket.accept":
                self.application_state = WebSocketState.CONNECTED
            elif kind == "websocket.close":
                self.application_state = WebSocketState.DISCONNECTED
            elif kind == "websocket.http.response.start":
                self.application_state = WebSocketState.RESPONSE
            else:
                raise RuntimeError(
                    f'Expected "websocket.accept" or "websocket.close", not {kind!r}.'
                )
        elif state is WebSocketState.RESPONSE:
            if kind != "websocket.http.response.body":
                raise RuntimeError(f'Expected "websocket.http.response.body", not {kind!r}.')
            if not message.get("more_body", False):
                self.application_state = WebSocketState.DISCONNECTED
        else:
            raise RuntimeError(f"Cannot send {kind!r}: the WebSocket is closed.")
        try:
            await self._send(message)
        except OSError as error:
            # ASGI 2.4: a send after the client went away raises an OSError subclass.
            self.application_state = WebSocketState.DISCONNECTED
            raise WebSocketDisconnect(1006) from error

    async def accept(
        self, subprotocol: str | None = None, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        """Complete the handshake, optionally picking one of the offered subprotocols.

        RFC 6455 section 4.1: the server must not select a subprotocol the client did not
        offer, so that raises ``ValueError``.
        """
        if subprotocol is not None and subprotocol not in self.subprotocols:
            raise ValueError(f"The client did not offer the {subprotocol!r} subprotocol.")
        if self.client_state is WebSocketState.CONNECTING:
            await self.receive()  # the websocket.connect message
        await self.send(
            {"type": "websocket.accept", "subprotocol": subprotocol, "headers": headers or []}
        )

    async def send_text(self, data: str) -> None:
        """Send a text frame."""
        await self.send({"type": "websocket.send", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary frame."""
        await self.send({"type": "websocket.send", "bytes": data})

    async def send_json(self, data: Any, mode: str = "text") -> None:
        """Send ``data`` encoded as JSON in a text (or, with ``mode="binary"``, binary) frame.

        The JSON is compact and strict: NaN and infinities raise ``ValueError``.
        """
        text = _encode_json(data)
        if mode == "binary":
            await self.send_bytes(text.encode())
        else:
            await self.send_text(text)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close the connection (before accept, the server answers the handshake 403)."""
        await self.send({"type": "websocket.close", "code": code, "reason": reason or ""})

    async def send_denial_response(self, response: ASGIApp) -> None:
        """Refuse the handshake with an HTTP response (an ASGI app such as ``Response``).

        Needs the server to advertise the ``websocket.http.response`` extension in
        ``scope["extensions"]``; raises ``RuntimeError`` otherwise, or once accepted.
        """
        if DENIAL_RESPONSE_EXTENSION not in (self.scope.get("extensions") or {}):
            raise RuntimeError("The server does not support the WebSocket denial response.")
        if self.application_state is not WebSocketState.CONNECTING:
            raise RuntimeError("A denial response can only be sent before accepting.")

        async def send(message: Message) -> None:
            # An HTTP response app sends http.response.*; the extension prefixes them.
            kind = message["type"]
            if kind.startswith("http.response."):
                message = {**message, "type": "websocket." + kind}
            await self.send(message)

        await response(self.scope, self.receive, send)
