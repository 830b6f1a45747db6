"""graphql-transport-ws over real sockets, under graphqlwire's server and uvicorn."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest

from graphqlwire.asgi.handlers import ClientContext, GraphQLTransportWSHandler
from graphqlwire.http import WebSocketConnectionError

from .conftest import Client, ServeFactory, Tracker, client, operation_tasks, wait_until

PROTOCOL = "graphql-transport-ws"


async def init(ws: Client, payload: Any = None) -> None:
    await ws.send(
        {"type": "connection_init"}
        if payload is None
        else {"type": "connection_init", "payload": payload}
    )
    assert await ws.receive() == {"type": "connection_ack"}


def subscribe(operation_id: str, query: str, **payload: Any) -> dict[str, Any]:
    return {"type": "subscribe", "id": operation_id, "payload": {"query": query, **payload}}


class RecordingHandler(GraphQLTransportWSHandler):
    """Keeps each connection's ClientContext so tests can check it is left empty."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.contexts: list[ClientContext] = []

    async def handle_websocket_connection_init_message(
        self, websocket: Any, message: dict[str, Any], client_context: ClientContext
    ) -> None:
        self.contexts.append(client_context)
        await super().handle_websocket_connection_init_message(websocket, message, client_context)


class Hooks:
    """Records every hook call; on_connect accepts unless told otherwise."""

    def __init__(self, accept: Any = True) -> None:
        self.accept = accept
        self.calls: list[tuple[str, Any]] = []

    async def on_connect(self, websocket: Any, payload: Any) -> Any:
        self.calls.append(("connect", payload))
        if isinstance(self.accept, Exception):
            raise self.accept
        return self.accept

    def on_disconnect(self, websocket: Any) -> None:
        self.calls.append(("disconnect", None))

    async def on_operation(self, websocket: Any, operation: Any) -> None:
        self.calls.append(("operation", operation.id))

    def on_complete(self, websocket: Any, operation: Any) -> None:
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


async def test_subscription_sends_every_event_then_complete(
    serve: ServeFactory, tracker: Tracker
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        assert ws.subprotocol == PROTOCOL
        await init(ws, {"token": "abc"})
        await ws.send(subscribe("1", "subscription { counter(upTo: 3) }"))
        for number in (1, 2, 3):
            assert await ws.receive() == {
                "type": "next",
                "id": "1",
                "payload": {"data": {"counter": number}},
            }
        assert await ws.receive() == {"type": "complete", "id": "1"}
        await wait_until(lambda: hooks.names("complete") == ["1"])
    await wait_until(lambda: hooks.names("disconnect") == [None])
    assert hooks.calls[:2] == [("connect", {"token": "abc"}), ("operation", "1")]
    assert tracker.finished == ["counter"]


@pytest.mark.parametrize(
    ("query", "payload"),
    [
        ("{ hello }", {"data": {"hello": "world"}}),
        ('mutation { echo(text: "hi") }', {"data": {"echo": "hi"}}),
        ("{ fail }", None),
    ],
)
async def test_queries_and_mutations_send_one_next_then_complete(
    serve: ServeFactory, query: str, payload: Any
) -> None:
    async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(subscribe("q", query))
        message = await ws.receive()
        assert message["type"] == "next"
        if payload is None:  # a resolver error stays inside the result
            assert message["payload"]["data"] == {"fail": None}
            assert message["payload"]["errors"][0]["message"] == "resolver failed"
        else:
            assert message["payload"] == payload
        assert await ws.receive() == {"type": "complete", "id": "q"}


@pytest.mark.parametrize(
    ("payload", "message_part"),
    [
        ({"query": "{ nope }"}, "Cannot query field 'nope'"),
        ({"query": "{ hello "}, "Syntax Error"),
        ({"query": "query A { hello }", "operationName": "B"}, "Unknown operation named 'B'"),
        ({"query": "subscription { nope }"}, "Cannot query field 'nope'"),
        (
            {"query": "query ($n: Float!) { slow(delay: $n) }", "variables": {"n": "x"}},
            "Float cannot represent",
        ),
    ],
)
async def test_failures_before_execution_send_one_error_array_and_no_complete(
    serve: ServeFactory, payload: dict[str, Any], message_part: str
) -> None:
    async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send({"type": "subscribe", "id": "e", "payload": payload})
        message = await ws.receive()
        assert message["type"] == "error"
        assert message["id"] == "e"
        assert isinstance(message["payload"], list)
        assert message["payload"]
        assert message_part in message["payload"][0]["message"]
        # The error ended the operation: the next message is the answer to a ping.
        await ws.send({"type": "ping"})
        assert await ws.receive() == {"type": "pong"}


async def test_source_failure_mid_stream_is_reported_in_a_result(serve: ServeFactory) -> None:
    async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(subscribe("b", "subscription { broken }"))
        assert await ws.receive() == {"type": "next", "id": "b", "payload": {"data": {"broken": 1}}}
        message = await ws.receive()
        assert message["type"] == "next"
        assert message["payload"]["errors"][0]["message"] == "the source broke"
        assert await ws.receive() == {"type": "complete", "id": "b"}


async def test_ping_is_answered_before_init_with_its_payload_and_pong_is_not(
    serve: ServeFactory,
) -> None:
    async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
        await ws.send({"type": "ping", "payload": {"n": 1}})
        assert await ws.receive() == {"type": "pong", "payload": {"n": 1}}
        await ws.send({"type": "pong"})
        await ws.no_message()
        await init(ws)


@pytest.mark.parametrize(
    ("frame", "reason_part"),
    [
        ("{not json", "not JSON"),
        ("[1]", "an array"),
        ('{"type": "what"}', "Invalid message type"),
        ('{"type": "connection_ack"}', "Invalid message type"),
        ('{"id": "1"}', "'type' must be a string"),
        (b'{"type": "ping"}', "binary"),
        ('{"type": "connection_init", "payload": 3}', "payload"),
    ],
)
async def test_invalid_messages_close_4400(
    serve: ServeFactory, frame: Any, reason_part: str
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await ws.send(frame)
        code, reason = await ws.closed()
    assert code == 4400
    assert reason_part in reason
    await wait_until(lambda: hooks.names("disconnect") == [None])


@pytest.mark.parametrize(
    ("message", "reason_part"),
    [
        ({"type": "subscribe", "payload": {"query": "{ hello }"}}, "'id' must be a string"),
        (
            {"type": "subscribe", "id": 1, "payload": {"query": "{ hello }"}},
            "'id' must be a string",
        ),
        ({"type": "subscribe", "id": "1"}, "'payload' must be an object"),
        (
            {"type": "subscribe", "id": "1", "payload": {"query": 1}},
            "'payload.query' must be a string",
        ),
        ({"type": "complete"}, "'id' must be a string"),
    ],
)
async def test_bad_operation_messages_close_4400_after_ack(
    serve: ServeFactory, message: dict[str, Any], reason_part: str
) -> None:
    async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(message)
        code, reason = await ws.closed()
    assert code == 4400
    assert reason_part in reason


async def test_subscribe_before_ack_closes_4401(serve: ServeFactory) -> None:
    async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
        await ws.send(subscribe("1", "{ hello }"))
        assert await ws.closed() == (4401, "Unauthorized")


async def test_second_init_closes_4429(serve: ServeFactory) -> None:
    async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send({"type": "connection_init"})
        assert await ws.closed() == (4429, "Too many initialisation requests")


async def test_duplicate_active_id_closes_4409_and_stops_the_first(
    serve: ServeFactory, tracker: Tracker
) -> None:
    async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(subscribe("dup", 'subscription { forever(tag: "dup") }'))
        await tracker.wait("started:dup")  # the first one runs (else it may not start at all)
        assert (await ws.receive())["type"] == "next"
        await ws.send(subscribe("dup", "{ hello }"))
        messages = [{"type": "next"}, *await ws.until_closed()]
        assert messages
        assert all(message["type"] == "next" for message in messages)
        assert ws.close_code == (4409, "Subscriber for dup already exists")
    await tracker.wait("finished:dup")
    await wait_until(lambda: not operation_tasks())


async def test_no_init_in_time_closes_4408_and_leaves_no_task(serve: ServeFactory) -> None:
    hooks = Hooks()
    handler = hooks.handler(connection_init_wait_timeout=timedelta(seconds=0.2))
    async with serve(handler) as url, client(url, PROTOCOL) as ws:
        await ws.send({"type": "ping"})  # a ping is not an init: the timer keeps running
        assert await ws.receive() == {"type": "pong"}
        assert await ws.closed() == (4408, "Connection initialisation timeout")
        await wait_until(lambda: hooks.names("disconnect") == [None])
        assert not operation_tasks()


async def test_init_cancels_the_timer(serve: ServeFactory) -> None:
    handler = GraphQLTransportWSHandler(connection_init_wait_timeout=timedelta(seconds=0.2))
    async with serve(handler) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.no_message(0.4)
        await ws.send(subscribe("1", "{ hello }"))
        assert (await ws.receive())["type"] == "next"


@pytest.mark.parametrize(
    ("accept", "closed"),
    [
        (False, (4403, "Forbidden")),
        (WebSocketConnectionError({"message": "Bad token"}), (4403, "Bad token")),
        (WebSocketConnectionError(), (4403, "Forbidden")),
        # A crash is a server fault, worded as Ariadne words it.
        (RuntimeError("a bug in on_connect"), (4500, "Unexpected error has occurred.")),
    ],
)
async def test_on_connect_rejection_closes_4403_and_a_crash_4500(
    serve: ServeFactory, accept: Any, closed: tuple[int, str]
) -> None:
    hooks = Hooks(accept)
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await ws.send({"type": "connection_init", "payload": {"token": "x"}})
        assert await ws.closed() == closed
    await wait_until(lambda: hooks.names("disconnect") == [None])


async def test_client_complete_stops_the_generator_and_nothing_more_is_sent(
    serve: ServeFactory, tracker: Tracker
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(subscribe("f", 'subscription { forever(tag: "f") }'))
        assert (await ws.receive())["payload"] == {"data": {"forever": 1}}
        await ws.send({"type": "complete", "id": "f"})
        await tracker.wait("finished:f")
        # Results already in flight may arrive; then nothing, and certainly no complete.
        await ws.send({"type": "ping", "payload": {"after": "complete"}})
        while (message := await ws.receive())["type"] == "next":
            assert message["id"] == "f"
        assert message == {"type": "pong", "payload": {"after": "complete"}}
        await ws.no_message()
        assert hooks.names("complete") == ["f"]
        # The id is free again.
        await ws.send(subscribe("f", "{ hello }"))
        assert await ws.receive() == {
            "type": "next",
            "id": "f",
            "payload": {"data": {"hello": "world"}},
        }
        assert await ws.receive() == {"type": "complete", "id": "f"}
        await wait_until(lambda: hooks.names("complete") == ["f", "f"])


async def test_complete_before_a_slow_query_resolves_suppresses_its_result(
    serve: ServeFactory,
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(subscribe("s", "{ slow(delay: 0.2) }"))
        await ws.send({"type": "complete", "id": "s"})
        await ws.no_message(0.4)
        assert hooks.names("operation") == ["s"]
        assert hooks.names("complete") == ["s"]


async def test_complete_for_an_unknown_id_is_ignored(serve: ServeFactory) -> None:
    async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send({"type": "complete", "id": "never-seen"})
        await ws.send({"type": "ping"})
        assert await ws.receive() == {"type": "pong"}


async def test_disconnect_mid_subscription_closes_every_generator_and_leaves_nothing(
    serve: ServeFactory, tracker: Tracker
) -> None:
    hooks = Hooks()
    handler = hooks.handler()
    async with serve(handler) as url:
        async with client(url, PROTOCOL) as ws:
            await init(ws)
            for tag in ("a", "b"):
                await ws.send(subscribe(tag, f'subscription {{ forever(tag: "{tag}") }}'))
                await tracker.wait(f"started:{tag}")
            assert len(operation_tasks()) == 2
            assert set(handler.contexts[0].operations) == {"a", "b"}
        await tracker.wait("finished:a")
        await tracker.wait("finished:b")
        await wait_until(lambda: hooks.names("disconnect") == [None])
        assert sorted(hooks.names("complete")) == ["a", "b"]
        assert not operation_tasks()
        assert handler.contexts[0].operations == {}


async def test_client_that_stops_reading_then_vanishes_still_closes_the_generator(
    serve: ServeFactory, tracker: Tracker
) -> None:
    async with serve(GraphQLTransportWSHandler()) as url:
        async with client(url, PROTOCOL) as ws:
            await init(ws)
            await ws.send(subscribe("v", 'subscription { forever(tag: "v") }'))
            await tracker.wait("started:v")
            await asyncio.sleep(0.05)
            ws.connection.transport.abort()  # no close frame, nothing read
        await tracker.wait("finished:v")
        await wait_until(lambda: not operation_tasks())


async def test_server_shutdown_closes_generators_and_runs_on_disconnect(
    serve: ServeFactory, tracker: Tracker
) -> None:
    hooks = Hooks()
    async with serve(hooks.handler()) as url:
        ws_context = client(url, PROTOCOL)
        ws = await ws_context.__aenter__()
        await init(ws)
        await ws.send(subscribe("s", 'subscription { forever(tag: "s") }'))
        await tracker.wait("started:s")
    try:
        await tracker.wait("finished:s")
        await wait_until(lambda: hooks.names("disconnect") == [None])
        assert hooks.names("complete") == ["s"]
    finally:
        await ws_context.__aexit__(None, None, None)


async def test_two_clients_never_see_each_others_params_or_operations(
    serve: ServeFactory, tracker: Tracker
) -> None:
    query = '{ connectionParam(name: "user") }'
    async with serve(GraphQLTransportWSHandler()) as url:
        async with client(url, PROTOCOL) as alice, client(url, PROTOCOL) as bob:
            await init(alice, {"user": "alice"})
            await alice.send(subscribe("1", 'subscription { forever(tag: "alice") }'))
            await tracker.wait("started:alice")
            await init(bob, {"user": "bob"})
            # Same operation id on both connections: no 4409, no cross-talk.
            await bob.send(subscribe("1", query))
            assert await bob.receive() == {
                "type": "next",
                "id": "1",
                "payload": {"data": {"connectionParam": "bob"}},
            }
            assert await bob.receive() == {"type": "complete", "id": "1"}
            await alice.send(subscribe("2", query))
            while (message := await alice.receive())["id"] == "1":
                pass
            assert message == {
                "type": "next",
                "id": "2",
                "payload": {"data": {"connectionParam": "alice"}},
            }
            await alice.send({"type": "complete", "id": "1"})
        await tracker.wait("finished:alice")


async def test_error_formatter_and_debug_apply_to_websocket_errors(serve: ServeFactory) -> None:
    def formatter(error: Any, debug: bool) -> dict[str, Any]:
        return {"message": error.message.upper(), "debug": debug}

    handler = GraphQLTransportWSHandler()
    async with (
        serve(handler, error_formatter=formatter, debug=True) as url,
        client(url, PROTOCOL) as ws,
    ):
        await init(ws)
        await ws.send(subscribe("1", "{ nope }"))
        message = await ws.receive()
        assert message["payload"] == [
            {"message": "CANNOT QUERY FIELD 'NOPE' ON TYPE 'QUERY'.", "debug": True}
        ]
        await ws.send(subscribe("2", "{ fail }"))
        message = await ws.receive()
        assert message["payload"]["errors"] == [{"message": "RESOLVER FAILED", "debug": True}]


async def test_on_operation_failure_ends_the_operation_with_an_error(serve: ServeFactory) -> None:
    def refuse(websocket: Any, operation: Any) -> None:
        raise PermissionError("not for you")

    async with (
        serve(GraphQLTransportWSHandler(on_operation=refuse)) as url,
        client(url, PROTOCOL) as ws,
    ):
        await init(ws)
        await ws.send(subscribe("1", "{ hello }"))
        message = await ws.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["message"] == "not for you"
        await ws.send(subscribe("1", "{ hello }"))  # the id was released
        assert (await ws.receive())["type"] == "error"


class BuggyHandler(GraphQLTransportWSHandler):
    async def handle_websocket_ping_message(self, websocket: Any, client_context: Any) -> None:
        raise KeyError("a bug in a subclass")


async def test_a_handler_bug_is_logged_once_and_closes_4500(
    serve: ServeFactory, tracker: Tracker, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve(BuggyHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        await ws.send(subscribe("f", 'subscription { forever(tag: "bug") }'))
        await tracker.wait("started:bug")
        await ws.send({"type": "ping"})
        messages = await ws.until_closed()
        assert all(message["type"] == "next" for message in messages)
        assert ws.close_code == (4500, "Internal server error")
    await tracker.wait("finished:bug")
    bugs = [
        record
        for record in caplog.records
        if record.exc_info and "a bug" in str(record.exc_info[1])
    ]
    assert len(bugs) == 1


async def test_bad_client_input_logs_nothing(
    serve: ServeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    for frame in ("{bad", "[]", '{"type": "x"}', b"bin"):
        async with serve(GraphQLTransportWSHandler()) as url, client(url, PROTOCOL) as ws:
            await ws.send(frame)
            assert (await ws.closed())[0] == 4400
    logged = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert logged == []


def raising_formatter(error: Any, debug: bool) -> dict[str, Any]:
    raise RuntimeError("a bug in the error formatter")


def unencodable_formatter(error: Any, debug: bool) -> dict[str, Any]:
    return {"message": object()}


@pytest.mark.parametrize("formatter", [raising_formatter, unencodable_formatter])
async def test_an_error_formatter_that_fails_still_ends_the_operation_with_an_error(
    serve: ServeFactory, caplog: pytest.LogCaptureFixture, formatter: Any
) -> None:
    hooks = Hooks()
    async with (
        serve(hooks.handler(), error_formatter=formatter) as url,
        client(url, PROTOCOL) as ws,
    ):
        await init(ws)
        for _ in range(2):  # the id is released: reusing it is no 4409
            await ws.send(subscribe("1", "{ nope }"))
            assert await ws.receive() == {
                "type": "error",
                "id": "1",
                "payload": [{"message": "Internal server error"}],
            }
        await ws.send(subscribe("2", "{ fail }"))
        assert (await ws.receive())["payload"] == [{"message": "Internal server error"}]
        await wait_until(lambda: hooks.names("complete") == ["1", "1", "2"])
    await wait_until(lambda: not operation_tasks())
    formatter_failures = [
        record for record in caplog.records if "Formatting or sending" in record.getMessage()
    ]
    assert len(formatter_failures) == 3  # once per operation
    assert not [record for record in caplog.records if record.name == "asyncio"]


class UnreportableHandler(GraphQLTransportWSHandler):
    """Every operation fails, and so does every attempt to send its error."""

    async def observe_async_results(self, *args: Any) -> None:
        raise KeyError("a bug in a subclass")

    async def _send_errors(self, *args: Any) -> None:
        raise ValueError("cannot send errors")


async def test_an_operation_whose_error_cannot_be_sent_is_completed_and_frees_its_id(
    serve: ServeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve(UnreportableHandler()) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        for _ in range(2):
            await ws.send(subscribe("1", "{ hello }"))
            assert await ws.receive() == {"type": "complete", "id": "1"}
    await wait_until(lambda: not operation_tasks())
    assert not [record for record in caplog.records if record.name == "asyncio"]


async def test_a_frame_arriving_while_the_timer_sends_its_4408_close_does_not_cut_it() -> None:
    """The frame ends the handler's loop while the close is in flight: it must still finish."""
    handler = GraphQLTransportWSHandler(connection_init_wait_timeout=timedelta(seconds=0.01))
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    incoming.put_nowait({"type": "websocket.connect"})
    delivered: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "websocket.close":
            incoming.put_nowait({"type": "websocket.receive", "text": '{"type": "ping"}'})
            await asyncio.sleep(0.05)  # the close frame takes a while to go out
        delivered.append(message)

    scope = {"type": "websocket", "subprotocols": [PROTOCOL]}
    await asyncio.wait_for(handler.handle(scope, incoming.get, send), 2)
    assert delivered == [
        {"type": "websocket.accept", "subprotocol": PROTOCOL, "headers": []},
        {"type": "websocket.close", "code": 4408, "reason": "Connection initialisation timeout"},
    ]
    assert not operation_tasks()


async def test_init_releases_the_cancelled_timer(serve: ServeFactory) -> None:
    handler = RecordingHandler()
    async with serve(handler) as url, client(url, PROTOCOL) as ws:
        await init(ws)
        [context] = handler.contexts
        assert context.connection_init_timeout_task is None
        assert not hasattr(context, "connection_params")
