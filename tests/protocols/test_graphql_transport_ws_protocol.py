"""The sans-IO graphql-transport-ws state machine: every rule, no event loop."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graphqlwire.protocols import LocalProtocolError
from graphqlwire.protocols.graphql_transport_ws import (
    Close,
    CloseCode,
    Complete,
    ConnectionInit,
    ConnectionState,
    GraphQLTransportWSConnection,
    Ping,
    Pong,
    Subscribe,
    UnknownType,
    close_reason,
)

QUERY = {"query": "subscription { tick }"}


def acknowledged() -> GraphQLTransportWSConnection:
    connection = GraphQLTransportWSConnection()
    assert connection.receive_text('{"type": "connection_init"}') == ConnectionInit(None)
    connection.connection_ack()
    return connection


def subscribe(connection: GraphQLTransportWSConnection, operation_id: Any, payload: Any) -> Any:
    return connection.receive_message({"type": "subscribe", "id": operation_id, "payload": payload})


def test_handshake_states_and_ack_without_payload_key() -> None:
    connection = GraphQLTransportWSConnection()
    assert connection.state is ConnectionState.WAITING_FOR_INIT
    assert not connection.init_received
    event = connection.receive_text('{"type":"connection_init","payload":{"token":"t"}}')
    assert event == ConnectionInit({"token": "t"})
    assert connection.init_received and not connection.acknowledged
    assert json.loads(connection.connection_ack()) == {"type": "connection_ack"}
    assert connection.acknowledged


def test_ack_payload_is_sent_when_given_and_ack_needs_init() -> None:
    connection = GraphQLTransportWSConnection()
    with pytest.raises(LocalProtocolError):
        connection.connection_ack()
    connection.receive_message({"type": "connection_init", "payload": None})
    assert json.loads(connection.connection_ack({"a": 1})) == {
        "type": "connection_ack",
        "payload": {"a": 1},
    }
    with pytest.raises(LocalProtocolError):
        connection.connection_ack()


def test_second_init_closes_4429_even_before_ack() -> None:
    connection = GraphQLTransportWSConnection()
    connection.receive_message({"type": "connection_init"})
    assert connection.receive_message({"type": "connection_init"}) == Close(
        4429, "Too many initialisation requests"
    )
    assert connection.state is ConnectionState.CLOSED


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("{not json", "not JSON"),
        ("NaN", "not JSON"),
        ("[1, 2]", "an array"),
        ('"connection_init"', "a string"),
        ('{"payload": {}}', "'type' must be a string, not null"),
        ('{"type": 7}', "not a number"),
        ('{"type": "next", "id": "1", "payload": {}}', "'next'"),
        ('{"type": "connection_ack"}', "'connection_ack'"),
        ('{"type": "unknown"}', "'unknown'"),
        ('{"type": "connection_init", "payload": [1]}', "connection_init 'payload'"),
        ('{"type": "ping", "payload": "x"}', "ping 'payload'"),
        ('{"type": "pong", "payload": 1}', "pong 'payload'"),
        ('{"type": "complete"}', "complete 'id' must be a string, not null"),
        ('{"type": "complete", "id": 5}', "not a number"),
        ('{"type": "complete", "id": ""}', "must not be empty"),
    ],
)
def test_invalid_messages_close_4400_with_a_reason(text: str, reason_part: str) -> None:
    connection = GraphQLTransportWSConnection()
    event = connection.receive_text(text)
    assert isinstance(event, Close)
    assert event.code == CloseCode.BAD_REQUEST == 4400
    assert event.reason.startswith("Invalid message received: ")
    assert reason_part in event.reason
    assert connection.state is ConnectionState.CLOSED
    # Everything after the close gets the same decision.
    assert connection.receive_text('{"type": "ping"}') == event


@pytest.mark.parametrize(
    ("operation_id", "payload", "reason_part"),
    [
        (None, QUERY, "subscribe 'id' must be a string, not null"),
        (1, QUERY, "not a number"),
        ("", QUERY, "must not be empty"),
        ("1", None, "subscribe 'payload' must be an object, not null"),
        ("1", [], "not an array"),
        ("1", {}, "'payload.query' must be a string, not null"),
        ("1", {"query": 5}, "'payload.query' must be a string, not a number"),
        ("1", {"query": "{a}", "variables": []}, "payload.variables"),
        ("1", {"query": "{a}", "operationName": 1}, "payload.operationName"),
        ("1", {"query": "{a}", "extensions": "x"}, "payload.extensions"),
        ("1", {"extensions": {"other": 1}}, "'payload.query' must be a string, not null"),
        ("1", {"documentId": "x", "query": 5}, "'payload.query' must be a string, not a number"),
    ],
)
def test_invalid_subscribe_closes_4400(operation_id: Any, payload: Any, reason_part: str) -> None:
    event = subscribe(acknowledged(), operation_id, payload)
    assert isinstance(event, Close)
    assert event.code == 4400
    assert reason_part in event.reason


@pytest.mark.parametrize(
    "payload",
    [
        {"documentId": "sha256:abc"},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}},
    ],
)
def test_subscribe_may_name_a_persisted_document_instead_of_a_query(payload: Any) -> None:
    # The execution layer looks the document up (or answers an error for the operation).
    assert subscribe(acknowledged(), "1", payload) == Subscribe("1", payload)


def test_binary_frame_closes_4400() -> None:
    event = GraphQLTransportWSConnection().receive_bytes()
    assert isinstance(event, Close)
    assert event.code == 4400
    assert "binary" in event.reason


def test_subscribe_before_ack_closes_4401_even_after_init() -> None:
    assert subscribe(GraphQLTransportWSConnection(), "1", QUERY) == Close(4401, "Unauthorized")
    connection = GraphQLTransportWSConnection()
    connection.receive_message({"type": "connection_init"})
    assert subscribe(connection, "1", QUERY) == Close(4401, "Unauthorized")


def test_duplicate_active_id_closes_4409_and_ids_are_reusable_after_the_end() -> None:
    connection = acknowledged()
    assert subscribe(connection, "a", QUERY) == Subscribe("a", QUERY)
    assert connection.active_ids == {"a"}
    connection.complete("a")
    assert subscribe(connection, "a", QUERY) == Subscribe("a", QUERY)
    connection.error("a", [{"message": "boom"}])
    assert subscribe(connection, "a", QUERY) == Subscribe("a", QUERY)
    assert connection.receive_message({"type": "complete", "id": "a"}) == Complete("a", True)
    assert subscribe(connection, "a", QUERY) == Subscribe("a", QUERY)
    assert subscribe(connection, "a", QUERY) == Close(4409, "Subscriber for a already exists")
    assert connection.active_ids == frozenset()


def test_complete_for_unknown_id_is_reported_inactive_and_does_not_close() -> None:
    connection = acknowledged()
    assert connection.receive_message({"type": "complete", "id": "nope"}) == Complete("nope", False)
    assert connection.state is ConnectionState.ACKNOWLEDGED


def test_ping_before_init_is_answered_with_its_payload_and_pong_is_an_event() -> None:
    connection = GraphQLTransportWSConnection()
    ping = connection.receive_message({"type": "ping", "payload": {"n": 1}})
    assert ping == Ping({"n": 1})
    assert json.loads(connection.pong(ping.payload)) == {"type": "pong", "payload": {"n": 1}}
    ping = connection.receive_message({"type": "ping"})
    assert ping == Ping(None)
    assert json.loads(connection.pong(ping.payload)) == {"type": "pong"}
    assert connection.receive_message({"type": "pong", "payload": {"x": 1}}) == Pong({"x": 1})
    assert json.loads(connection.ping()) == {"type": "ping"}
    assert connection.state is ConnectionState.WAITING_FOR_INIT


def test_encoders_refuse_results_for_ids_that_are_not_active() -> None:
    connection = acknowledged()
    subscribe(connection, "1", QUERY)
    assert json.loads(connection.next("1", {"data": {"a": 1}})) == {
        "type": "next",
        "id": "1",
        "payload": {"data": {"a": 1}},
    }
    connection.receive_message({"type": "complete", "id": "1"})
    # After the client's complete nothing more may go out for the id.
    for send in (
        lambda: connection.next("1", {"data": None}),
        lambda: connection.complete("1"),
        lambda: connection.error("1", [{"message": "x"}]),
    ):
        with pytest.raises(LocalProtocolError):
            send()


def test_error_payload_is_a_non_empty_array_and_ends_the_operation() -> None:
    connection = acknowledged()
    subscribe(connection, "1", QUERY)
    with pytest.raises(LocalProtocolError):
        connection.error("1", [])
    assert json.loads(connection.error("1", [{"message": "bad"}])) == {
        "type": "error",
        "id": "1",
        "payload": [{"message": "bad"}],
    }
    with pytest.raises(LocalProtocolError):
        connection.complete("1")


def test_close_ends_every_operation_and_reason_fits_a_close_frame() -> None:
    connection = acknowledged()
    subscribe(connection, "1", QUERY)
    long_id = "é" * 100
    assert subscribe(connection, long_id, QUERY) == Subscribe(long_id, QUERY)
    event = subscribe(connection, long_id, QUERY)
    assert isinstance(event, Close)
    assert event.code == 4409
    assert len(event.reason.encode()) <= 123
    assert connection.active_ids == frozenset()
    assert close_reason("short") == "short"
    assert close_reason("€" * 60) == "€" * 41


def test_unknown_types_are_a_distinct_close_and_frames_decode_by_kind() -> None:
    connection = GraphQLTransportWSConnection()
    event = connection.receive_text('{"type": "subscription_start"}')
    assert isinstance(event, UnknownType)
    assert event.code == 4400
    connection = GraphQLTransportWSConnection()
    assert connection.decode_frame('{"type": "ping"}') == {"type": "ping"}
    event = connection.decode_frame(None)
    assert isinstance(event, Close)
    assert event.code == 4400


def test_error_that_cannot_be_encoded_leaves_the_operation_active() -> None:
    connection = GraphQLTransportWSConnection()
    connection.receive_message({"type": "connection_init"})
    connection.connection_ack()
    connection.receive_message({"type": "subscribe", "id": "1", "payload": {"query": "{ a }"}})
    with pytest.raises(TypeError):
        connection.error("1", [{"message": object()}])
    assert connection.is_active("1")  # a fallback error (or complete) can still end it
    assert json.loads(connection.error("1", [{"message": "Internal server error"}])) == {
        "type": "error",
        "id": "1",
        "payload": [{"message": "Internal server error"}],
    }
    assert not connection.is_active("1")


def test_closed_with_tells_which_close_the_protocol_required() -> None:
    connection = GraphQLTransportWSConnection()
    assert connection.closed_with is None
    close = connection.close(CloseCode.CONNECTION_INITIALISATION_TIMEOUT, "timeout")
    assert connection.closed_with is close
    assert close.code == 4408


@pytest.mark.parametrize("operation_id", ["1", 'a "quoted" id', "é\u2028\\", "x" * 200])
def test_next_text_is_the_compact_encoding_of_the_message(operation_id: str) -> None:
    connection = acknowledged()
    subscribe(connection, operation_id, QUERY)
    result = {"data": {"text": "ü\n", "n": [1, 2.5, None]}}
    expected = {"type": "next", "id": operation_id, "payload": result}
    for _ in range(2):  # (every message of the operation, not only the first)
        text = connection.next(operation_id, result)
        assert text == json.dumps(expected, separators=(",", ":"), ensure_ascii=False)
    connection.error(operation_id, [{"message": "bad"}])
    with pytest.raises(LocalProtocolError):
        connection.next(operation_id, result)


def test_next_is_refused_once_the_protocol_closed() -> None:
    connection = acknowledged()
    subscribe(connection, "1", QUERY)
    connection.close(4400, "bye")
    with pytest.raises(LocalProtocolError):
        connection.next("1", {"data": None})
