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

from typing import Any

from .._json import compact_encoder, json_type


class LocalProtocolError(Exception):
    """The server tried to send a message that its protocol forbids in the current state."""


#: Compact JSON, with non-ASCII text kept as is (frames are UTF-8 anyway).
encode_json = compact_encoder(allow_nan=True)


def encode_result_message(kind: str, operation_id: str, payload: Any) -> str:
    """``{"type": kind, "id": operation_id, "payload": payload}`` encoded like `encode_json`.

    The per-event message of both subprotocols, built by formatting rather than through a
    throwaway dict (the same text, key order included).
    """
    return f'{{"type":"{kind}","id":{encode_json(operation_id)},"payload":{encode_json(payload)}}}'


__all__ = [
    "LocalProtocolError",
    "encode_json",
    "encode_result_message",
    "json_type",
]
