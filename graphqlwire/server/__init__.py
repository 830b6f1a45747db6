"""graphqlwire's own ASGI 3 server: asyncio protocols over h11 (HTTP/1.1) and wsproto.

Public API: `Config` (every limit and timeout), `Server` (start on port 0, learn the port,
shut down gracefully), `serve` (async, with signal handling) and `run` (blocking). See
`graphqlwire.server.server` for how they fit together; the CLI is ``python -m graphqlwire``.
"""

from __future__ import annotations

from .config import Config
from .lifespan import LifespanFailure
from .server import Server, run, serve
from .state import ClientDisconnected

__all__ = ["ClientDisconnected", "Config", "LifespanFailure", "Server", "run", "serve"]
