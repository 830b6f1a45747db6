"""Requests served from the head cache: same answers as through h11, in the same order."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import h11

from graphqlwire.server import Config, Server
from graphqlwire.server.head import RequestHead
from graphqlwire.server.headcache import MAX_CACHED_HEAD, MAX_ENTRIES, HeadCache

from .helpers import FAST, read_all
from .server_apps import read_body, respond


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers the method, path, body and headers it saw; `/slow` waits for a token first."""
    scope["state"]["arrived"].put_nowait(scope["path"])
    if scope["path"] == "/slow":
        await scope["state"]["tokens"].get()
    body = await read_body(receive)
    seen = {
        "method": scope["method"],
        "path": scope["path"],
        "body": body.decode(),
        "headers": [[name.decode(), value.decode()] for name, value in scope["headers"]],
    }
    scope["headers"].append((b"x-added-by-app", b"1"))  # must not leak into later requests
    await respond(send, 200, json.dumps(seen).encode())


@contextlib.asynccontextmanager
async def running(app: Any = echo_app) -> AsyncIterator[tuple[Server, Any, Any]]:
    server = Server(app, Config(port=0, **FAST))
    await server.start()
    assert server.state is not None
    server.state.lifespan_state.update(tokens=asyncio.Queue(), arrived=asyncio.Queue())
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        yield server, reader, writer
    finally:
        writer.close()
        await server.shutdown()


def post(path: str, body: bytes, *, newline: bytes = b"\r\n") -> bytes:
    lines = [
        b"POST %s HTTP/1.1" % path.encode(),
        b"Host: test",
        b"Content-Type: text/plain",
        b"Content-Length: %d" % len(body),
    ]
    return newline.join(lines) + newline + newline + body


async def read_response(reader: asyncio.StreamReader) -> dict[str, Any]:
    """Read one keep-alive response (content-length framed) and decode its JSON body."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 3)
    assert head.startswith(b"HTTP/1.1 200 "), head
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    seen: dict[str, Any] = json.loads(await asyncio.wait_for(reader.readexactly(length), 3))
    return seen


async def test_a_repeated_request_is_served_from_one_parse() -> None:
    request = post("/graphql", b'{"query": "{ hello }"}')
    async with running() as (server, reader, writer):
        answers = []
        for _ in range(4):
            writer.write(request)
            answers.append(await read_response(reader))
        assert server.state is not None
        assert len(server.state.heads) == 1
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["body"] == '{"query": "{ hello }"}'
    # The headers the app appended to its scope never reached the next request.
    assert answers[0]["headers"] == [
        ["host", "test"],
        ["content-type", "text/plain"],
        ["content-length", "22"],
    ]


async def test_a_request_arriving_during_a_cached_one_waits_its_turn() -> None:
    slow = post("/slow", b"first")
    async with running() as (server, reader, writer):
        assert server.state is not None
        tokens, arrived = (server.state.lifespan_state[key] for key in ("tokens", "arrived"))
        tokens.put_nowait(None)
        writer.write(slow)
        assert (await read_response(reader))["body"] == "first"
        writer.write(slow)  # served from the cache, held by the app until a token comes
        assert await asyncio.wait_for(arrived.get(), 3) == "/slow"
        assert await asyncio.wait_for(arrived.get(), 3) == "/slow"
        writer.write(post("/next", b"second"))
        await writer.drain()
        await asyncio.sleep(0.05)  # the next request reaches the server meanwhile
        assert arrived.empty()  # and waits: the app has not seen it
        tokens.put_nowait(None)
        first, second = await read_response(reader), await read_response(reader)
        assert await asyncio.wait_for(arrived.get(), 3) == "/next"
    assert (first["path"], first["body"]) == ("/slow", "first")
    assert (second["path"], second["body"]) == ("/next", "second")


async def test_pipelined_and_split_copies_of_a_cached_request() -> None:
    request = post("/p", b"0123456789")
    async with running() as (_server, reader, writer):
        writer.write(request)
        await read_response(reader)
        writer.write(request * 3)  # more than one request in a read: h11 frames them
        for _ in range(3):
            assert (await read_response(reader))["body"] == "0123456789"
        writer.write(request[:-4])  # the body comes in two reads
        await writer.drain()
        await asyncio.sleep(0.01)
        writer.write(request[-4:])
        assert (await read_response(reader))["body"] == "0123456789"
        chunked = (
            b"POST /c HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n0\r\n\r\n"
        )
        writer.write(chunked)  # h11 is still in step after cached requests
        assert (await read_response(reader))["body"] == "abc"


async def test_a_head_ending_in_bare_newlines_is_not_mistaken_for_a_longer_one() -> None:
    # h11 ends this head at the first empty line; the CRLFCRLF in the body is body.
    request = post("/lf", b"a\r\n\r\nb", newline=b"\n")
    async with running() as (server, reader, writer):
        for _ in range(2):
            writer.write(request)
            answer = await read_response(reader)
            assert (answer["path"], answer["body"]) == ("/lf", "a\r\n\r\nb")
        assert server.state is not None
        assert len(server.state.heads) == 0


async def test_a_cached_head_with_connection_close_still_closes() -> None:
    request = b"GET /bye HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    async with running() as (server, _reader, _writer):
        for _ in range(2):
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(request)
            response = await asyncio.wait_for(read_all(reader), 3)  # ends: the server closed
            writer.close()
            assert response.startswith(b"HTTP/1.1 200 ")
            assert b"connection: close\r\n" in response.lower()
        assert server.state is not None
        assert len(server.state.heads) == 1


def plain_head(index: int) -> RequestHead:
    return RequestHead(h11.Request(method="GET", target=f"/{index}", headers=[("Host", "h")]))


def test_the_cache_is_bounded_and_keeps_only_plain_small_heads() -> None:
    cache = HeadCache()
    for index in range(MAX_ENTRIES + 10):
        cache.put(b"head %d" % index, plain_head(index))
    assert len(cache) == MAX_ENTRIES
    assert cache.get(b"head 0") is None  # the oldest went first
    assert cache.get(b"head %d" % (MAX_ENTRIES + 9)) is not None
    cache = HeadCache()
    cache.put(b"x" * (MAX_CACHED_HEAD + 1), plain_head(1))
    chunked = RequestHead(
        h11.Request(
            method="POST", target="/", headers=[("Host", "h"), ("Transfer-Encoding", "chunked")]
        )
    )
    cache.put(b"chunked", chunked)
    assert len(cache) == 0
