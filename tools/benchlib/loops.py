"""Event loop for the harness's own processes: clients, load generator, canned and bare servers."""

from __future__ import annotations

import asyncio


def fast_event_loop() -> asyncio.AbstractEventLoop:
    """A uvloop loop when installed, else asyncio's.

    The measuring side (client, load generator) must be the fast one, and the bare h11 ceiling
    must run on the same loop as graphqlwire's server does by default (uvloop when installed).
    """
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
