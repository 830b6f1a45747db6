"""Status codes the RFCs name: 414 for a long target, 426 for a WebSocket version.

RFC 9110 §15.5.15: a request target longer than the server interprets is 414, not the 431
meant for header fields, even when the long target also makes the head too large, and
whether the head ended or not. RFC 6455 §4.4: a handshake whose ``Sec-WebSocket-Version``
is missing or unsupported gets 426 with ``Sec-WebSocket-Version: 13``.
"""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import graphqlwire_server, raw_exchange, status_of

LIMITS = {"max_header_size": 1024, "max_url_length": 200}
HANDSHAKE = (
    b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
)


@pytest.mark.parametrize(
    "request_bytes",
    [
        # A target over both limits, in a head that ends ...
        b"GET /" + b"u" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        # ... in a head that never ends (h11's buffer limit trips first) ...
        b"GET /" + b"u" * 5000,
        # ... and a target over the URL limit only.
        b"GET /" + b"u" * 300 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
    ids=["ended", "unended", "url only"],
)
async def test_a_long_target_is_414(app: Any, request_bytes: bytes) -> None:
    async with graphqlwire_server(app, **LIMITS) as url:
        response = await raw_exchange(url, request_bytes)
    assert status_of(response) == 414
    assert response.endswith(b"URI Too Long")


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5000,
    ],
    ids=["ended", "unended"],
)
async def test_large_header_fields_stay_431(app: Any, request_bytes: bytes) -> None:
    async with graphqlwire_server(app, **LIMITS) as url:
        response = await raw_exchange(url, request_bytes)
    assert status_of(response) == 431


@pytest.mark.parametrize("version", [None, b"8", b"14"], ids=["missing", "8", "14"])
async def test_a_websocket_version_other_than_13_is_426(app: Any, version: bytes | None) -> None:
    request = HANDSHAKE
    if version is not None:
        request += b"Sec-WebSocket-Version: " + version + b"\r\n"
    async with graphqlwire_server(app) as url:
        response = await raw_exchange(url, request + b"\r\n")
    head, _, body = response.partition(b"\r\n\r\n")
    assert status_of(response) == 426
    assert b"\r\nsec-websocket-version: 13" in head.lower()
    assert body == b"Upgrade Required: this server speaks WebSocket version 13 only."


async def test_version_13_reaches_the_app(app: Any) -> None:
    request = HANDSHAKE + b"Sec-WebSocket-Version: 13\r\n\r\n"
    async with graphqlwire_server(app) as url:
        response = await raw_exchange(url, request)
    assert status_of(response) == 403  # the test app closes "/" before accepting it
