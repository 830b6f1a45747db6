"""HTTP responses that refuse a WebSocket opening handshake, worded as RFC 6455 asks."""

from __future__ import annotations

from wsproto.events import RejectConnection
from wsproto.utilities import RemoteProtocolError

from .http11 import simple_response, status_line

__all__ = ["handshake_refusal", "with_reason"]


def handshake_refusal(error: RemoteProtocolError, date_header: bytes) -> bytes:
    """The HTTP response to a handshake wsproto refused, with the headers it hints at.

    RFC 6455 §4.4: a missing or unsupported ``Sec-WebSocket-Version`` gets 426 Upgrade
    Required with ``Sec-WebSocket-Version: 13``, the version the server speaks (wsproto
    hints 400 for a missing one).
    """
    hint = error.event_hint
    status = hint.status_code if isinstance(hint, RejectConnection) else 400
    headers = hint.headers if isinstance(hint, RejectConnection) else []
    versions = [value for name, value in headers if name.lower() == b"sec-websocket-version"]
    message = f"Bad Request: {error}"
    if versions:
        status = 426
        version = versions[0].decode("latin-1")
        message = f"Upgrade Required: this server speaks WebSocket version {version} only."
    lines = b"".join(b"%s: %s\r\n" % (name, value) for name, value in headers)
    return simple_response(status, message, date_header, headers=lines)


def with_reason(head: bytes, status: int) -> bytes:
    """A denial's head with the reason phrase h11 leaves out (``HTTP/1.1 403 Forbidden``)."""
    return status_line(status) + head[head.index(b"\r\n") + 2 :]
