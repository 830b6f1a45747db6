"""Sans-IO GraphQL over Server-Sent Events: the graphql-sse protocol (its PROTOCOL.md).

Two things live here, neither of which awaits anything or touches a socket:

- the framing of the event stream: ``next`` and ``complete`` events in both modes, and the
  keep-alive comment, as the bytes to write (``next_event``, ``complete_event``,
  ``KEEP_ALIVE``);
- ``Reservations``, the rules of the single connection mode: a ``PUT`` reserves a stream
  and gets a token; at most one event stream may fulfil a reservation ("there MUST never be
  multiple SSE connections behind a single reservation"); operations are registered by
  their ``extensions.operationId`` the moment they are accepted, before anything is
  awaited, so two requests with one id cannot both start. A reservation whose stream does
  not connect in time expires, and the registry holds a bounded number of them, so a flood
  of ``PUT`` requests cannot grow memory.

Every refusal is a ``StreamRefusal`` carrying the HTTP status the protocol (or graphql-sse's
reference server, where the prose is silent) gives it; the ASGI handler
(``graphqlwire.asgi.handlers.sse``) turns it into a JSON error response.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field
from typing import Any

from .._json import compact_encoder

__all__ = [
    "KEEP_ALIVE",
    "TOKEN_HEADER",
    "Reservation",
    "Reservations",
    "StreamRefusal",
    "StreamState",
    "complete_event",
    "encode_payload",
    "next_event",
]

#: The header (or the ``token`` URL parameter) that names a reservation.
TOKEN_HEADER = "x-graphql-event-stream-token"
#: A comment line: ignored by every client, it keeps proxies from timing the stream out.
KEEP_ALIVE = b":\n\n"

_STRICT = compact_encoder(allow_nan=False)


def encode_payload(value: Any) -> bytes:
    """``value`` as compact JSON bytes, on one line (JSON escapes every line break).

    A string holding a lone surrogate (a client's ``"\\ud800"`` escape echoed back) cannot
    be UTF-8: such a payload is written with ASCII escapes instead, still valid JSON.
    """
    text = _STRICT(value)
    try:
        return text.encode()
    except UnicodeEncodeError:
        return text.encode("ascii", "backslashreplace")


def next_event(payload: bytes, operation_id: str | None = None) -> bytes:
    """A ``next`` event carrying `payload` (an encoded execution result).

    Distinct connections mode (no `operation_id`): the data is the result itself. Single
    connection mode: ``{"id": operation_id, "payload": result}``.
    """
    if operation_id is None:
        return b"event: next\ndata: %s\n\n" % payload
    return b'event: next\ndata: {"id":%s,"payload":%s}\n\n' % (
        encode_payload(operation_id),
        payload,
    )


def complete_event(operation_id: str | None = None) -> bytes:
    """The ``complete`` event; its ``data:`` line is empty in distinct connections mode.

    PROTOCOL.md: include an empty ``data:`` field, else an ``EventSource`` listener never
    fires. In single connection mode the data is ``{"id": operation_id}``.
    """
    if operation_id is None:
        return b"event: complete\ndata:\n\n"
    return b'event: complete\ndata: {"id":%s}\n\n' % encode_payload(operation_id)


class StreamRefusal(Exception):
    """A single-connection request the protocol refuses: ``status`` and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class StreamState(enum.Enum):
    """Where a reservation is."""

    RESERVED = "reserved: its event stream has not connected yet"
    OPEN = "its event stream is connected"
    CLOSED = "ended: its stream disconnected or it expired; the token is unknown now"


@dataclass(eq=False)
class Reservation:
    """One reserved event stream and the operations that stream to it."""

    token: str
    #: When the reservation expires unless its stream connects (the caller's clock).
    expires_at: float
    state: StreamState = StreamState.RESERVED
    #: The ids of the operations running on it.
    operations: set[str] = field(default_factory=set)
    #: Free for the I/O layer (the queue its events wait in, the operations' tasks).
    channel: Any = None


class Reservations:
    """The reservations of the single connection mode (see the module docstring).

    Times are the caller's clock (``loop.time()``), passed in as ``now``.

    # Optional arguments

    `ttl`: seconds a reservation waits for its event stream before it expires.

    `limit`: most reservations held at once (``PUT`` gets 503 past it).

    `max_operations`: most operations running on one stream at once (429 past it).
    """

    def __init__(self, *, ttl: float = 30.0, limit: int = 1000, max_operations: int = 100) -> None:
        if ttl <= 0 or limit < 1 or max_operations < 1:
            raise ValueError("ttl must be positive, limit and max_operations at least 1")
        self.ttl = ttl
        self.limit = limit
        self.max_operations = max_operations
        self._by_token: dict[str, Reservation] = {}

    def __len__(self) -> int:
        return len(self._by_token)

    def reserve(self, now: float) -> Reservation:
        """A new reservation with a fresh unguessable token; expired ones are dropped first."""
        self.expire(now)
        if len(self._by_token) >= self.limit:
            raise StreamRefusal(
                503, "Too many event stream reservations are pending: try again later."
            )
        token = secrets.token_urlsafe(24)
        reservation = Reservation(token, now + self.ttl)
        self._by_token[token] = reservation
        return reservation

    def find(self, token: str | None, now: float) -> Reservation:
        """The live reservation `token` names; 404 for a missing, unknown or expired one."""
        reservation = self._by_token.get(token) if token else None
        if reservation is None or self._expired(reservation, now):
            raise StreamRefusal(404, "Stream not found: reserve one with PUT first.")
        return reservation

    def open(self, token: str | None, now: float) -> Reservation:
        """Connect the event stream of `token`'s reservation (409 when one is connected)."""
        reservation = self.find(token, now)
        if reservation.state is StreamState.OPEN:
            raise StreamRefusal(409, "Stream already open: a reservation has one event stream.")
        reservation.state = StreamState.OPEN
        return reservation

    def start_operation(self, token: str | None, operation_id: Any, now: float) -> Reservation:
        """Register operation `operation_id` on `token`'s stream before it starts.

        400 without an id (a non-empty string or a number), 409 for an id still running,
        429 past ``max_operations``.
        """
        reservation = self.find(token, now)
        if isinstance(operation_id, (int, float)) and not isinstance(operation_id, bool):
            operation_id = str(operation_id)
        if not isinstance(operation_id, str) or not operation_id:
            raise StreamRefusal(400, "Operation ID is missing: send it as extensions.operationId.")
        if operation_id in reservation.operations:
            raise StreamRefusal(409, f"Operation with ID {operation_id!r} already exists.")
        if len(reservation.operations) >= self.max_operations:
            raise StreamRefusal(
                429, f"Too many operations on this stream (at most {self.max_operations})."
            )
        reservation.operations.add(operation_id)
        return reservation

    @staticmethod
    def end_operation(reservation: Reservation, operation_id: str) -> bool:
        """Forget operation `operation_id`; False when it was not running."""
        if operation_id in reservation.operations:
            reservation.operations.discard(operation_id)
            return True
        return False

    def close(self, reservation: Reservation) -> None:
        """End `reservation` (its stream disconnected): its token is unknown from now on,
        and so are its operations."""
        reservation.state = StreamState.CLOSED
        reservation.operations.clear()
        if self._by_token.get(reservation.token) is reservation:
            del self._by_token[reservation.token]

    def expire(self, now: float) -> list[Reservation]:
        """Drop the reservations whose stream did not connect in time; returns them."""
        expired = [r for r in self._by_token.values() if self._expired(r, now)]
        for reservation in expired:
            self.close(reservation)
        return expired

    @staticmethod
    def _expired(reservation: Reservation, now: float) -> bool:
        return reservation.state is StreamState.RESERVED and now >= reservation.expires_at
