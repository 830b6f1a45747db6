"""Server-to-client WebSocket data frames, built directly (RFC 6455 §5.2), and close codes.

wsproto still parses what clients send and handles the handshake and control frames; the
hot direction, a server sending whole text or binary messages, needs no more than a header
in front of the payload (the same bytes wsproto would send): a server never masks its
frames, and no extension is ever negotiated, so there is no compression or reserved bit.
"""

from __future__ import annotations

import struct

__all__ = [
    "BINARY",
    "GOING_AWAY",
    "INTERNAL_ERROR",
    "TEXT",
    "TOO_BIG",
    "frame_header",
    "valid_close_code",
]

#: Opcodes (RFC 6455 §5.2).
TEXT, BINARY = 0x1, 0x2
#: Close codes the server sends itself (RFC 6455 §7.4.1).
GOING_AWAY, INTERNAL_ERROR, TOO_BIG = 1001, 1011, 1009

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
