"""Sans-IO ``graphql-transport-ws``: the graphql-ws library's protocol (PROTOCOL.md).

Theory of operation. A ``GraphQLTransportWSConnection`` is the server's half of one
connection. ``receive_text(text)`` takes a text frame (``receive_bytes()`` refuses a binary
one) and returns one event:

- ``ConnectionInit``, ``Ping``, ``Pong``, ``Subscribe``, ``Complete``: a valid client
  message, for the handler to act on;
- ``Close(code, reason)``: the protocol requires the connection to close. After it, the
  connection is ``CLOSED`` and every later frame gets the same ``Close`` again.

Every rule that decides a close code lives here, checked synchronously as the frame
arrives, so no await in the handler can reorder them:

- 4400 for anything that is not a valid message (PROTOCOL.md: "Receiving a message of a type
  or format which is not specified in this document will result in an immediate socket
  closure with the event 4400: <error-message>"): bad JSON, a non-object, an unknown
  ``type``, a missing or non-string ``id``, a bad ``payload``, a binary frame;
- 4429 for a second ``connection_init``;
- 4401 for a ``subscribe`` before ``connection_ack``;
- 4409 for a ``subscribe`` whose id is still active. The id is reserved the moment the
  ``Subscribe`` event is returned, before the handler awaits anything (graphql-ws#96).

Outgoing messages come from the encoders (``connection_ack``, ``pong``, ``next``,
``error``, ``complete``), which refuse with ``LocalProtocolError`` what the protocol
forbids: an ack before ``connection_init``, results for an id that is not active (so
nothing is ever sent for an operation after the client's ``complete``), an empty ``error``.
``error`` and ``complete`` end the operation and free its id for reuse.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from .._json import loads as decode_json
from . import LocalProtocolError, encode_json, encode_result_message, json_type

PROTOCOL = "graphql-transport-ws"

#: RFC 6455 section 5.5: a control frame carries at most 125 bytes, 2 of them the code.
MAX_REASON_BYTES = 123


class CloseCode(enum.IntEnum):
    """The graphql-ws close codes the server sends (``CloseCode`` in src/common.ts)."""

    BAD_REQUEST = 4400
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403
    SUBPROTOCOL_NOT_ACCEPTABLE = 4406
    CONNECTION_INITIALISATION_TIMEOUT = 4408
    SUBSCRIBER_ALREADY_EXISTS = 4409
    TOO_MANY_INITIALISATION_REQUESTS = 4429
    INTERNAL_SERVER_ERROR = 4500


class ConnectionState(enum.Enum):
    """Where the connection is in its handshake."""

    WAITING_FOR_INIT = 0
    #: ``connection_init`` arrived; the handler has not acknowledged it yet.
    INITIALISING = 1
    ACKNOWLEDGED = 2
    CLOSED = 3


@dataclass(frozen=True, slots=True)
class ConnectionInit:
    """``connection_init``: the client's connection parameters (an object, or None)."""

    payload: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Ping:
    """``ping``: answer with ``pong(payload)`` as soon as possible (it echoes the payload)."""

    payload: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Pong:
    """``pong``: a heartbeat answer or an unsolicited one; never answered."""

    payload: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Subscribe:
    """``subscribe``: start operation ``id``; ``payload`` has a string ``query``, or
    names a persisted document instead (``documentId``, an APQ hash in ``extensions``)."""

    id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Complete:
    """``complete`` from the client: stop operation ``id`` and send nothing more for it.

    ``active`` is False for an id that is unknown or already finished: there is nothing to
    stop, ignore it.
    """

    id: str
    active: bool


@dataclass(frozen=True, slots=True)
class Close:
    """The protocol requires closing the WebSocket with ``code`` and ``reason``."""

    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class UnknownType(Close):
    """A ``Close`` (4400) for a message whose ``type`` this protocol does not define."""


Event = ConnectionInit | Ping | Pong | Subscribe | Complete | Close


def close_reason(reason: str) -> str:
    """``reason`` cut to the 123 UTF-8 bytes a close frame can carry, on a character edge."""
    encoded = reason.encode()
    if len(encoded) <= MAX_REASON_BYTES:
        return reason
    return encoded[:MAX_REASON_BYTES].decode(errors="ignore")


class GraphQLTransportWSConnection:
    """The server side of one ``graphql-transport-ws`` connection (see the module docstring)."""

    __slots__ = ("_active", "_close", "state")

    def __init__(self) -> None:
        self.state = ConnectionState.WAITING_FOR_INIT
        #: Active ids, each with the start of its ``next`` messages, encoded once (see
        #: `next`). A dict rather than a set: an empty dict is a quarter of an empty set's
        #: size, and most connections run few operations at a time, or none.
        self._active: dict[str, str] = {}
        self._close: Close | None = None

    @property
    def init_received(self) -> bool:
        """Whether a ``connection_init`` arrived (the init timeout no longer applies)."""
        return self.state is not ConnectionState.WAITING_FOR_INIT

    @property
    def acknowledged(self) -> bool:
        """Whether ``connection_ack`` was sent: operations may be subscribed."""
        return self.state is ConnectionState.ACKNOWLEDGED

    @property
    def closed_with(self) -> Close | None:
        """The ``Close`` the protocol required (see ``close()``), or None while open."""
        return self._close

    @property
    def active_ids(self) -> frozenset[str]:
        """Ids of the operations that were subscribed and have not ended yet."""
        return frozenset(self._active)

    def is_active(self, operation_id: str) -> bool:
        """Whether ``operation_id`` was subscribed and has not ended yet (``active_ids``)."""
        return operation_id in self._active

    # --- incoming --------------------------------------------------------------------
    def receive_text(self, text: str) -> Event:
        """Decode a text frame and check it: the event it stands for."""
        message = self.decode(text)
        return message if isinstance(message, Close) else self.receive_message(message)

    def decode_frame(self, text: str | None) -> Any:
        """A frame's JSON value (its ASGI ``text``, None for binary), or the ``Close`` (4400)."""
        return self.receive_bytes() if text is None else self.decode(text)

    def decode(self, text: str) -> Any:
        """The JSON value of a text frame, or the ``Close`` (4400) when it is not JSON."""
        if self._close is not None:
            return self._close
        try:
            return decode_json(text)
        except ValueError:
            return self.close(CloseCode.BAD_REQUEST, "Invalid message received: not JSON")

    def receive_bytes(self) -> Close:
        """A binary frame (whatever it holds): the protocol only speaks JSON text frames."""
        return self._close or self.close(
            CloseCode.BAD_REQUEST, "Invalid message received: binary frames are not allowed"
        )

    def receive_message(self, message: Any) -> Event:
        """Check an already decoded message: the event it stands for."""
        if self._close is not None:
            return self._close
        if not isinstance(message, dict):
            return self._invalid(f"a message must be an object, not {json_type(message)}")
        kind = message.get("type")
        if kind == "connection_init":
            return self._receive_connection_init(message)
        if kind == "ping":
            return self._receive_ping(message)
        if kind == "pong":
            return self._receive_pong(message)
        if kind == "subscribe":
            return self._receive_subscribe(message)
        if kind == "complete":
            return self._receive_complete(message)
        if isinstance(kind, str):
            return self.close(
                CloseCode.BAD_REQUEST,
                f"Invalid message received: unexpected type {kind!r}",
                UnknownType,
            )
        return self._invalid(f"'type' must be a string, not {json_type(kind)}")

    def _receive_connection_init(self, message: dict[str, Any]) -> Event:
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            return self._invalid(_payload_problem_text("connection_init", payload))
        if self.state is not ConnectionState.WAITING_FOR_INIT:
            return self.close(
                CloseCode.TOO_MANY_INITIALISATION_REQUESTS, "Too many initialisation requests"
            )
        self.state = ConnectionState.INITIALISING
        return ConnectionInit(payload)

    def _receive_ping(self, message: dict[str, Any]) -> Event:
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            return self._invalid(_payload_problem_text("ping", payload))
        return Ping(payload)

    def _receive_pong(self, message: dict[str, Any]) -> Event:
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            return self._invalid(_payload_problem_text("pong", payload))
        return Pong(payload)

    def _receive_subscribe(self, message: dict[str, Any]) -> Event:
        operation_id = message.get("id")
        if not isinstance(operation_id, str) or not operation_id:
            return self._invalid(_id_problem_text("subscribe", operation_id))
        problem = _payload_problem(message.get("payload"))
        if problem is not None:
            return self._invalid(problem)
        if not self.acknowledged:
            return self.close(CloseCode.UNAUTHORIZED, "Unauthorized")
        if operation_id in self._active:
            return self.close(
                CloseCode.SUBSCRIBER_ALREADY_EXISTS, f"Subscriber for {operation_id} already exists"
            )
        # Reserved now, before the handler awaits anything.
        self._active[operation_id] = _next_prefix(operation_id)
        return Subscribe(operation_id, message["payload"])

    def _receive_complete(self, message: dict[str, Any]) -> Event:
        operation_id = message.get("id")
        if not isinstance(operation_id, str) or not operation_id:
            return self._invalid(_id_problem_text("complete", operation_id))
        active = operation_id in self._active
        self._active.pop(operation_id, None)
        return Complete(operation_id, active)

    def _invalid(self, problem: str) -> Close:
        return self.close(CloseCode.BAD_REQUEST, f"Invalid message received: {problem}")

    # --- outgoing --------------------------------------------------------------------
    def close(self, code: int, reason: str, kind: type[Close] = Close) -> Close:
        """Enter ``CLOSED`` (every operation ends) and return the close to send."""
        self._close = kind(code, close_reason(reason))
        self.state = ConnectionState.CLOSED
        self._active.clear()
        return self._close

    def connection_ack(self, payload: dict[str, Any] | None = None) -> str:
        """Acknowledge ``connection_init``; the key ``payload`` is omitted when None.

        The connection counts as acknowledged from here, before the frame is even sent, so
        a ``subscribe`` the client sends right on receiving it is accepted (graphql-ws#501).
        """
        if self.state is not ConnectionState.INITIALISING:
            raise LocalProtocolError(f"Cannot acknowledge a connection in state {self.state.name}")
        self.state = ConnectionState.ACKNOWLEDGED
        return encode_json(_with_payload({"type": "connection_ack"}, payload))

    def ping(self, payload: dict[str, Any] | None = None) -> str:
        """A server ``ping`` (the client must answer with ``pong``)."""
        return encode_json(_with_payload({"type": "ping"}, payload))

    def pong(self, payload: dict[str, Any] | None = None) -> str:
        """The answer to a ``ping``: give it the ``Ping`` event's payload to echo it."""
        return encode_json(_with_payload({"type": "pong"}, payload))

    def next(self, operation_id: str, result: dict[str, Any]) -> str:
        """One execution result of an active operation."""
        prefix = self._active.get(operation_id)
        if prefix is None:
            raise LocalProtocolError(f"Operation {operation_id!r} is not active")
        return f"{prefix}{encode_json(result)}}}"

    def error(self, operation_id: str, errors: list[dict[str, Any]]) -> str:
        """End an active operation with a non-empty array of GraphQL errors (no ``complete``)."""
        if not isinstance(errors, list) or not errors:
            raise LocalProtocolError("An error message needs a non-empty list of errors")
        self._check_active(operation_id)
        message = encode_result_message("error", operation_id, errors)
        del self._active[operation_id]  # only once encoded: a failed encoding ends nothing
        return message

    def complete(self, operation_id: str) -> str:
        """End an active operation: no more results follow."""
        self._check_active(operation_id)
        del self._active[operation_id]
        return encode_json({"type": "complete", "id": operation_id})

    def _check_active(self, operation_id: str) -> None:
        if operation_id not in self._active:
            raise LocalProtocolError(f"Operation {operation_id!r} is not active")


def _next_prefix(operation_id: str) -> str:
    """What every ``next`` message of `operation_id` starts with, up to its payload.

    `next` adds the encoded result and the closing brace: the text is the same as
    ``encode_result_message("next", operation_id, result)``.
    """
    return f'{{"type":"next","id":{encode_json(operation_id)},"payload":'


def _payload_problem(payload: Any) -> str | None:
    """What makes a ``subscribe`` payload invalid (graphql-ws ``validateMessage``), or None."""
    if not isinstance(payload, dict):
        return f"subscribe 'payload' must be an object, not {json_type(payload)}"
    query = payload.get("query")
    if not isinstance(query, str) and not (query is None and _names_a_document(payload)):
        return f"subscribe 'payload.query' must be a string, not {json_type(query)}"
    for key, expected in (("variables", dict), ("operationName", str), ("extensions", dict)):
        value = payload.get(key)
        if value is not None and not isinstance(value, expected):
            return f"subscribe 'payload.{key}' has the wrong type: {json_type(value)}"
    return None


def _names_a_document(payload: dict[str, Any]) -> bool:
    """Whether a payload names a persisted document in place of a ``query``: a GoH
    ``documentId`` or an APQ hash (the execution layer looks it up)."""
    extensions = payload.get("extensions")
    return payload.get("documentId") is not None or (
        isinstance(extensions, dict) and "persistedQuery" in extensions
    )


def _payload_problem_text(kind: str, payload: Any) -> str:
    return f"{kind} 'payload' must be an object or null, not {json_type(payload)}"


def _id_problem_text(kind: str, operation_id: Any) -> str:
    if operation_id == "":
        return f"{kind} 'id' must not be empty"
    return f"{kind} 'id' must be a string, not {json_type(operation_id)}"


def _with_payload(message: dict[str, Any], payload: dict[str, Any] | None) -> dict[str, Any]:
    if payload is not None:
        message["payload"] = payload
    return message


__all__ = [
    "PROTOCOL",
    "Close",
    "CloseCode",
    "Complete",
    "ConnectionInit",
    "ConnectionState",
    "Event",
    "GraphQLTransportWSConnection",
    "Ping",
    "Pong",
    "Subscribe",
    "UnknownType",
    "close_reason",
]
