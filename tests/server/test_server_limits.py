"""Limits, timeouts and malformed input: right status, closed connection, others unharmed."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import httpx
import pytest

from graphqlwire.server import Config, Server

from .helpers import graphqlwire_server, port_of, raw_exchange, read_all, status_of
from .server_apps import make_app

LIMITS = {"max_header_size": 1024, "max_body_size": 1000, "max_url_length": 200}


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_header_block_too_large_in_one_read(app: Any, caplog: Any) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n"
    async with graphqlwire_server(app, **LIMITS) as url:
        response = await raw_exchange(url, request)
    assert status_of(response) == 431
    no_errors_logged(caplog)


async def test_header_block_too_large_over_many_reads(app: Any) -> None:
    pieces = (
        [b"GET / HTTP/1.1\r\nHost: x\r\n"]
        + [b"X-%d: %s\r\n" % (i, b"b" * 100) for i in range(20)]
        + [b"\r\n"]
    )
    async with graphqlwire_server(app, **LIMITS) as url:
        response = await raw_exchange(url, pieces, delay=0.005)
    assert status_of(response) == 431


@pytest.mark.parametrize("extra", [0, 1])
async def test_the_head_limit_counts_the_heads_bytes_however_they_arrive(
    app: Any, extra: int
) -> None:
    # A head of exactly max_header_size bytes (compact "Name:value" lines) is served, one byte
    # more is not, whether its body and the next request share its read or not.
    head = b"POST /echo HTTP/1.1\r\nHost:x\r\nContent-Length:2\r\nX:"
    head += b"p" * (LIMITS["max_header_size"] - len(head) - 4 + extra) + b"\r\n\r\n"
    assert len(head) == LIMITS["max_header_size"] + extra
    close = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    async with graphqlwire_server(app, **LIMITS) as url:
        for writes in ([head, b"{}", close], [head + b"{}", close], [head + b"{}" + close]):
            response = await raw_exchange(url, writes)
            statuses = [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", response)]
            assert statuses == ([431] if extra else [200, 200]), writes


async def test_headers_just_under_the_limit_pass(app: Any) -> None:
    request = (
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 900 + b"\r\nConnection: close\r\n\r\n"
    )
    async with graphqlwire_server(app, **LIMITS) as url:
        assert status_of(await raw_exchange(url, request)) == 200


async def test_url_too_long(app: Any) -> None:
    async with graphqlwire_server(app, **LIMITS) as url:
        response = await raw_exchange(url, b"GET /" + b"u" * 300 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of(response) == 414


async def test_body_too_large(app: Any) -> None:
    async with graphqlwire_server(app, **LIMITS) as url, httpx.AsyncClient() as client:
        announced = await client.post(url + "/echo", content=b"x" * 2000)
        assert announced.status_code == 413

        async def chunks() -> Any:
            for _ in range(10):
                yield b"y" * 300

        streamed = await client.post(url + "/echo", content=chunks())
        assert streamed.status_code == 413
        assert (await client.post(url + "/echo", content=b"z" * 1000)).status_code == 200


async def test_content_length_with_transfer_encoding_is_rejected(app: Any) -> None:
    # A smuggling attempt: a front end honouring Content-Length would see one request.
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    request = (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n%s" % (5 + len(smuggled), smuggled)
    )
    async with graphqlwire_server(app) as url:
        response = await raw_exchange(url, request)
    assert status_of(response) == 400
    assert response.count(b"HTTP/1.1") == 1
    assert b"smuggled" not in response


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",  # no Host
        b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
async def test_malformed_requests_get_400(app: Any, caplog: Any, request_bytes: bytes) -> None:
    async with graphqlwire_server(app) as url, httpx.AsyncClient() as client:
        response = await raw_exchange(url, request_bytes)
        assert status_of(response) == 400
        assert (await client.get(url + "/ok")).status_code == 200
    no_errors_logged(caplog)


async def test_unsupported_transfer_encoding(app: Any) -> None:
    request = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
    async with graphqlwire_server(app) as url:
        assert status_of(await raw_exchange(url, request)) == 501


async def test_truncated_body_is_a_disconnect_not_an_error(caplog: Any) -> None:
    seen: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                seen.set_result(message["type"])
                return

    async with graphqlwire_server(app) as url:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly some")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()
        assert await asyncio.wait_for(seen, 2) == "http.disconnect"
    no_errors_logged(caplog)


async def test_slowloris_gets_408_while_others_are_served(app: Any) -> None:
    async with graphqlwire_server(app, request_head_timeout=0.4) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        started = time.monotonic()

        async def drip() -> None:
            for piece in (b"GET / HTTP/1.1\r\n", b"Host: x\r\n", b"X-A: 1\r\n", b"X-B: 2\r\n"):
                writer.write(piece)
                await asyncio.sleep(0.15)

        dripping = asyncio.create_task(drip())
        async with httpx.AsyncClient() as client:
            for _ in range(5):
                assert (await client.get(url + "/ok")).status_code == 200
        response = await asyncio.wait_for(read_all(reader), 10)
        await dripping
        writer.close()
    assert status_of(response) == 408
    assert 0.35 < time.monotonic() - started < 8  # (generous: slow CI machines)


async def test_slow_body_gets_408(app: Any) -> None:
    async with graphqlwire_server(app, request_body_timeout=0.2) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
        response = await asyncio.wait_for(read_all(reader), 3)
        writer.close()
    assert status_of(response) == 408


async def test_body_timeout_only_counts_while_the_app_waits_for_the_body() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(0.4)  # busy before reading: the client is not to blame
        body = (await receive())["body"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async with (
        graphqlwire_server(app, request_body_timeout=0.1) as url,
        httpx.AsyncClient() as client,
    ):
        response = await client.post(url, content=b"payload")
    assert (response.status_code, response.content) == (200, b"payload")


async def test_idle_connections_are_closed(app: Any) -> None:
    async with graphqlwire_server(app, keep_alive_timeout=0.2, request_head_timeout=0.2) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        started = time.monotonic()
        response = await asyncio.wait_for(read_all(reader), 10)
        assert status_of(response) == 200
        assert 0.15 < time.monotonic() - started < 8  # (generous: slow CI machines)
        # A connection that never sends anything is dropped without a response.
        reader, writer2 = await asyncio.open_connection("127.0.0.1", port_of(url))
        assert await asyncio.wait_for(read_all(reader), 3) == b""
        writer.close()
        writer2.close()


async def wait_for_connections(server: Server, count: int) -> None:
    """Poll (bounded) until the server counts `count` open connections."""
    assert server.state is not None
    for _ in range(300):
        if len(server.state.connections) == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{len(server.state.connections)} connections, not {count}")


async def test_connection_limit_503(app: Any) -> None:
    async with Server(
        app, Config(port=0, max_connections=2, lifespan="off", log_level=None)
    ) as server:
        url = server.url
        held = [await asyncio.open_connection("127.0.0.1", port_of(url)) for _ in range(2)]
        await wait_for_connections(server, 2)
        response = await raw_exchange(url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status_of(response) == 503
        for _, writer in held:
            writer.close()
        await wait_for_connections(server, 0)
        async with httpx.AsyncClient() as client:
            assert (await client.get(url + "/ok")).status_code == 200


async def test_header_injection_by_the_app_is_refused() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"x-a", b"1\r\nset-cookie: evil=1")],
            }
        )
        await send({"type": "http.response.body", "body": b"x"})

    async with graphqlwire_server(app) as url, httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 500
    assert "set-cookie" not in response.headers


async def test_many_requests_on_one_connection_under_limits() -> None:
    app = make_app()
    async with graphqlwire_server(app, **LIMITS) as url, httpx.AsyncClient() as client:
        for i in range(30):
            response = await client.post(url + "/echo", content=b"%d" % i)
            assert response.content == b"%d" % i


async def test_oversized_pipelined_head_behind_a_small_request(app: Any) -> None:
    # Both heads arrive in one read: the big one must not slip through after the first.
    requests = (
        b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /second HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n"
    )
    async with graphqlwire_server(app, **LIMITS) as url:
        response = await raw_exchange(url, requests)
    assert status_of(response) == 200
    assert b"hello /first" in response
    assert b"HTTP/1.1 431 " in response
    assert b"hello /second" not in response
