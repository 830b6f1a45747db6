"""Sans-IO state machines for the two GraphQL-over-WebSocket subprotocols.

``graphql_transport_ws`` implements ``graphql-transport-ws`` (the graphql-ws library's
protocol) and ``graphql_ws`` the legacy ``graphql-ws`` (subscriptions-transport-ws). Each
takes already-decoded text frames (or parsed messages) in and returns frozen dataclass
events that say what the client asked for, or what the protocol requires in answer to bad
input (a close code, an error message). Encoders build the outgoing messages and keep the
state the protocol rules depend on. Nothing here awaits or touches a socket: the ASGI
handlers in ``graphqlwire.asgi.handlers`` only pump frames through these objects.
"""

from __future__ import annotations

import json
from typing import Any

from ..request_data import json_type


class LocalProtocolError(Exception):
    """The server tried to send a message that its protocol forbids in the current state."""


def decode_json(text: str) -> Any:
    """``json.loads`` that also refuses the non-standard ``NaN`` / ``Infinity`` tokens."""
    return json.loads(text, parse_constant=_refuse_constant)


def encode_json(message: dict[str, Any]) -> str:
    """Compact JSON, with non-ASCII text kept as is (frames are UTF-8 anyway)."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


__all__ = ["LocalProtocolError", "decode_json", "encode_json", "json_type"]
