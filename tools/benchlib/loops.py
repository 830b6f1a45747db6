"""Event loop for the harness's own processes: clients, load generator, canned servers."""

from __future__ import annotations

import asyncio


def fast_event_loop() -> asyncio.AbstractEventLoop:
    """A uvloop loop when installed, else asyncio's.

    The measuring side (client, load generator) must be the fast one; `bare_h11.py --loop
    uvloop` uses it too (where uvloop is missing, that server is skipped, not run on asyncio).
    """
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
