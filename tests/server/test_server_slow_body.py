"""The body's minimum rate: a client dripping its body is cut off with 408, others are not."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from graphqlwire.server import Config
from tests.server.helpers import graphqlwire_server, port_of, read_all, status_of

HEAD = b"POST /chunks HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
FAST_RATE = {"min_body_rate": 1000, "min_body_rate_grace": 0.2, "request_body_timeout": 5}


async def drip(url: str, length: int, *, every: float) -> tuple[bytes, float]:
    """Send a head announcing `length` bytes, then one byte every `every` seconds."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
    started = time.monotonic()
    writer.write(HEAD % length)

    async def bytes_one_by_one() -> None:
        for _ in range(length):
            writer.write(b"x")
            await asyncio.sleep(every)

    dripping = asyncio.create_task(bytes_one_by_one())
    try:
        response = await asyncio.wait_for(read_all(reader), 10)
    finally:
        dripping.cancel()
        writer.close()
    return response, time.monotonic() - started


async def test_a_dripping_body_gets_408_and_is_closed(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async with graphqlwire_server(app, **FAST_RATE, log_level="info") as url:
        responses = await asyncio.gather(*(drip(url, 100, every=0.02) for _ in range(10)))
    for response, elapsed in responses:
        assert status_of(response) == 408
        assert response.endswith(b"Request Timeout")
        # 0.2 s of grace and 1 ms per byte earned: the cut comes just after the grace
        assert 0.15 < elapsed < 3
    assert "request body from" in caplog.text and "timed out" in caplog.text


async def test_a_body_at_a_normal_rate_is_unaffected(app: Any) -> None:
    async with graphqlwire_server(app, **FAST_RATE) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(HEAD % 60_000)
        for _ in range(6):  # 60 kB in 0.3 s: 200 kB/s, far above 1 kB/s
            writer.write(b"y" * 10_000)
            await asyncio.sleep(0.05)
        writer.write_eof()
        response = await asyncio.wait_for(read_all(reader), 5)
        writer.close()
    assert status_of(response) == 200
    assert response.endswith(b"60000")


async def test_time_the_app_is_not_reading_does_not_count() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(0.5)  # busy before reading; the client could send nothing more
        size = 0
        while True:
            message = await receive()
            size += len(message["body"])
            if not message["more_body"]:
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"%d" % size})

    async with graphqlwire_server(app, **FAST_RATE) as url, httpx.AsyncClient() as client:
        response = await client.post(url, content=b"z" * 300_000)  # past the read buffer
    assert (response.status_code, response.text) == (200, "300000")


async def test_a_rate_of_0_leaves_only_the_pause_limit(app: Any) -> None:
    config = {"min_body_rate": 0, "min_body_rate_grace": 0.05, "request_body_timeout": 1}
    async with graphqlwire_server(app, **config) as url:
        response, _ = await drip(url, 8, every=0.05)
    assert status_of(response) == 200
    assert response.endswith(b"8")


def test_the_rate_is_on_by_default() -> None:
    config = Config()
    assert (config.min_body_rate, config.min_body_rate_grace) == (500.0, 5.0)
    with pytest.raises(ValueError, match="min_body_rate must not be negative"):
        Config(min_body_rate=-1)


async def test_bytes_after_the_body_do_not_restart_its_deadline() -> None:
    # A streaming app waits on receive() for a disconnect while it answers; the client
    # pipelines its next request meanwhile. That is not a slow body: the stream must finish.
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        disconnected = asyncio.ensure_future(receive())
        for tick in range(6):
            await send({"type": "http.response.body", "body": b"tick%d;" % tick, "more_body": True})
            await asyncio.sleep(0.05)
        await send({"type": "http.response.body", "body": b""})
        disconnected.cancel()

    rates = {"min_body_rate_grace": 0.05, "request_body_timeout": 0.05}
    async with graphqlwire_server(app, **rates) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab")
        await asyncio.sleep(0.05)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = await asyncio.wait_for(read_all(reader), 5)
        writer.close()
    assert response.count(b"HTTP/1.1 200 OK") == 2
    assert response.count(b"tick5;") == 2
