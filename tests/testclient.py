"""A small in-process ASGI test client: no sockets, no threads, one event loop.

    client = ASGIClient(app)
    response = await client.post("/graphql", json={"query": "{ hello }"})
    assert response.status == 200 and response.json() == {"data": {"hello": "..."}}

    async with client.lifespan():   # startup.complete ... shutdown.complete
        ...

The client checks the messages the app sends (``http.response.start`` first with an int
status and ``[bytes, bytes]`` headers, bodies after it, nothing after the last body) and
fails the test with an ``AssertionError`` otherwise. Bodies can be delivered in several
``http.request`` messages (``chunk_size``) to exercise streaming readers. Once the whole
body is delivered, ``receive()`` waits until the response completes and then reports
``http.disconnect``, as servers do.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from graphqlwire.types import ASGIApp, Message

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass
class ASGIResponse:
    """What the app sent: status, headers (lowercase names, in order) and the whole body."""

    status: int
    raw_headers: list[tuple[bytes, bytes]]
    body: bytes = b""
    #: Every message the app sent, in order (for tests of message order).
    messages: list[Message] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        values = self.header_list(name)
        return values[0] if values else None

    def header_list(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in order."""
        key = name.lower().encode("latin-1")
        return [value.decode("latin-1") for raw, value in self.raw_headers if raw == key]

    @property
    def headers(self) -> dict[str, str]:
        """Headers as a dict (lowercase names; a repeated header keeps its last value)."""
        return {name.decode("latin-1"): value.decode("latin-1") for name, value in self.raw_headers}

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` header."""
        return self.header("content-type")

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return jsonlib.loads(self.body)


class ASGIClient:
    """Drive an ASGI app in-process.

    # Required arguments

    `app`: the ASGI 3 application.

    # Optional arguments

    `root_path`: the ASGI ``root_path``; request paths are given without it and the
    scope's ``path`` includes it, as the ASGI spec says.

    `scheme`: ``"http"`` or ``"https"``.

    `host`: the ``Host`` header sent unless the request sets its own.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        app: ASGIApp,
        *,
        root_path: str = "",
        scheme: str = "http",
        host: str = "testserver",
    ) -> None:
        self.app = app
        self.root_path = root_path
        self.scheme = scheme
        self.host = host
        self.state: dict[str, Any] = {}

    def build_scope(
        self,
        method: str,
        path: str,
        headers: list[tuple[bytes, bytes]],
        query_string: bytes,
    ) -> dict[str, Any]:
        """The ASGI ``http`` scope for a request."""
        full_path = self.root_path + path
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": self.scheme,
            "path": full_path,
            "raw_path": quote(full_path).encode("ascii"),
            "query_string": query_string,
            "root_path": self.root_path,
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 443 if self.scheme == "https" else 80),
            "state": dict(self.state),
            "extensions": {},
        }

    async def request(
        self,
        method: str,
        path: str = "/",
        *,
        headers: HeaderInput | None = None,
        params: Mapping[str, str] | None = None,
        body: bytes | str = b"",
        json: Any = None,
        chunk_size: int | None = None,
    ) -> ASGIResponse:
        """Send one request and return the response.

        # Required arguments

        `method`: the HTTP method.

        # Optional arguments

        `path`: the path, optionally with ``?query`` (merged with ``params``).

        `headers`: request headers; ``Host`` and (for bodies) ``Content-Length`` are
        added unless given; ``json`` also adds ``Content-Type: application/json``.

        `params`: query parameters, urlencoded.

        `body`: the raw body; `json`: a value sent as the JSON body instead.

        `chunk_size`: deliver the body in ``http.request`` messages of this size.
        """
        items = list(headers.items() if isinstance(headers, Mapping) else headers or [])
        names = {name.lower() for name, _ in items}
        if json is not None:
            body = jsonlib.dumps(json)
            if "content-type" not in names:
                items.append(("content-type", "application/json"))
        payload = body.encode("utf-8") if isinstance(body, str) else body
        if "host" not in names:
            items.insert(0, ("host", self.host))
        if payload and "content-length" not in names:
            items.append(("content-length", str(len(payload))))
        path, _, query = path.partition("?")
        if params:
            query = "&".join(part for part in (query, urlencode(params)) if part)
        raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in items]
        scope = self.build_scope(method, path, raw_headers, query.encode("latin-1"))
        return await self.run(scope, _chunks(payload, chunk_size))

    async def run(self, scope: dict[str, Any], chunks: list[bytes]) -> ASGIResponse:
        """Run the app on ``scope`` with the body ``chunks``, checking what it sends."""
        pending = list(chunks)
        done = asyncio.Event()
        response: ASGIResponse | None = None
        messages: list[Message] = []

        async def receive() -> Message:
            if pending:
                chunk = pending.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal response
            messages.append(message)
            assert not done.is_set(), f"message after the response completed: {message}"
            if message["type"] == "http.response.start":
                assert response is None, "http.response.start sent twice"
                status = message["status"]
                assert isinstance(status, int), f"status must be an int: {status!r}"
                raw = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
                assert all(k == k.lower() for k, _ in raw), f"header names not lowercase: {raw}"
                response = ASGIResponse(status, raw, messages=messages)
            elif message["type"] == "http.response.body":
                assert response is not None, "http.response.body before http.response.start"
                response.body += bytes(message.get("body", b""))
                if not message.get("more_body", False):
                    done.set()
            else:
                raise AssertionError(f"unexpected message type: {message['type']!r}")

        await self.app(scope, receive, send)
        assert response is not None, "the app returned without sending a response"
        assert done.is_set(), "the app returned before the last body message"
        return response

    async def get(self, path: str = "/", **kwargs: Any) -> ASGIResponse:
        """``request("GET", ...)``."""
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str = "/", **kwargs: Any) -> ASGIResponse:
        """``request("POST", ...)``."""
        return await self.request("POST", path, **kwargs)

    async def options(self, path: str = "/", **kwargs: Any) -> ASGIResponse:
        """``request("OPTIONS", ...)``."""
        return await self.request("OPTIONS", path, **kwargs)

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[list[Message]]:
        """Run the app's lifespan: startup on enter, shutdown on exit.

        Yields the list of messages the app sent (``lifespan.startup.complete``, ...);
        fails the test when startup or shutdown does not complete. State the app stores
        in ``scope["state"]`` is copied into later request scopes, as servers do.
        """
        inbox: asyncio.Queue[Message] = asyncio.Queue()
        sent: list[Message] = []
        replies: asyncio.Queue[Message] = asyncio.Queue()

        async def send(message: Message) -> None:
            sent.append(message)
            await replies.put(message)

        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
        scope["state"] = self.state
        task = asyncio.ensure_future(self.app(scope, inbox.get, send))
        try:
            await inbox.put({"type": "lifespan.startup"})
            reply = await asyncio.wait_for(replies.get(), 5)
            assert reply["type"] == "lifespan.startup.complete", reply
            yield sent
            await inbox.put({"type": "lifespan.shutdown"})
            reply = await asyncio.wait_for(replies.get(), 5)
            assert reply["type"] == "lifespan.shutdown.complete", reply
            await asyncio.wait_for(task, 5)
        finally:
            if not task.done():
                task.cancel()
            await asyncio.wait({task})


def _chunks(payload: bytes, size: int | None) -> list[bytes]:
    if not payload:
        return [b""]
    if size is None:
        return [payload]
    return [payload[i : i + size] for i in range(0, len(payload), size)]


__all__ = ["ASGIClient", "ASGIResponse"]
