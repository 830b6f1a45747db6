"""Server-to-client WebSocket data frames, built directly (RFC 6455 §5.2).

wsproto still parses what clients send and handles the handshake and control frames; the
hot direction, a server sending whole text or binary messages, needs no more than a header
in front of the payload: a server never masks its frames, and no extension is ever
negotiated, so there is no compression or reserved bit to set.
"""

from __future__ import annotations

import struct

__all__ = ["BINARY", "TEXT", "data_frame"]

#: Opcodes (RFC 6455 §5.2).
TEXT, BINARY = 0x1, 0x2


def data_frame(opcode: int, payload: bytes) -> bytes:
    """One final, unmasked data frame: the same bytes wsproto sends for a whole message."""
    length = len(payload)
    if length < 126:
        return bytes((0x80 | opcode, length)) + payload
    if length < 0x10000:
        return struct.pack("!BBH", 0x80 | opcode, 126, length) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, length) + payload
