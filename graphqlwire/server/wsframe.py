"""Server-to-client WebSocket data frames, built directly (RFC 6455 §5.2).

wsproto still parses what clients send and handles the handshake and control frames; the
hot direction, a server sending whole text or binary messages, needs no more than a header
in front of the payload (the same bytes wsproto would send): a server never masks its
frames, and no extension is ever negotiated, so there is no compression or reserved bit.
"""

from __future__ import annotations

import struct

__all__ = ["BINARY", "TEXT", "frame_header"]

#: Opcodes (RFC 6455 §5.2).
TEXT, BINARY = 0x1, 0x2

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
