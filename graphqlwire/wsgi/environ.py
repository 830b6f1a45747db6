"""Reading a WSGI request: the ``environ`` seen as graphqlwire's ``Request``, and its body.

Two jobs, both per request and both cached in the ``environ`` (never on the shared app):

* ``request_for(environ)`` builds the ASGI-style ``http`` scope the shared code reads
  (``Request`` headers and query parameters, explorers' URLs) with the mapping
  ``specs.md`` gives: ``root_path`` = ``SCRIPT_NAME``, ``path`` = ``SCRIPT_NAME`` +
  ``PATH_INFO``, ``query_string`` = ``QUERY_STRING``, headers from ``HTTP_*``,
  ``CONTENT_TYPE`` and ``CONTENT_LENGTH``, ``scheme`` = ``wsgi.url_scheme``.
* ``BodyReader`` reads ``wsgi.input`` in bounded chunks. PEP 3333 says an application
  "should not attempt to read more data than is specified by the CONTENT_LENGTH
  variable": reading past it, or until EOF, blocks on servers (wsgiref) that hand the
  socket straight to the app. So the reader stops after exactly ``CONTENT_LENGTH`` bytes,
  reads until EOF only when the server sets ``wsgi.input_terminated`` (a chunked body
  that the server de-chunks, as gunicorn and ``graphqlwire.wsgi.serve`` do), and refuses
  anything over the size limit with 413 before it is buffered. Hand-built environs (an
  int ``CONTENT_LENGTH``, a text stream, no ``wsgi.input``) are read or refused with a 4xx.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

from ..http import (
    HttpBadRequestError,
    HttpError,
    HttpLengthRequiredError,
    HttpPayloadTooLargeError,
    Request,
)
from ..http._uploads import read_chunks

#: Bytes asked of ``wsgi.input`` per read.
CHUNK_SIZE = 64 * 1024
#: Most unread body bytes skipped after an early answer, so that closing the socket with
#: unread data does not reset the connection before the client reads the answer.
DRAIN_LIMIT = 1024 * 1024

_REQUEST_KEY = "graphqlwire.request"
_BODY_KEY = "graphqlwire.body"


def _native(value: Any) -> str:
    # Hand-built environs hold ints (CONTENT_LENGTH=21) or None where PEP 3333 has str.
    return value if isinstance(value, str) else "" if value is None else str(value)


def _wsgi_text(value: str) -> str:
    # PEP 3333 "native strings" carry the raw bytes as latin-1; ASGI paths are UTF-8 text.
    try:
        return value.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a server that already decoded UTF-8 (against PEP 3333)
        return value


def _wsgi_bytes(value: str) -> bytes:
    return value.encode("latin-1", "replace")


def _port(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() else None


def scope_from_environ(environ: dict[str, Any]) -> dict[str, Any]:
    """The ASGI ``http`` scope describing the same request as a WSGI ``environ``.

    # Required arguments

    `environ`: the WSGI environ.
    """
    headers: list[tuple[bytes, bytes]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key
        else:
            continue
        value = _native(value)
        headers.append((_wsgi_bytes(name.lower().replace("_", "-")), _wsgi_bytes(value)))
    script_name = _native(environ.get("SCRIPT_NAME"))
    root_path = _wsgi_text(script_name)
    path_info = _native(environ.get("PATH_INFO"))
    remote = environ.get("REMOTE_ADDR")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.5"},
        "http_version": _native(environ.get("SERVER_PROTOCOL")).partition("/")[2] or "1.1",
        "method": (_native(environ.get("REQUEST_METHOD")) or "GET").upper(),
        "scheme": environ.get("wsgi.url_scheme", "http"),
        "root_path": root_path,
        "path": root_path + _wsgi_text(path_info),
        "raw_path": _wsgi_bytes(script_name + path_info),
        "query_string": _wsgi_bytes(_native(environ.get("QUERY_STRING"))),
        "headers": headers,
        "server": (environ.get("SERVER_NAME", ""), _port(environ.get("SERVER_PORT"))),
        "client": (remote, _port(environ.get("REMOTE_PORT")) or 0) if remote else None,
        "state": {},
        "extensions": {},
    }


def request_for(environ: dict[str, Any]) -> Request:
    """The ``Request`` view of ``environ`` (headers, query params, URL), built once.

    Its body cannot be read through ``Request``: use ``BodyReader.of(environ)``.

    # Required arguments

    `environ`: the WSGI environ.
    """
    request: Request | None = environ.get(_REQUEST_KEY)
    if request is None:
        request = environ[_REQUEST_KEY] = Request(scope_from_environ(environ))
    return request


class BodyReader:
    """Reads one request body from ``wsgi.input`` without ever reading past its end.

    Hand-built environs (tests) are read too: an int ``CONTENT_LENGTH``, a text stream
    (``io.StringIO``, read as UTF-8), or no ``wsgi.input`` at all (a 400 once the body is
    needed).

    # Required arguments

    `environ`: the WSGI environ.

    # Optional arguments

    `max_body_size`: refuse bodies over this many bytes with 413 (None: no limit).
    """

    def __init__(self, environ: dict[str, Any], max_body_size: int | None = None) -> None:
        self._input: Any = environ.get("wsgi.input")
        self.max_body_size = max_body_size
        self.terminated = bool(environ.get("wsgi.input_terminated"))
        declared = environ.get("CONTENT_LENGTH")
        self._declared = "" if declared is None else str(declared).strip()
        # ASCII digits only: "²" is a latin-1 digit to str.isdigit() but not to int().
        text = self._declared
        self._length = int(text) if text.isascii() and text.isdigit() else None
        self.received = 0
        self.exhausted = False

    @classmethod
    def of(cls, environ: dict[str, Any], max_body_size: int | None = None) -> BodyReader:
        """The reader of this request (created on first use, then shared)."""
        reader: BodyReader | None = environ.get(_BODY_KEY)
        if reader is None:
            reader = environ[_BODY_KEY] = cls(environ, max_body_size)
        return reader

    def content_length(self) -> int | None:
        """The declared length; None for a server-terminated (chunked) body.

        Raises 400 for a malformed ``CONTENT_LENGTH``, 411 when it is missing and the
        server did not set ``wsgi.input_terminated``, and 413 when it is over the limit.
        """
        declared, length = self._declared, self._length
        if declared:
            if length is None:
                raise HttpBadRequestError(
                    f"Invalid Content-Length header {declared[:40]!r}: expected a number of bytes."
                )
            self._check_size(length)
            return length
        if self.terminated:
            return None
        raise HttpLengthRequiredError(
            "Missing Content-Length header: send the request body with a Content-Length."
        )

    def _check_size(self, size: int) -> None:
        limit = self.max_body_size
        if limit is not None and size > limit:
            raise HttpPayloadTooLargeError(
                f"Request body is larger than the limit of {limit} bytes."
            )

    def _source(self, length: int | None) -> tuple[Callable[[int], bytes], int | None]:
        """The read function of the body and its length in bytes (400 without a stream)."""
        stream = self._input
        if not hasattr(stream, "read"):
            raise HttpBadRequestError(
                "The request has no body stream (the WSGI environ has no 'wsgi.input')."
            )
        if isinstance(stream, io.TextIOBase):
            # A text stream counts characters: read them (at most the limit + 1), then
            # go on in bytes.
            limit = self.max_body_size
            size = length if length is not None else -1 if limit is None else limit + 1
            encoded = stream.read(size).encode("utf-8")
            return io.BytesIO(encoded).read, len(encoded)
        return stream.read, length

    def chunks(self, length: int | None = None) -> Iterator[bytes]:
        """Yield the body in chunks of at most ``CHUNK_SIZE`` bytes (413 past the limit).

        `length` is how many bytes to read; None reads the declared ``content_length()``.
        A body that ends before its length is a 400: the client gave up.
        """
        if self.received or self.exhausted:
            raise RuntimeError("The request body was already consumed.")
        if length is None:
            length = self.content_length()
        read, length = self._source(length)
        for data in read_chunks(read, length, CHUNK_SIZE):
            self.received += len(data)
            self._check_size(self.received)
            yield data
        self.exhausted = True
        if length is not None and self.received < length:
            raise HttpBadRequestError(
                f"Request body ended after {self.received} of the {length} bytes announced "
                "by Content-Length."
            )

    def read(self, length: int | None = None) -> bytes:
        """The whole body, read in bounded chunks (see ``chunks``)."""
        return b"".join(self.chunks(length))

    def drain(self, limit: int = DRAIN_LIMIT) -> None:
        """Skip what is left of the body, when that is at most ``limit`` bytes.

        Called after an early answer (415, 413 on a small over-limit body, ...): closing
        a socket that still holds unread request bytes makes TCP reset the connection,
        and the client may lose the answer. A declared-length body is skipped only when
        its rest fits in ``limit``; a server-terminated one is read until it ends or
        ``limit`` bytes were skipped. Bigger bodies are left for the server to cut.
        """
        stream = self._input
        if self.exhausted or not hasattr(stream, "read") or isinstance(stream, io.TextIOBase):
            return
        if self.terminated:
            remaining = limit
        elif self._length is None or self._length - self.received > limit:
            return
        else:
            remaining = self._length - self.received
        try:
            while remaining > 0:
                data = stream.read(min(CHUNK_SIZE, remaining))
                if not data:
                    break
                remaining -= len(data)
        except (OSError, ValueError, HttpError):
            pass  # a broken body or connection: the answer still goes out, the server closes
        self.exhausted = True
