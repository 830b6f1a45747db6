"""Legacy graphql-ws (subscriptions-transport-ws) over real sockets, both servers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from graphqlwire.asgi.handlers import GraphQLWSHandler
from graphqlwire.http import WebSocketConnectionError

from .conftest import Client, ServeFactory, Tracker, client, operation_tasks, wait_until

PROTOCOL = "graphql-ws"


async def init(ws: Client, payload: Any = None, *, ka: bool = False) -> None:
    await ws.send({"type": "connection_init", "payload": payload or {}})
    assert await ws.receive() == {"type": "connection_ack"}
    if ka:
        assert await ws.receive() == {"type": "ka"}


def start(operation_id: str, query: str, **payload: Any) -> dict[str, Any]:
    return {"type": "start", "id": operation_id, "payload": {"query": query, **payload}}


class RecordingHandler(GraphQLWSHandler):
    """Keeps each connection's operations dict so tests can check it is left empty."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.operations: list[dict[str, Any]] = []

    async def process_single_message(
        self, websocket: Any, data: Any, operation_id: str, operations: dict[str, Any]
    ) -> None:
        if not any(known is operations for known in self.operations):
            self.operations.append(operations)
        await super().process_single_message(websocket, data, operation_id, operations)


class Hooks:
    def __init__(self, accept: Any = True) -> None:
        self.accept = accept
        self.calls: list[tuple[str, Any]] = []

    def on_connect(self, websocket: Any, payload: Any) -> Any:
        self.calls.append(("connect", payload))
        if isinstance(self.accept, Exception):
            raise self.accept
        return self.accept

    async def on_disconnect(self, websocket: Any) -> None:
        self.calls.append(("disconnect", None))

    def on_operation(self, websocket: Any, operation: Any) -> None:
        self.calls.append(("operation", operation.id))

    async def on_complete(self, websocket: Any, operation: Any) -> None:
        self.calls.append(("complete", operation.id))

    def handler(self, **options: Any) -> RecordingHandler:
        return RecordingHandler(
            on_connect=self.on_connect,
            on_disconnect=self.on_disconnect,
            on_operation=self.on_operation,
            on_complete=self.on_complete,
            **options,
        )

    def names(self, kind: str) -> list[Any]:
        return [value for name, value in self.calls if name == kind]


async def test_subscription_sends_data_for_every_event_then_complete(
    serve: ServeFactory, tracker: Tracker
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        assert ws.subprotocol == PROTOCOL
        await init(ws, {"token": "t"})
        await ws.send(start("1", "subscription { counter(upTo: 2) }"))
        for number in (1, 2):
            assert await ws.receive() == {
                "type": "data",
                "id": "1",
                "payload": {"data": {"counter": number}},
            }
        assert await ws.receive() == {"type": "complete", "id": "1"}
        await wait_until(lambda: hooks.names("complete") == ["1"])
    await wait_until(lambda: hooks.names("disconnect") == [None])
    assert hooks.calls[:2] == [("connect", {"token": "t"}), ("operation", "1")]
    assert tracker.finished == ["counter"]


async def test_query_and_mutation_get_data_then_complete(serve: ServeFactory) -> None:
    async with serve(GraphQLWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(start("q", "{ hello }"))
        assert await ws.receive() == {
            "type": "data",
            "id": "q",
            "payload": {"data": {"hello": "world"}},
        }
        assert await ws.receive() == {"type": "complete", "id": "q"}
        await ws.send(start("m", "mutation ($t: String!) { echo(text: $t) }", variables={"t": "x"}))
        assert await ws.receive() == {"type": "data", "id": "m", "payload": {"data": {"echo": "x"}}}
        assert await ws.receive() == {"type": "complete", "id": "m"}


@pytest.mark.parametrize(
    ("payload", "message_part"),
    [
        ({"query": "{ nope }"}, "Cannot query field 'nope'"),
        ({"query": "{ hello "}, "Syntax Error"),
        ({"query": 5}, "'query' must be a string"),
        ({"query": "query A { hello }", "operationName": "B"}, "Unknown operation named 'B'"),
        ({"query": "{ hello }", "variables": [1]}, "'variables' must be an object"),
    ],
)
async def test_failures_before_execution_get_one_error_object_then_complete(
    serve: ServeFactory, payload: dict[str, Any], message_part: str
) -> None:
    async with serve(GraphQLWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send({"type": "start", "id": "e", "payload": payload})
        message = await ws.receive()
        assert message["type"] == "error"
        assert message["id"] == "e"
        assert isinstance(message["payload"], dict)
        assert message_part in message["payload"]["message"]
        assert await ws.receive() == {"type": "complete", "id": "e"}


async def test_keepalive_ka_right_after_ack_then_periodically(serve: ServeFactory) -> None:
    async with serve(GraphQLWSHandler(keepalive=0.1)) as url, client(url, PROTOCOL) as ws:
        await ws.no_message(0.25)  # nothing before the connection is acknowledged
        await init(ws, ka=True)
        assert await ws.receive(0.5) == {"type": "ka"}
        assert await ws.receive(0.5) == {"type": "ka"}
    await wait_until(lambda: not operation_tasks())


async def test_no_ka_without_keepalive(serve: ServeFactory) -> None:
    async with serve(GraphQLWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.no_message(0.2)


async def test_stop_closes_the_generator_and_sends_complete(
    serve: ServeFactory, tracker: Tracker
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(start("f", 'subscription { forever(tag: "f") }'))
        assert (await ws.receive())["payload"] == {"data": {"forever": 1}}
        await ws.send({"type": "stop", "id": "f"})
        while (message := await ws.receive())["type"] == "data":
            pass
        assert message == {"type": "complete", "id": "f"}
        await tracker.wait("finished:f")
        assert hooks.names("complete") == ["f"]
        await ws.send({"type": "stop", "id": "f"})  # unknown now: ignored
        await ws.no_message()


async def test_start_with_a_live_id_stops_the_old_operation_first(
    serve: ServeFactory, tracker: Tracker
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(start("x", 'subscription { forever(tag: "old") }'))
        await tracker.wait("started:old")
        await ws.send(start("x", "{ hello }"))
        await tracker.wait("finished:old")
        while (message := await ws.receive())["payload"] != {"data": {"hello": "world"}}:
            assert message["payload"]["data"]["forever"] >= 1
        assert await ws.receive() == {"type": "complete", "id": "x"}
        await wait_until(lambda: len(hooks.names("complete")) == 2)


async def test_bad_frames_get_connection_error_or_error_and_the_connection_stays(
    serve: ServeFactory,
) -> None:
    async with serve(GraphQLWSHandler()) as url, client(url, PROTOCOL) as ws:
        await ws.send("{not json")
        message = await ws.receive()
        assert message["type"] == "connection_error"
        assert "JSON" in message["payload"]["message"]
        await ws.send(b"binary")
        assert (await ws.receive())["type"] == "connection_error"
        await ws.send({"type": "nope", "id": "1"})
        assert await ws.receive() == {
            "type": "error",
            "id": "1",
            "payload": {"message": "Invalid message type!"},
        }
        await ws.send("[1, 2]")
        assert await ws.receive() == {
            "type": "error",
            "payload": {"message": "Invalid message type!"},
        }
        await ws.send({"type": "keepalive"})  # deprecated: ignored
        await ws.no_message()
        await init(ws)
        await ws.send({"type": "start", "id": "1", "payload": "{ hello }"})
        assert (await ws.receive())["type"] == "error"
        assert await ws.receive() == {"type": "complete", "id": "1"}
        await ws.send(start("2", "{ hello }"))
        assert (await ws.receive())["type"] == "data"


async def test_start_before_init_is_refused_with_error_and_complete(serve: ServeFactory) -> None:
    async with serve(GraphQLWSHandler()) as url, client(url, PROTOCOL) as ws:
        await ws.send(start("1", "{ hello }"))
        message = await ws.receive()
        assert message["type"] == "error"
        assert "connection_init" in message["payload"]["message"]
        assert await ws.receive() == {"type": "complete", "id": "1"}


async def test_connection_terminate_closes_the_socket(
    serve: ServeFactory, tracker: Tracker
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(start("f", 'subscription { forever(tag: "t") }'))
        await tracker.wait("started:t")
        await ws.send({"type": "connection_terminate"})
        await ws.until_closed()
        assert ws.close_code is not None
        assert ws.close_code[0] == 1000
    await tracker.wait("finished:t")
    await wait_until(lambda: hooks.names("disconnect") == [None])
    assert hooks.names("complete") == ["f"]


@pytest.mark.parametrize(
    ("accept", "payload"),
    [
        (False, {"message": "Forbidden"}),
        (
            WebSocketConnectionError({"message": "Bad token", "code": 7}),
            {"message": "Bad token", "code": 7},
        ),
        (ValueError("bug"), {"message": "Unexpected error has occurred."}),
    ],
)
async def test_on_connect_rejection_sends_connection_error_then_closes_1011(
    serve: ServeFactory, accept: Any, payload: dict[str, Any]
) -> None:
    hooks = Hooks(accept)
    async with serve(hooks.handler(keepalive=0.05)) as url, client(url, PROTOCOL) as ws:
        await ws.send({"type": "connection_init", "payload": {"token": "x"}})
        assert await ws.receive() == {"type": "connection_error", "payload": payload}
        assert (await ws.closed())[0] == 1011
    await wait_until(lambda: hooks.names("disconnect") == [None])
    assert not operation_tasks()


async def test_disconnect_mid_subscription_cleans_up_everything(
    serve: ServeFactory, tracker: Tracker
) -> None:
    hooks = Hooks()
    handler = hooks.handler(keepalive=0.05)
    async with serve(handler) as url:
        async with client(url, PROTOCOL) as ws:
            await init(ws, ka=True)
            await ws.send(start("a", 'subscription { forever(tag: "a") }'))
            await tracker.wait("started:a")
            assert len(operation_tasks()) == 2  # the operation and the keep-alive
            assert list(handler.operations[0]) == ["a"]
            await asyncio.sleep(0.05)
            ws.connection.transport.abort()
        await tracker.wait("finished:a")
        await wait_until(lambda: hooks.names("disconnect") == [None])
        assert hooks.names("complete") == ["a"]
        await wait_until(lambda: not operation_tasks())
        assert handler.operations[0] == {}


async def test_two_clients_keep_their_own_connection_params(serve: ServeFactory) -> None:
    query = '{ connectionParam(name: "user") }'
    async with (
        serve(GraphQLWSHandler()) as url,
        client(url, PROTOCOL) as alice,
        client(url, PROTOCOL) as bob,
    ):
        await init(alice, {"user": "alice"})
        await init(bob, {"user": "bob"})
        await alice.send(start("1", query))
        await bob.send(start("1", query))
        assert (await alice.receive())["payload"] == {"data": {"connectionParam": "alice"}}
        assert (await bob.receive())["payload"] == {"data": {"connectionParam": "bob"}}


@pytest.mark.parametrize("payload", [["token"], "token", 3])
async def test_connection_init_with_a_payload_that_is_not_an_object_gets_connection_error(
    serve: ServeFactory, payload: Any
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await ws.send({"type": "connection_init", "payload": payload})
        message = await ws.receive()
        assert message["type"] == "connection_error"
        assert "must be an object or null" in message["payload"]["message"]
        assert hooks.names("connect") == []
        await init(ws, {"user": "alice"})  # the connection stays open and can still init
        assert hooks.names("connect") == [{"user": "alice"}]


async def test_a_second_connection_init_gets_connection_error_without_on_connect(
    serve: ServeFactory,
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await init(ws, {"user": "alice"})
        await ws.send({"type": "connection_init", "payload": {"user": "mallory"}})
        assert await ws.receive() == {
            "type": "connection_error",
            "payload": {"message": "The connection was already initialised"},
        }
        await ws.send(start("1", '{ connectionParam(name: "user") }'))
        assert (await ws.receive())["payload"] == {"data": {"connectionParam": "alice"}}
        assert hooks.names("connect") == [{"user": "alice"}]


async def test_start_and_stop_with_an_empty_id_get_an_error(serve: ServeFactory) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        for kind in ("start", "stop"):
            await ws.send({"type": kind, "id": "", "payload": {"query": "{ hello }"}})
            assert await ws.receive() == {
                "type": "error",
                "payload": {"message": f"{kind} needs a string 'id', not an empty one"},
            }
        await ws.no_message()
        assert hooks.names("operation") == []


def raising_formatter(error: Any, debug: bool) -> dict[str, Any]:
    raise RuntimeError("a bug in the error formatter")


async def test_an_error_formatter_that_fails_still_ends_the_operation(
    serve: ServeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    hooks = Hooks()
    async with (
        serve(hooks.handler(), error_formatter=raising_formatter) as url,
        client(url, PROTOCOL) as ws,
    ):
        await init(ws)
        for operation_id, query in (("1", "{ nope }"), ("2", "{ fail }")):
            await ws.send(start(operation_id, query))
            assert await ws.receive() == {
                "type": "error",
                "id": operation_id,
                "payload": {"message": "Internal server error"},
            }
            assert await ws.receive() == {"type": "complete", "id": operation_id}
        await wait_until(lambda: hooks.names("complete") == ["1", "2"])
    await wait_until(lambda: not operation_tasks())
    assert not [record for record in caplog.records if record.name == "asyncio"]


async def test_no_init_in_time_closes_4408_and_leaves_no_task(serve: ServeFactory) -> None:
    hooks = Hooks()
    handler = hooks.handler(connection_init_wait_timeout=timedelta(seconds=0.2))
    async with serve(handler) as url, client(url, PROTOCOL) as ws:
        await ws.send(start("1", "{ hello }"))  # refused before init: not an init either
        assert (await ws.receive())["type"] == "error"
        assert await ws.receive() == {"type": "complete", "id": "1"}
        assert await ws.closed() == (4408, "Connection initialisation timeout")
        await wait_until(lambda: hooks.names("disconnect") == [None])
        assert hooks.names("connect") == []
        assert not operation_tasks()


async def test_init_in_time_keeps_the_connection_open(serve: ServeFactory) -> None:
    handler = GraphQLWSHandler(connection_init_wait_timeout=timedelta(seconds=0.2))
    async with serve(handler) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.no_message(0.4)
        await ws.send(start("1", "{ hello }"))
        assert (await ws.receive())["type"] == "data"


async def test_a_frame_arriving_while_the_4408_close_is_sent_does_not_cut_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The 4408 close goes out whole, and the frame behind it gets no answer (nor a bug log)."""
    handler = GraphQLWSHandler(connection_init_wait_timeout=timedelta(seconds=0.01))
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    incoming.put_nowait({"type": "websocket.connect"})
    delivered: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "websocket.close":
            incoming.put_nowait({"type": "websocket.receive", "text": '{"type": "ka"}'})
            await asyncio.sleep(0.05)  # the close frame takes a while to go out
        delivered.append(message)

    scope = {"type": "websocket", "subprotocols": [PROTOCOL]}
    await asyncio.wait_for(handler.handle(scope, incoming.get, send), 2)
    assert delivered == [
        {"type": "websocket.accept", "subprotocol": PROTOCOL, "headers": []},
        {"type": "websocket.close", "code": 4408, "reason": "Connection initialisation timeout"},
    ]
    assert not asyncio.all_tasks() - {asyncio.current_task()}
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
