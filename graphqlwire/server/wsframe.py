"""Server-to-client WebSocket data frames, built directly (RFC 6455 §5.2), and close codes;
the reassembly of the client's fragmented messages; the checks of the app's messages.

wsproto still parses what clients send and handles the handshake and control frames; the
hot direction, a server sending whole text or binary messages, needs no more than a header
in front of the payload (the same bytes wsproto would send): a server never masks its
frames, and no extension is ever negotiated, so there is no compression or reserved bit.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from typing import Any

from ..types import Message

__all__ = [
    "BINARY",
    "GOING_AWAY",
    "INTERNAL_ERROR",
    "TEXT",
    "TOO_BIG",
    "FrameWriter",
    "MessageAssembler",
    "MessageTooBig",
    "check_message",
    "frame_header",
    "valid_close_code",
]

#: Opcodes (RFC 6455 §5.2).
TEXT, BINARY = 0x1, 0x2
#: Close codes the server sends itself (RFC 6455 §7.4.1).
GOING_AWAY, INTERNAL_ERROR, TOO_BIG = 1001, 1011, 1009

#: Coalesced outgoing frames are written at the end of the loop iteration, or as soon as
#: this many bytes are waiting.
WRITE_COALESCE_LIMIT = 64 * 1024

#: The headers of short text and binary frames, made once: most messages are short.
_SHORT_HEADERS = {
    opcode: tuple(bytes((0x80 | opcode, length)) for length in range(126))
    for opcode in (TEXT, BINARY)
}


def frame_header(opcode: int, length: int) -> bytes:
    """The header of one final, unmasked data frame whose payload is `length` bytes long."""
    if length < 126:
        return _SHORT_HEADERS[opcode][length]
    if length < 0x10000:
        return struct.pack("!BBH", 0x80 | opcode, 126, length)
    return struct.pack("!BBQ", 0x80 | opcode, 127, length)


def valid_close_code(code: object) -> bool:
    """Whether an application may send `code` in a close frame (RFC 6455 §7.4).

    1004-1006 and 1015 are reserved (never on the wire); the rest of 1000-2999 is left to
    the protocol (only 1012-1014 have been assigned since); 3000-4999 are for libraries and
    applications.
    """
    return (
        isinstance(code, int)
        and not isinstance(code, bool)
        and (1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999)
    )


class FrameWriter:
    """Writes data frames sent in one loop iteration in one write, in order with the rest."""

    __slots__ = ("_loop", "_out", "_size", "_write")

    def __init__(self, loop: asyncio.AbstractEventLoop, write: Callable[[bytes], None]) -> None:
        self._loop = loop
        self._write = write
        self._out: list[bytes] = []
        self._size = 0

    def queue(self, opcode: int, payload: bytes) -> None:
        """Queue a data frame, written at the end of this loop iteration (or when many wait).

        The header and the payload are queued apart, so that the payload is copied once,
        into the joined write, rather than first into a frame of its own.
        """
        out = self._out
        if not out:
            self._loop.call_soon(self.flush)
        header = frame_header(opcode, len(payload))
        out.append(header)
        out.append(payload)
        self._size += len(header) + len(payload)
        if self._size >= WRITE_COALESCE_LIMIT:
            self.flush()

    def flush(self) -> None:
        """Write the queued data frames now."""
        out = self._out
        if out:
            data = b"".join(out)
            out.clear()
            self._size = 0
            self._write(data)

    def write(self, data: bytes) -> None:
        """Write control or handshake bytes after any queued data frames."""
        self.flush()
        self._write(data)


class MessageTooBig(Exception):
    """A client's message grew past the size limit."""


class MessageAssembler:
    """Joins the fragments of the client's messages, refusing any past ``max_size``.

    Text is measured in characters (wsproto validated its UTF-8 already), bytes in bytes.
    """

    __slots__ = ("_parts", "_size", "max_size")

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._parts: list[Any] = []  # the text or the bytes fragments of one message
        self._size = 0

    def add(self, data: str | bytes | bytearray, finished: bool) -> str | bytes | bytearray | None:
        """The whole message once its last fragment is added, None before.

        Raises ``MessageTooBig`` once the message so far is over ``max_size``.
        """
        self._size += len(data)
        if self._size > self.max_size:
            raise MessageTooBig(self.max_size)
        if not finished:
            self._parts.append(data)
            return None
        self._size = 0
        if not self._parts:
            return data
        self._parts.append(data)
        whole = ("" if isinstance(data, str) else b"").join(self._parts)
        self._parts = []
        return whole


def check_message(kind: str, message: Message) -> None:
    """Refuse a malformed ``websocket.close`` or ``websocket.send`` whatever the phase."""
    if kind == "websocket.close":
        code = message.get("code")
        if code is not None and not valid_close_code(code):
            raise RuntimeError(f"invalid WebSocket close code {code!r}")
    elif kind == "websocket.send" and (message.get("text") is None) == (
        message.get("bytes") is None
    ):
        raise RuntimeError("'websocket.send' needs exactly one of 'text' and 'bytes'")
