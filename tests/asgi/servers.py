"""Run an ASGI app on a real loopback socket (port 0): graphqlwire's server, uvicorn, hypercorn."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

from tests.uvicorn_runner import running_uvicorn

SERVERS = ("graphqlwire", "uvicorn", "hypercorn")


@contextlib.asynccontextmanager
async def run_server(kind: str, app: Any) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 with an OS-chosen port; yields the base URL."""
    if kind == "graphqlwire":
        from graphqlwire.server import Config, Server

        server = Server(app, Config(host="127.0.0.1", port=0, lifespan="on", log_level=None))
        await server.start()
        try:
            yield server.url
        finally:
            await server.shutdown()
        return

    if kind == "hypercorn":
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        async with _hypercorn(app, sock) as base:
            yield base
        return

    async with running_uvicorn(
        app, http="h11", ws="wsproto", lifespan="on", access_log=False
    ) as port:
        yield f"http://127.0.0.1:{port}"


@contextlib.asynccontextmanager
async def _hypercorn(app: Any, sock: socket.socket) -> AsyncIterator[str]:
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    port = sock.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns (and closes) the socket
    config.accesslog = config.errorlog = None
    stop = asyncio.Event()
    task = asyncio.ensure_future(serve(app, config, shutdown_trigger=stop.wait))
    try:
        for _ in range(500):  # bounded wait until it accepts connections (at most ~5 s)
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.01)
                continue
            writer.close()
            await writer.wait_closed()
            break
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
