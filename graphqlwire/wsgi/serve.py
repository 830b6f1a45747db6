"""Serving a WSGI app with the standard library: a threaded ``wsgiref`` server.

For development and small deployments; in production run the app under gunicorn or
uWSGI (``gunicorn mymodule:application``), as with any WSGI app. Each connection gets a
daemon thread, so a slow client never blocks the others and does not keep the process
alive at exit. Requests are not logged unless ``log_requests`` is set.

Tests and embedders start it on port 0 and read the bound port::

    server = make_server(app, "127.0.0.1", 0)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ...
    server.shutdown(); server.server_close()
"""

from __future__ import annotations

import contextlib
import io
import sys
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from .chunked import ChunkedBody
from .environ import CHUNK_SIZE
from .middleware import WSGIApp


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """``wsgiref``'s server with one daemon thread per connection."""

    daemon_threads = True
    allow_reuse_address = True
    #: Log every request to stderr (``wsgiref`` always does; off by default here).
    log_requests = False


class RequestHandler(WSGIRequestHandler):
    """``wsgiref``'s handler, reading chunked bodies and logging only when asked to.

    A ``Transfer-Encoding: chunked`` body (a streamed upload) is de-chunked
    (``graphqlwire.wsgi.chunked``) and the environ gets ``wsgi.input_terminated``, so the
    app reads it to its end under its own body limit; ``wsgiref`` alone would hand the
    app the chunk framing with no length, and the client would meet a broken pipe.
    Other transfer codings get 501; chunked with ``Content-Length`` (a request
    smuggling vector, RFC 9112 §6.3) and chunked over HTTP/1.0 get 400.
    """

    server: ThreadingWSGIServer
    chunked = False

    def parse_request(self) -> bool:
        """Parse the request head, then set up the de-chunking of a chunked body."""
        if not super().parse_request():
            return False
        codings = self.headers.get_all("transfer-encoding")
        if not codings:
            return True
        coding = ",".join(codings).strip().lower()
        if coding != "chunked":
            self.send_error(
                501, f"Transfer-Encoding {coding[:40]!r} is not supported: send chunked"
            )
            return False
        if self.headers.get("content-length") is not None or self.request_version == "HTTP/1.0":
            self.send_error(
                400, "A chunked request must be HTTP/1.1 and must not carry Content-Length"
            )
            return False
        self.rfile = io.BufferedReader(ChunkedBody(self.rfile), CHUNK_SIZE)
        self.chunked = True
        return True

    def get_environ(self) -> dict[str, Any]:
        """``wsgiref``'s environ, plus ``wsgi.input_terminated`` for a chunked body."""
        environ: dict[str, Any] = super().get_environ()
        if self.chunked:
            environ["wsgi.input_terminated"] = True
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log the request line and status when ``server.log_requests`` is true."""
        if self.server.log_requests:
            super().log_request(code, size)


def make_server(
    app: WSGIApp, host: str = "127.0.0.1", port: int = 8000, *, log_requests: bool = False
) -> ThreadingWSGIServer:
    """Bind a threaded ``wsgiref`` server for `app`, ready for ``serve_forever()``.

    # Required arguments

    `app`: the WSGI application.

    # Optional arguments

    `host`, `port`: where to listen; port 0 picks a free port, read it from
    ``server.server_address[1]``.

    `log_requests`: log each request to stderr.
    """
    server = ThreadingWSGIServer((host, port), RequestHandler)
    server.log_requests = log_requests
    server.set_app(app)
    return server


def serve(
    app: WSGIApp, host: str = "127.0.0.1", port: int = 8000, *, log_requests: bool = False
) -> None:
    """Serve `app` until interrupted (Ctrl-C), then close the socket.

    # Required arguments

    `app`: the WSGI application.

    # Optional arguments

    `host`, `port`, `log_requests`: as for `make_server`.
    """
    with make_server(app, host, port, log_requests=log_requests) as server:
        address: Any = server.server_address
        print(f"graphqlwire: serving WSGI on http://{address[0]}:{address[1]}/", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
