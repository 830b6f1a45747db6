"""The h11 internals the server relies on still exist and behave as the adapter expects.

If one of these fails after an h11 upgrade, `graphqlwire/server/_h11.py` must be adapted
before the version cap in pyproject.toml is raised.
"""

from __future__ import annotations

import h11
import pytest

from graphqlwire.server._h11 import buffered_bytes, raw_header_items, record_response_sent

REQUEST = b"GET /a HTTP/1.1\r\nHost: x\r\nX-Two: 1\r\nx-two: 2\r\n\r\n"
WHO = f"h11 {h11.__version__}"


def _server_with(data: bytes) -> tuple[h11.Connection, h11.Request]:
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(data)
    event = conn.next_event()
    assert isinstance(event, h11.Request), f"{WHO}: no Request event for a plain GET"
    return conn, event


def test_raw_header_items_are_lowercased_names_in_order() -> None:
    _, event = _server_with(REQUEST)
    assert list(raw_header_items(event.headers)) == [
        (b"host", b"x"),
        (b"x-two", b"1"),
        (b"x-two", b"2"),
    ], f"{WHO}: Headers._full_items changed shape"


def test_buffered_bytes_counts_what_follows_the_parsed_head() -> None:
    conn, _ = _server_with(REQUEST + b"GET /b")
    assert buffered_bytes(conn) == len(b"GET /b"), f"{WHO}: _receive_buffer changed"


def test_record_response_sent_starts_the_next_cycle() -> None:
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(REQUEST + REQUEST)
    assert isinstance(conn.next_event(), h11.Request)
    assert isinstance(conn.next_event(), h11.EndOfMessage)
    record_response_sent(conn)
    assert (conn.our_state, conn.their_state) == (h11.IDLE, h11.IDLE), (
        f"{WHO}: _cstate.process_event no longer moves the server past a response"
    )
    assert isinstance(conn.next_event(), h11.Request), f"{WHO}: the next request is lost"


def test_record_response_sent_refuses_an_unread_body() -> None:
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab")
    assert isinstance(conn.next_event(), h11.Request)
    with pytest.raises(h11.LocalProtocolError):
        record_response_sent(conn)
