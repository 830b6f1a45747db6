"""graphqlwire's own ASGI 3 server: asyncio protocols over h11 (HTTP/1.1) and wsproto.

Public API: `Config` (every limit and timeout), `Server` (start on port 0, learn the port,
shut down gracefully), `serve` (async, with signal handling) and `run` (blocking). See
`graphqlwire.server.server` for how they fit together; the CLI is ``python -m graphqlwire``.

The names are imported on first use, so that ``graphqlwire.server.config`` alone does not
import the server, the ASGI app and graphql-core with it: the command line reads its flags
first and imports the rest with the garbage collector switched off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

__all__ = ["ClientDisconnected", "Config", "LifespanFailure", "Server", "run", "serve"]

if TYPE_CHECKING:
    from .config import Config
    from .lifespan import LifespanFailure
    from .run import run
    from .server import Server, serve
    from .state import ClientDisconnected

__getattr__ = lazy_exports(
    __name__,
    {
        "Config": ".config",
        "LifespanFailure": ".lifespan",
        "Server": ".server",
        "run": ".run",
        "serve": ".server",
        "ClientDisconnected": ".state",
    },
)
