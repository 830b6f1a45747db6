"""graphqlwire's GraphQL app on the benchmark schema, counting the requests each process serves.

Imported as `app_counted:app` by the multi-worker rows (``graphqlwire --workers N``). Each
worker process counts the HTTP requests it serves in an 8-byte file of its own,
``$BENCH_COUNTS/<pid>``, mapped into memory: one integer increment per request, no system
call. The harness reads every file before and after a cell and reports each worker's share
of the requests (`servers.worker_shares`). The wrapper costs one coroutine call per request,
well under 1% of a `{ hello }` request.
"""

from __future__ import annotations

import mmap
import os
from typing import Any

from app_core import schema

from graphqlwire.asgi import GraphQL

COUNTER_BYTES = 8
inner = GraphQL(schema)
_counter: memoryview | None = None  # (opened in the worker, on its first request)


def _open_counter() -> memoryview:
    """This process's request counter, a file under $BENCH_COUNTS mapped into memory."""
    path = os.path.join(os.environ["BENCH_COUNTS"], str(os.getpid()))
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        os.ftruncate(fd, COUNTER_BYTES)
        mapped = mmap.mmap(fd, COUNTER_BYTES)
    finally:
        os.close(fd)
    return memoryview(mapped).cast("Q")


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Count an HTTP request, then let graphqlwire's app answer it."""
    global _counter
    if scope["type"] == "http":
        if _counter is None:
            _counter = _open_counter()
        _counter[0] += 1
    await inner(scope, receive, send)
