"""Reading a ``Transfer-Encoding: chunked`` request body for the bundled ``wsgiref`` server.

The standard library's WSGI server hands the raw socket to the app: a chunked body (a
streamed upload, whose size the client does not know in advance) reaches the app with its
chunk framing and without ``CONTENT_LENGTH``, so the app cannot tell where it ends.
``ChunkedBody`` removes the framing (RFC 9112 §7.1) and ends at the last chunk, so the
server can set ``wsgi.input_terminated`` and the app reads it until EOF, applying its
own body limit as it goes.

Framing errors (a bad chunk size, a missing CRLF, trailers over their limits) and a
client that disconnects mid-body raise ``HttpBadRequestError``: a graphqlwire app answers
400 with the reason; another app sees the exception.
"""

from __future__ import annotations

import io

from ..http import HttpBadRequestError

#: Longest chunk-size line (size, extensions, CRLF) and trailer line accepted.
MAX_LINE = 4096
#: Most trailer fields after the last chunk.
MAX_TRAILERS = 100
#: Most hex digits in a chunk size (16 is 2**64 - 1 bytes, more than anyone sends).
_MAX_SIZE_DIGITS = 16
_HEX = frozenset(b"0123456789abcdefABCDEF")


class ChunkedBody(io.RawIOBase):
    """A raw binary stream of the de-chunked body read from `stream`.

    Wrap it in ``io.BufferedReader`` to get ``readline`` and ``read(n)`` as PEP 3333
    wants them. Closing it closes `stream`.

    # Required arguments

    `stream`: the connection's buffered input, positioned at the start of the body.
    """

    def __init__(self, stream: io.BufferedIOBase) -> None:
        super().__init__()
        self._stream = stream
        self._left = 0  # bytes left in the current chunk
        self._done = False

    def readable(self) -> bool:
        """Always True: this is an input stream."""
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill `buffer` with body bytes from the current chunk; 0 after the last chunk.

        After a framing error the body reads as ended: what follows cannot be trusted.
        """
        if self._done or not len(buffer):
            return 0
        try:
            return self._read_into(buffer)
        except HttpBadRequestError:
            self._done = True
            raise

    def _read_into(self, buffer: memoryview | bytearray) -> int:
        if not self._left:
            self._left = self._next_chunk_size()
            if not self._left:
                self._read_trailers()
                self._done = True
                return 0
        data = self._stream.read1(min(len(buffer), self._left))
        if not data:
            raise _ended_early()
        size = len(data)
        buffer[:size] = data
        self._left -= size
        if not self._left:
            self._expect_crlf()
        return size

    def close(self) -> None:
        """Close this stream and the connection's input under it."""
        super().close()
        self._stream.close()

    def _line(self, what: str) -> bytes:
        line = self._stream.readline(MAX_LINE + 1)
        if not line:
            raise _ended_early()
        if len(line) > MAX_LINE:
            raise HttpBadRequestError(
                f"Malformed chunked request body: a {what} line is over {MAX_LINE} bytes."
            )
        return line

    def _next_chunk_size(self) -> int:
        line = self._line("chunk size")
        digits = line.split(b";", 1)[0].strip()
        if not digits or len(digits) > _MAX_SIZE_DIGITS or not _HEX.issuperset(digits):
            raise HttpBadRequestError(
                f"Malformed chunked request body: invalid chunk size {line[:40]!r}."
            )
        return int(digits, 16)

    def _expect_crlf(self) -> None:
        if self._line("chunk end") not in (b"\r\n", b"\n"):
            raise HttpBadRequestError(
                "Malformed chunked request body: a chunk is longer than its size says."
            )

    def _read_trailers(self) -> None:
        for _ in range(MAX_TRAILERS + 1):
            if self._line("trailer") in (b"\r\n", b"\n"):
                return
        raise HttpBadRequestError(
            f"Malformed chunked request body: more than {MAX_TRAILERS} trailer fields."
        )


def _ended_early() -> HttpBadRequestError:
    return HttpBadRequestError(
        "The chunked request body ended before its last chunk: the client gave up."
    )
