"""Helpers for the server tests: real servers on 127.0.0.1:0 and raw-socket clients."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from graphqlwire.server import Config, Server
from tests.uvicorn_runner import running_uvicorn

FAST = {"lifespan": "off", "log_level": None}


@contextlib.asynccontextmanager
async def graphqlwire_server(app: Any, **options: Any) -> AsyncIterator[str]:
    config = Config(**{"port": 0, **FAST, **options})
    server = Server(app, config)
    await server.start()
    try:
        yield server.url
    finally:
        await server.shutdown()


@contextlib.asynccontextmanager
async def uvicorn_server(app: Any, **options: Any) -> AsyncIterator[str]:

    translated = {
        "ws_ping_interval": options.pop("ws_ping_interval", None),
        "ws_ping_timeout": options.pop("ws_ping_timeout", None),
    }
    options.pop("log_level", None)
    async with running_uvicorn(app, http="h11", ws="wsproto", **translated, **options) as port:
        yield f"http://127.0.0.1:{port}"


RunServer = Callable[..., contextlib.AbstractAsyncContextManager[str]]


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def raw_exchange(
    url: str, data: bytes | list[bytes], *, delay: float = 0.0, timeout: float = 3.0
) -> bytes:
    """Send raw bytes (optionally in pieces with a delay) and read until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
    try:
        for piece in [data] if isinstance(data, bytes) else data:
            writer.write(piece)
            await writer.drain()
            if delay:
                await asyncio.sleep(delay)
        return await asyncio.wait_for(read_all(reader), timeout)
    finally:
        writer.close()


async def read_all(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    with contextlib.suppress(ConnectionResetError):
        while chunk := await reader.read(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])
