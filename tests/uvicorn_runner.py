"""Run an ASGI app under uvicorn on a real loopback socket, for parity tests."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any


@contextlib.asynccontextmanager
async def running_uvicorn(app: Any, **options: Any) -> AsyncIterator[int]:
    """Serve ``app`` on 127.0.0.1 with an OS-chosen port and yield the port.

    ``options`` go to ``uvicorn.Config`` (lifespan defaults to "off"). Start-up and
    shutdown, lifespan included, are awaited, so no polling is needed.
    """
    import uvicorn

    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="critical", **{"lifespan": "off", **options}
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await server.startup(sockets=[sock])
    try:
        yield sock.getsockname()[1]
    finally:
        await server.shutdown()
        sock.close()
