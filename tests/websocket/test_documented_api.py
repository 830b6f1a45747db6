"""Every method the ASGI handlers reference documents exists with that signature."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

from graphqlwire.asgi.handlers import (
    GraphQLAutoWSHandler,
    GraphQLTransportWSHandler,
    GraphQLWebsocketHandler,
    GraphQLWSHandler,
)

TRANSPORT_WS = {
    "handle": ["scope", "receive", "send"],
    "handle_websocket": ["websocket"],
    "handle_connection_init_timeout": ["websocket", "client_context"],
    "handle_websocket_message": ["websocket", "message", "client_context"],
    "handle_websocket_connection_init_message": ["websocket", "message", "client_context"],
    "handle_websocket_ping_message": ["websocket", "client_context"],
    "handle_websocket_pong_message": ["websocket", "client_context"],
    "handle_websocket_complete_message": ["websocket", "operation_id", "client_context"],
    "handle_websocket_subscribe": ["websocket", "data", "operation_id", "client_context"],
    "handle_websocket_invalid_type": ["websocket"],
    "handle_on_complete": ["websocket", "operation"],
    "stop_websocket_operation": ["websocket", "operation_id", "client_context"],
    "observe_async_results": ["websocket", "results_producer", "operation_id", "client_context"],
}
LEGACY_WS = {
    "handle": ["scope", "receive", "send"],
    "handle_websocket": ["websocket"],
    "handle_websocket_message": ["websocket", "message", "operations"],
    "process_single_message": ["websocket", "data", "operation_id", "operations"],
    "handle_websocket_connection_init_message": ["websocket", "message"],
    "handle_websocket_connection_terminate_message": ["websocket"],
    "keep_websocket_alive": ["websocket"],
    "start_websocket_operation": [
        "websocket",
        "data",
        "context_value",
        "query_document",
        "operation_id",
        "operations",
    ],
    "stop_websocket_operation": ["websocket", "operation"],
    "observe_async_results": ["websocket", "results", "operation_id"],
}


@pytest.mark.parametrize(
    ("cls", "methods"), [(GraphQLTransportWSHandler, TRANSPORT_WS), (GraphQLWSHandler, LEGACY_WS)]
)
def test_documented_methods_exist_with_their_parameters(
    cls: type, methods: dict[str, list[str]]
) -> None:
    assert issubclass(cls, GraphQLWebsocketHandler)
    # Between the handler and the documented base only private classes may sit.
    between = cls.__mro__[1 : cls.__mro__.index(GraphQLWebsocketHandler)]
    assert all(base.__module__.rsplit(".", 1)[-1].startswith("_") for base in between)
    for name, parameters in methods.items():
        method = getattr(cls, name)
        assert inspect.iscoroutinefunction(method), name
        assert list(inspect.signature(method).parameters)[1:] == parameters, name
        assert "# Required arguments" in (method.__doc__ or ""), name


def test_constructor_options_and_defaults() -> None:
    hooks = {
        "on_connect": print,
        "on_disconnect": print,
        "on_operation": print,
        "on_complete": print,
    }
    handler = GraphQLTransportWSHandler(**hooks)
    assert handler.connection_init_wait_timeout == timedelta(seconds=60)
    assert (handler.on_connect, handler.on_complete) == (print, print)
    assert GraphQLTransportWSHandler(
        connection_init_wait_timeout=timedelta(seconds=1)
    ).connection_init_wait_timeout == timedelta(seconds=1)
    assert GraphQLWSHandler().keepalive is None
    assert GraphQLWSHandler(print, keepalive=1.5).keepalive == 1.5
    assert GraphQLWSHandler().connection_init_wait_timeout == timedelta(seconds=60)
    auto = GraphQLAutoWSHandler(**hooks)
    assert all(inner.on_operation is print for inner in auto.handlers)
    second = timedelta(seconds=1)
    auto = GraphQLAutoWSHandler(connection_init_wait_timeout=second)
    assert [inner.connection_init_wait_timeout for inner in auto.handlers] == [second, second]
