"""The sans-IO side of GraphQL over SSE (``graphqlwire.protocols.sse``): no loop, no socket.

Event framing byte for byte, and the single connection mode's reservation rules: tokens,
one stream per reservation, operation ids, the limits and expiry.
"""

from __future__ import annotations

import pytest

from graphqlwire.protocols.sse import (
    KEEP_ALIVE,
    Reservations,
    StreamRefusal,
    StreamState,
    complete_event,
    encode_payload,
    next_event,
)


def refusal(call: object, *args: object) -> tuple[int, str]:
    with pytest.raises(StreamRefusal) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.status, caught.value.message


def test_events_are_framed_as_graphql_sse_prints_them() -> None:
    payload = encode_payload({"data": {"text": "a\nb é"}})
    assert payload == '{"data":{"text":"a\\nb é"}}'.encode()
    assert next_event(payload) == b'event: next\ndata: {"data":{"text":"a\\nb \xc3\xa9"}}\n\n'
    assert next_event(b"{}", "op 1") == b'event: next\ndata: {"id":"op 1","payload":{}}\n\n'
    assert complete_event() == b"event: complete\ndata:\n\n"
    assert complete_event('a"b') == b'event: complete\ndata: {"id":"a\\"b"}\n\n'
    assert KEEP_ALIVE == b":\n\n"


def test_a_lone_surrogate_is_escaped_and_nan_refused() -> None:
    assert encode_payload({"s": "\ud800"}) == b'{"s":"\\ud800"}'
    with pytest.raises(ValueError):
        encode_payload({"f": float("nan")})


def test_a_reservation_gets_one_stream() -> None:
    reservations = Reservations(ttl=10)
    first, second = reservations.reserve(0), reservations.reserve(0)
    assert first.token != second.token
    assert len(first.token) >= 32
    assert reservations.open(first.token, 1) is first
    assert first.state is StreamState.OPEN
    assert refusal(reservations.open, first.token, 1)[0] == 409
    assert refusal(reservations.open, "unknown", 1)[0] == 404
    assert refusal(reservations.open, None, 1)[0] == 404
    reservations.start_operation(first.token, "op", 1)
    reservations.close(first)
    assert first.state is StreamState.CLOSED
    assert first.operations == set()
    assert refusal(reservations.find, first.token, 1)[0] == 404
    assert len(reservations) == 1


def test_operation_ids_are_registered_before_they_start() -> None:
    reservations = Reservations(max_operations=2)
    token = reservations.reserve(0).token
    reservation = reservations.start_operation(token, "a", 0)
    assert reservations.start_operation(token, 7, 0).operations == {"a", "7"}
    assert refusal(reservations.start_operation, token, "a", 0)[0] == 409
    assert refusal(reservations.start_operation, token, "b", 0)[0] == 429
    for missing in (None, "", True, ["a"], {}):
        status, message = refusal(reservations.start_operation, token, missing, 0)
        assert (status, "Operation ID is missing" in message) == (400, True)
    assert reservations.end_operation(reservation, "a") is True
    assert reservations.end_operation(reservation, "a") is False
    assert reservations.start_operation(token, "a", 0) is reservation


def test_reservations_expire_unless_their_stream_connects() -> None:
    reservations = Reservations(ttl=5, limit=2)
    waiting, connected = reservations.reserve(0), reservations.reserve(0)
    reservations.open(connected.token, 1)
    assert refusal(reservations.reserve, 1)[0] == 503
    assert refusal(reservations.find, waiting.token, 5)[0] == 404  # expired, not yet swept
    assert reservations.expire(5) == [waiting]
    assert waiting.state is StreamState.CLOSED
    assert reservations.find(connected.token, 100) is connected  # an open stream never expires
    assert reservations.reserve(5).token not in (waiting.token, connected.token)


@pytest.mark.parametrize("options", [{"ttl": 0}, {"ttl": -1}, {"limit": 0}, {"max_operations": 0}])
def test_bad_limits_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Reservations(**options)  # type: ignore[arg-type]
