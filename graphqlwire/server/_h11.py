"""Every use of h11's private internals, in one place.

The server serialises responses itself and serves repeated request heads without feeding
h11 (see `connection` and `headcache`), so it needs three things h11 does not expose: the
raw header items of a parsed request, the bytes still in a connection's receive buffer,
and a way to tell h11's state machine that a response was sent without serialising it
again. pyproject.toml caps h11's version; `tests/server/test_h11_adapter.py` fails loudly
on an h11 whose internals changed shape, so an upgrade is caught by the suite.
"""

from __future__ import annotations

from collections.abc import Iterator

import h11

__all__ = ["buffered_bytes", "raw_header_items", "record_response_sent"]


def raw_header_items(headers: h11._headers.Headers) -> Iterator[tuple[bytes, bytes]]:
    """``(lowercased name, value)`` of each header, in order, as h11 parsed them."""
    for _, name, value in headers._full_items:
        yield name, value


def buffered_bytes(conn: h11.Connection) -> int:
    """How many received bytes h11 holds that it has not turned into events yet."""
    return len(conn._receive_buffer)


def record_response_sent(conn: h11.Connection) -> None:
    """Move h11's state machine past a whole response the server wrote itself.

    Replays ``Response`` and ``EndOfMessage`` for the server role (the public ``send``
    would serialise them again), then starts the next cycle. Raises
    ``h11.LocalProtocolError`` unless the request was read to its end.
    """
    cstate = conn._cstate
    cstate.process_event(h11.SERVER, h11.Response)
    cstate.process_event(h11.SERVER, h11.EndOfMessage)
    conn.client_is_waiting_for_100_continue = False
    conn.start_next_cycle()
