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
  that the server de-chunks, as gunicorn does), and refuses anything over the size limit
  with 413 before it is buffered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from ..http import HttpBadRequestError, HttpError, HttpPayloadTooLargeError, Request
from ..http._uploads import read_chunks

#: Bytes asked of ``wsgi.input`` per read.
CHUNK_SIZE = 64 * 1024
#: Most unread body bytes skipped after an early answer, so that closing the socket with
#: unread data does not reset the connection before the client reads the answer.
DRAIN_LIMIT = 1024 * 1024

_REQUEST_KEY = "graphqlwire.request"
_BODY_KEY = "graphqlwire.body"


class HttpLengthRequiredError(HttpError):
    """A POST without ``Content-Length`` on a server that did not de-chunk the body."""

    status, reason = 411, "Length Required"


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
        headers.append((_wsgi_bytes(name.lower().replace("_", "-")), _wsgi_bytes(value)))
    root_path = _wsgi_text(environ.get("SCRIPT_NAME", ""))
    path_info = environ.get("PATH_INFO", "")
    remote = environ.get("REMOTE_ADDR")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.5"},
        "http_version": environ.get("SERVER_PROTOCOL", "HTTP/1.1").partition("/")[2] or "1.1",
        "method": environ.get("REQUEST_METHOD", "GET").upper(),
        "scheme": environ.get("wsgi.url_scheme", "http"),
        "root_path": root_path,
        "path": root_path + _wsgi_text(path_info),
        "raw_path": _wsgi_bytes(environ.get("SCRIPT_NAME", "") + path_info),
        "query_string": _wsgi_bytes(environ.get("QUERY_STRING", "")),
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

    # Required arguments

    `environ`: the WSGI environ.

    # Optional arguments

    `max_body_size`: refuse bodies over this many bytes with 413 (None: no limit).
    """

    def __init__(self, environ: dict[str, Any], max_body_size: int | None = None) -> None:
        self._input: IO[bytes] = environ["wsgi.input"]
        self.max_body_size = max_body_size
        self.terminated = bool(environ.get("wsgi.input_terminated"))
        declared: str = (environ.get("CONTENT_LENGTH") or "").strip()
        self._declared = declared
        # ASCII digits only: "²" is a latin-1 digit to str.isdigit() but not to int().
        self._length = int(declared) if declared.isascii() and declared.isdigit() else None
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

    def chunks(self) -> Iterator[bytes]:
        """Yield the body in chunks of at most ``CHUNK_SIZE`` bytes (413 past the limit).

        A body that ends before its declared length is a 400: the client gave up.
        """
        if self.received or self.exhausted:
            raise RuntimeError("The request body was already consumed.")
        length = self.content_length()
        for data in read_chunks(self._input.read, length, CHUNK_SIZE):
            self.received += len(data)
            self._check_size(self.received)
            yield data
        self.exhausted = True
        if length is not None and self.received < length:
            raise HttpBadRequestError(
                f"Request body ended after {self.received} of the {length} bytes announced "
                "by Content-Length."
            )

    def read(self) -> bytes:
        """The whole body, read in bounded chunks (see ``chunks``)."""
        return b"".join(self.chunks())

    def drain(self, limit: int = DRAIN_LIMIT) -> None:
        """Skip what is left of a declared-length body, when that is at most ``limit`` bytes.

        Called after an early answer (415, 413 on a small over-limit body, ...): closing
        a socket that still holds unread request bytes makes TCP reset the connection,
        and the client may lose the answer. Bigger bodies are left for the server to cut.
        """
        if self.exhausted or self.terminated or self._length is None:
            return
        remaining = self._length - self.received
        if remaining > limit:
            return
        while remaining > 0:
            data = self._input.read(min(CHUNK_SIZE, remaining))
            if not data:
                break
            remaining -= len(data)
        self.exhausted = True
