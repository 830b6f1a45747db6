"""Sans-IO legacy ``graphql-ws``: the subscriptions-transport-ws protocol (PROTOCOL.md).

Unlike ``graphql-transport-ws``, this protocol answers bad input with a message and keeps
the connection open (the reference server, src/server.ts, does the same):

- a frame that is not JSON gets ``connection_error`` (``Reply``), no disconnect;
- a ``connection_init`` whose payload is not an object (or null), or that repeats an
  earlier one, gets ``connection_error``; the reference server would store any payload
  and run ``onConnect`` again, re-authenticating a live connection;
- an unknown ``type`` gets ``error`` with the message ``Invalid message type!``;
- the deprecated types of older releases (``init``, ``subscription_start``, ...) are
  ignored (``Ignored``);
- a ``start`` or ``stop`` without a non-empty string id gets ``error``; a ``start`` whose
  payload is not an object gets ``error`` and ``complete``, so the client's operation
  finishes;
- a ``start`` before the connection was acknowledged gets ``error`` + ``complete``: the
  reference server would run it without ever calling ``onConnect``, which lets a client skip
  authentication.

A ``GraphQLWSConnection`` only keeps how far the handshake went; the handler keeps the
operations. ``receive_*`` return one event; encoders build outgoing messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

from .._json import loads as decode_json
from . import encode_json, encode_result_message, json_type

PROTOCOL = "graphql-ws"

#: Message types of subscriptions-transport-ws < 0.9, which the reference server ignores.
DEPRECATED_TYPES = frozenset(
    {
        "init",
        "init_success",
        "init_fail",
        "keepalive",
        "subscription_start",
        "subscription_end",
        "subscription_data",
        "subscription_success",
        "subscription_fail",
    }
)

INVALID_TYPE_MESSAGE = "Invalid message type!"


@dataclass(frozen=True, slots=True)
class ConnectionInit:
    """``connection_init``: the client's connection parameters (an object, or None)."""

    payload: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Start:
    """``start``: run operation ``id``; ``payload`` is an object (``query``, ``variables``...)."""

    id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Stop:
    """``stop``: stop operation ``id`` (ignored when no such operation runs)."""

    id: str


@dataclass(frozen=True, slots=True)
class ConnectionTerminate:
    """``connection_terminate``: the client asks the server to close the socket."""


@dataclass(frozen=True, slots=True)
class Reply:
    """Bad input: send these messages back and keep the connection open."""

    messages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ignored:
    """A deprecated message type: do nothing."""

    type: str


Event = ConnectionInit | Start | Stop | ConnectionTerminate | Reply | Ignored


class GraphQLWSConnection:
    """The server side of one legacy ``graphql-ws`` connection (see the module docstring)."""

    def __init__(self) -> None:
        #: A ``connection_init`` was accepted as an event (later ones are refused).
        self.init_received = False
        self.acknowledged = False

    # --- incoming --------------------------------------------------------------------
    def receive_text(self, text: str) -> Event:
        """Decode a text frame and check it: the event it stands for."""
        message = self.decode_frame(text)
        return message if isinstance(message, Reply) else self.receive_message(message)

    def decode_frame(self, text: str | None) -> Any:
        """A frame's JSON value (its ASGI ``text``, None for binary), or the ``Reply`` to it."""
        if text is None:
            return self.receive_bytes()
        try:
            return decode_json(text)
        except ValueError:
            return Reply((self.connection_error({"message": "Message must be valid JSON"}),))

    def receive_bytes(self) -> Reply:
        """A binary frame (whatever it holds): the protocol only speaks JSON text frames."""
        return Reply((self.connection_error({"message": "Binary frames are not supported"}),))

    def receive_message(self, message: Any) -> Event:
        """Check an already decoded message: the event it stands for."""
        if not isinstance(message, dict):
            return Reply((self.error(None, {"message": INVALID_TYPE_MESSAGE}),))
        kind = message.get("type")
        operation_id = message.get("id")
        if kind == "connection_init":
            return self._receive_connection_init(message.get("payload"))
        if kind == "start":
            return self._receive_start(operation_id, message.get("payload"))
        if kind == "stop":
            if not _valid_id(operation_id):
                return Reply((self.error(None, {"message": _id_problem("stop", operation_id)}),))
            return Stop(operation_id)
        if kind == "connection_terminate":
            return ConnectionTerminate()
        if isinstance(kind, str) and kind in DEPRECATED_TYPES:
            return Ignored(kind)
        valid_id = operation_id if _valid_id(operation_id) else None
        return Reply((self.error(valid_id, {"message": INVALID_TYPE_MESSAGE}),))

    def _receive_connection_init(self, payload: Any) -> Event:
        if payload is not None and not isinstance(payload, dict):
            kind = json_type(payload)
            problem = f"connection_init 'payload' must be an object or null, not {kind}"
            return Reply((self.connection_error({"message": problem}),))
        if self.init_received:
            problem = "The connection was already initialised"
            return Reply((self.connection_error({"message": problem}),))
        self.init_received = True
        return ConnectionInit(payload)

    def _receive_start(self, operation_id: Any, payload: Any) -> Event:
        if not _valid_id(operation_id):
            return Reply((self.error(None, {"message": _id_problem("start", operation_id)}),))
        if not self.acknowledged:
            problem = "The connection was not initialised: send connection_init first"
        elif not isinstance(payload, dict):
            problem = f"start 'payload' must be an object, not {json_type(payload)}"
        else:
            return Start(operation_id, payload)
        return Reply((self.error(operation_id, {"message": problem}), self.complete(operation_id)))

    # --- outgoing --------------------------------------------------------------------
    def connection_ack(self) -> str:
        """Accept the connection: ``start`` messages are served from now on."""
        self.acknowledged = True
        return encode_json({"type": "connection_ack"})

    def connection_error(self, payload: dict[str, Any]) -> str:
        """Refuse ``connection_init``, or report a frame that could not be parsed."""
        return encode_json({"type": "connection_error", "payload": payload})

    def keep_alive(self) -> str:
        """``ka``: tells the client the connection is alive."""
        return encode_json({"type": "ka"})

    def data(self, operation_id: str, result: dict[str, Any]) -> str:
        """One execution result (``data`` and ``errors``) of an operation."""
        return encode_result_message("data", operation_id, result)

    def error(self, operation_id: str | None, error: dict[str, Any]) -> str:
        """One error object for an operation that failed before execution."""
        message: dict[str, Any] = {"type": "error", "payload": error}
        if operation_id is not None:
            message["id"] = operation_id
        return encode_json(message)

    def complete(self, operation_id: str) -> str:
        """The operation ended: no more ``data`` follows."""
        return encode_json({"type": "complete", "id": operation_id})


def _valid_id(operation_id: Any) -> TypeGuard[str]:
    """An operation id is a non-empty string (an empty one counts as missing)."""
    return isinstance(operation_id, str) and operation_id != ""


def _id_problem(kind: str, operation_id: Any) -> str:
    if operation_id == "":
        return f"{kind} needs a string 'id', not an empty one"
    return f"{kind} needs a string 'id', not {json_type(operation_id)}"


__all__ = [
    "DEPRECATED_TYPES",
    "INVALID_TYPE_MESSAGE",
    "PROTOCOL",
    "ConnectionInit",
    "ConnectionTerminate",
    "Event",
    "GraphQLWSConnection",
    "Ignored",
    "Reply",
    "Start",
    "Stop",
]
