"""The sans-IO legacy graphql-ws state machine: every rule, no event loop."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graphqlwire.protocols.graphql_ws import (
    DEPRECATED_TYPES,
    ConnectionInit,
    ConnectionTerminate,
    GraphQLWSConnection,
    Ignored,
    Reply,
    Start,
    Stop,
)

PAYLOAD = {"query": "{ a }"}


def replies(event: Any) -> list[dict[str, Any]]:
    assert isinstance(event, Reply)
    return [json.loads(message) for message in event.messages]


def acknowledged() -> GraphQLWSConnection:
    connection = GraphQLWSConnection()
    assert connection.receive_text('{"type":"connection_init","payload":{"t":1}}') == (
        ConnectionInit({"t": 1})
    )
    assert json.loads(connection.connection_ack()) == {"type": "connection_ack"}
    return connection


def test_client_messages_become_events() -> None:
    connection = acknowledged()
    assert connection.receive_message({"type": "start", "id": "1", "payload": PAYLOAD}) == Start(
        "1", PAYLOAD
    )
    assert connection.receive_message({"type": "stop", "id": "1"}) == Stop("1")
    assert connection.receive_message({"type": "connection_terminate"}) == ConnectionTerminate()


def test_unparsable_json_and_binary_frames_get_connection_error_without_closing() -> None:
    connection = GraphQLWSConnection()
    [message] = replies(connection.receive_text("{nope"))
    assert message["type"] == "connection_error"
    assert "JSON" in message["payload"]["message"]
    [message] = replies(connection.receive_bytes())
    assert message["type"] == "connection_error"


@pytest.mark.parametrize(
    "message",
    [{"type": "unknown", "id": "3"}, {"type": 5}, {"id": "3"}, {"type": "next", "id": "3"}],
)
def test_unknown_types_get_invalid_message_type_error(message: dict[str, Any]) -> None:
    [reply] = replies(GraphQLWSConnection().receive_message(message))
    assert reply["type"] == "error"
    assert reply["payload"] == {"message": "Invalid message type!"}
    assert reply.get("id") == ("3" if isinstance(message.get("id"), str) else None)


def test_non_object_messages_get_an_error_without_id() -> None:
    [reply] = replies(GraphQLWSConnection().receive_text("[1]"))
    assert reply == {"type": "error", "payload": {"message": "Invalid message type!"}}


@pytest.mark.parametrize("kind", sorted(DEPRECATED_TYPES))
def test_deprecated_types_are_ignored(kind: str) -> None:
    assert GraphQLWSConnection().receive_message({"type": kind}) == Ignored(kind)


def test_start_before_ack_gets_error_and_complete() -> None:
    connection = GraphQLWSConnection()
    error, complete = replies(
        connection.receive_message({"type": "start", "id": "1", "payload": PAYLOAD})
    )
    assert error["type"] == "error"
    assert error["id"] == "1"
    assert "connection_init" in error["payload"]["message"]
    assert complete == {"type": "complete", "id": "1"}


@pytest.mark.parametrize("payload", [None, [], "query"])
def test_start_with_a_bad_payload_gets_error_and_complete(payload: Any) -> None:
    error, complete = replies(
        acknowledged().receive_message({"type": "start", "id": "1", "payload": payload})
    )
    assert error["type"] == "error"
    assert "payload" in error["payload"]["message"]
    assert complete == {"type": "complete", "id": "1"}


@pytest.mark.parametrize("kind", ["start", "stop"])
def test_start_or_stop_without_a_string_id_gets_an_error(kind: str) -> None:
    [error] = replies(acknowledged().receive_message({"type": kind, "id": 1, "payload": PAYLOAD}))
    assert error["type"] == "error"
    assert "id" not in error
    assert "'id'" in error["payload"]["message"]


def test_encoders() -> None:
    connection = GraphQLWSConnection()
    assert json.loads(connection.keep_alive()) == {"type": "ka"}
    assert json.loads(connection.data("1", {"data": {"a": 1}})) == {
        "type": "data",
        "id": "1",
        "payload": {"data": {"a": 1}},
    }
    assert json.loads(connection.error("1", {"message": "x"})) == {
        "type": "error",
        "id": "1",
        "payload": {"message": "x"},
    }
    assert json.loads(connection.complete("1")) == {"type": "complete", "id": "1"}
    assert json.loads(connection.connection_error({"message": "no"})) == {
        "type": "connection_error",
        "payload": {"message": "no"},
    }


def test_decode_frame_returns_the_value_or_the_reply() -> None:
    connection = GraphQLWSConnection()
    assert connection.decode_frame('{"type": "ka"}') == {"type": "ka"}
    assert isinstance(connection.decode_frame("{"), Reply)
    assert isinstance(connection.decode_frame(None), Reply)


@pytest.mark.parametrize("payload", [[1], "token", 3, True])
def test_connection_init_with_a_payload_that_is_not_an_object_gets_connection_error(
    payload: Any,
) -> None:
    connection = GraphQLWSConnection()
    [reply] = replies(connection.receive_message({"type": "connection_init", "payload": payload}))
    assert reply["type"] == "connection_error"
    assert "connection_init 'payload' must be an object or null" in reply["payload"]["message"]
    assert not connection.init_received  # a valid connection_init is still accepted
    assert connection.receive_message({"type": "connection_init"}) == ConnectionInit(None)


def test_a_second_connection_init_gets_connection_error() -> None:
    connection = acknowledged()
    [reply] = replies(connection.receive_message({"type": "connection_init", "payload": {}}))
    assert reply == {
        "type": "connection_error",
        "payload": {"message": "The connection was already initialised"},
    }
    assert connection.acknowledged
    assert connection.receive_message({"type": "start", "id": "1", "payload": PAYLOAD}) == Start(
        "1", PAYLOAD
    )


@pytest.mark.parametrize("kind", ["start", "stop"])
def test_start_or_stop_with_an_empty_id_gets_an_error_like_a_missing_one(kind: str) -> None:
    [error] = replies(acknowledged().receive_message({"type": kind, "id": "", "payload": PAYLOAD}))
    assert error == {
        "type": "error",
        "payload": {"message": f"{kind} needs a string 'id', not an empty one"},
    }


def test_an_unknown_type_with_an_empty_id_gets_an_error_without_id() -> None:
    [reply] = replies(GraphQLWSConnection().receive_message({"type": "nope", "id": ""}))
    assert reply == {"type": "error", "payload": {"message": "Invalid message type!"}}
