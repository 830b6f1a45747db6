"""Test helpers for the WSGI app: the ASGI tests' schema with sync resolvers, and an
in-process client.

Every app driven here is wrapped in ``wsgiref.validate.validator``: with warnings as errors,
any PEP 3333 slip (an int header value, a bad status line, an unclosed iterable) fails.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

from graphql import GraphQLResolveInfo, GraphQLSchema

from graphqlwire.schema import make_executable_schema
from graphqlwire.wsgi import make_server
from tests.asgi.conftest import TYPE_DEFS  # the schema the ASGI tests serve


def _fail(*_: Any) -> None:
    raise ValueError("resolver failed")


def _file(upload: Any) -> dict[str, Any]:
    return {
        "filename": upload.filename,
        "contentType": upload.content_type,
        "content": upload.file.read().decode("latin-1"),
    }


def _context(_: Any, info: GraphQLResolveInfo[Any]) -> str:
    context = info.context
    if isinstance(context, dict) and "request" in context:
        return f"environ:{context['request']['REQUEST_METHOD']}"
    return str(context)


async def _tick(*_: Any) -> Any:
    yield 1


RESOLVERS: dict[str, Any] = {
    "Query": {
        "hello": lambda _, __, name: f"Hello, {name}!",
        "fail": _fail,
        "failHard": _fail,
        "context": _context,
        "root": lambda root, _: str(root),
    },
    "Mutation": {
        "echo": lambda _, __, text: text,
        "upload": lambda _, __, file: _file(file),
        "uploadMany": lambda _, __, files: [_file(upload) for upload in files],
    },
    "Subscription": {"tick": {"subscribe": _tick}},
}

SCHEMA: GraphQLSchema = make_executable_schema(TYPE_DEFS, RESOLVERS)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BlockingInput(io.BytesIO):
    """``wsgi.input`` that fails instead of blocking when read past its content.

    A socket's input blocks there until the client gives up; this makes such a read show.
    """

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("the app read wsgi.input without a size (until EOF)")
        if self.tell() >= len(self.getbuffer()) and size > 0:
            raise AssertionError("the app read wsgi.input past CONTENT_LENGTH")
        return super().read(size)


@dataclass
class Result:
    """One response: status line, headers and body."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    environ: dict[str, Any] = field(repr=False, default_factory=dict)
    #: The ``wsgi.input`` stream as given (the validator wraps the environ's).
    input: Any = None

    @property
    def code(self) -> int:
        return int(self.status.split(" ", 1)[0])

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    app: WSGIApp,
    method: str = "GET",
    path: str = "/graphql/",
    *,
    query_string: str = "",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    content_length: str | None = "auto",
    environ: dict[str, Any] | None = None,
    validate: bool = True,
) -> Result:
    """Run one request through ``validator(app)`` in process and collect the response.

    ``content_length="auto"`` sends ``len(body)`` for a non-empty body; None sends none.
    ``validate=False`` skips the validator, for environs it refuses (a server's bug).
    """
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query_string,
        "SCRIPT_NAME": "",
        "wsgi.input": BlockingInput(body),
    }
    if content_length == "auto":
        if body:
            env["CONTENT_LENGTH"] = str(len(body))
    elif content_length is not None:
        env["CONTENT_LENGTH"] = content_length
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        env[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    env.update(environ or {})
    setup_testing_defaults(env)
    started: list[Any] = []
    stream = env["wsgi.input"]

    def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> Any:
        started.extend([status, response_headers])
        return lambda data: None

    iterable = (validator(app) if validate else app)(env, start_response)
    try:
        body_out = b"".join(iterable)
    finally:
        getattr(iterable, "close", lambda: None)()
    return Result(started[0], started[1], body_out, env, stream)


def post_json(app: WSGIApp, data: Any, **kwargs: Any) -> Result:
    """POST ``data`` as an ``application/json`` body."""
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return call(app, "POST", body=json.dumps(data).encode(), headers=headers, **kwargs)


def multipart_body(
    fields: list[tuple[str, str | tuple[str, bytes, str]]], boundary: str = "XyZ-boundary"
) -> tuple[bytes, str]:
    """Encode ``(name, text | (filename, content, content type))`` parts as form-data."""
    chunks: list[bytes] = []
    for name, value in fields:
        chunks.append(f"--{boundary}\r\n".encode())
        if isinstance(value, str):
            chunks.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            chunks.append(value.encode())
        else:
            filename, content, content_type = value
            chunks.append(
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode()
            )
            chunks.append(content)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


UPLOAD = "mutation($file: Upload!) { upload(file: $file) { filename contentType content } }"
UPLOAD_MANY = (
    "mutation($files: [Upload!]!) { uploadMany(files: $files) { filename contentType content } }"
)

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port that was free a moment ago (for servers that cannot bind port 0 for us)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_listening(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    """Poll until something accepts connections on ``port`` (bounded by ``deadline``)."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("gunicorn did not start listening in time")


@contextlib.contextmanager
def wsgiref_server(app: Any) -> Iterator[str]:
    """Serve `app` on the bundled threaded wsgiref server (port 0); yield its URL."""
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
