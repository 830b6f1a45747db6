"""WebSocket behaviour under graphqlwire's server (and uvicorn's wsproto mode for parity)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
)

from graphqlwire.server import ClientDisconnected, Server
from graphqlwire.server.ws import CLOSE_TIMEOUT, QUEUE_HIGH_WATER, WebSocketSession

from .helpers import RunServer, graphqlwire_server, raw_exchange, status_of
from .server_apps import make_app
from .ws_client import RawWebSocket


def ws_url(url: str, path: str) -> str:
    return url.replace("http://", "ws://") + path


async def test_echo_and_fragments(run_server: RunServer) -> None:
    app = make_app()
    async with run_server(app) as url:
        async with connect(ws_url(url, "/ws/echo"), ping_interval=None) as ws:
            await ws.send("hello")
            assert await ws.recv() == "hello"
            await ws.send(b"\x00\x01")
            assert await ws.recv() == b"\x00\x01"
            await ws.send(["frag", "mented", " text"])
            assert await ws.recv() == "fragmented text"
            await ws.send([b"ab", b"cd"])
            assert await ws.recv() == b"abcd"
            await ws.close(code=1000)
        await app.recorder.wait_for(("ws.disconnect", 1000))


async def test_close_before_accept_is_403(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url:
        with pytest.raises(InvalidStatus) as info:
            async with connect(ws_url(url, "/ws/close-before")):
                pass
    assert info.value.response.status_code == 403


async def test_denial_response(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url:
        with pytest.raises(InvalidStatus) as info:
            async with connect(ws_url(url, "/ws/deny")):
                pass
    response = info.value.response
    assert response.status_code == 401
    assert response.headers["x-why"] == "token"
    assert response.body == b"no entry"


async def test_subprotocol_and_extra_headers(run_server: RunServer, app: Any) -> None:
    async with (
        run_server(app) as url,
        connect(
            ws_url(url, "/ws/subprotocol"), subprotocols=["graphql-ws", "graphql-transport-ws"]
        ) as ws,
    ):
        assert ws.subprotocol == "graphql-transport-ws"
        assert ws.response.headers["x-extra"] == "yes"
        assert json.loads(await ws.recv()) == ["graphql-ws", "graphql-transport-ws"]
        with pytest.raises(ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 1000


@pytest.mark.parametrize("path", ["/ws/bad-subprotocol", "/ws/return"])
async def test_handshake_failures_are_500(app: Any, path: str, caplog: Any) -> None:
    # (uvicorn drops the connection without a response for the bad subprotocol.)
    caplog.set_level(logging.CRITICAL)
    async with graphqlwire_server(app) as url:
        with pytest.raises(InvalidStatus) as info:
            async with connect(ws_url(url, path), subprotocols=["offered"]):
                pass
    assert info.value.response.status_code == 500


async def test_app_crash_while_connected_is_1011(app: Any, caplog: Any) -> None:
    # (uvicorn's wsproto mode drops the TCP connection: the client sees 1006.)
    caplog.set_level(logging.CRITICAL)
    async with graphqlwire_server(app) as url, connect(ws_url(url, "/ws/raise")) as ws:
        await ws.send("trigger")
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 1011


async def test_app_close_code_and_reason(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url, connect(ws_url(url, "/ws/close-4000")) as ws:
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert (ws.close_code, ws.close_reason) == (4000, "bye")


async def test_scope(run_server: RunServer, app: Any) -> None:
    async with (
        run_server(app) as url,
        connect(ws_url(url, "/ws/scope"), subprotocols=["a", "b"]) as ws,
    ):
        info = json.loads(await ws.recv())
    assert info["type"] == "websocket"
    assert info["scheme"] == "ws"
    assert info["path"] == "/ws/scope"
    assert info["subprotocols"] == ["a", "b"]
    assert info["http_response"] is True


async def test_ping_is_answered(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url, connect(ws_url(url, "/ws/echo"), ping_interval=None) as ws:
        latency = await asyncio.wait_for(await ws.ping(b"x"), 2)
        assert latency >= 0


async def test_close_without_code_reaches_app_as_1005(run_server: RunServer) -> None:
    app = make_app()
    async with run_server(app) as url:
        ws = await RawWebSocket.connect(url, "/ws/echo")
        assert isinstance(await ws.next_event(), AcceptConnection)
        ws.send_raw(b"\x88\x80" + b"\x00\x00\x00\x00")  # masked close frame, no payload
        event = await ws.next_event()
        assert isinstance(event, CloseConnection)
        await app.recorder.wait_for(("ws.disconnect", 1005))
        ws.close()


async def test_invalid_utf8_closes_1007(app: Any) -> None:
    async with graphqlwire_server(app) as url:
        ws = await RawWebSocket.connect(url, "/ws/echo")
        assert isinstance(await ws.next_event(), AcceptConnection)
        ws.send_raw(b"\x81\x82\x00\x00\x00\x00\xc3\x28")  # masked text frame, bad UTF-8
        event = await ws.next_event()
        assert isinstance(event, CloseConnection)
        assert event.code == 1007
        ws.close()


async def test_message_too_big_closes_1009(caplog: Any) -> None:
    app = make_app()
    async with graphqlwire_server(app, ws_max_message_size=1000) as url:
        async with connect(ws_url(url, "/ws/echo"), ping_interval=None) as ws:
            await ws.send("x" * 1000)
            assert await ws.recv() == "x" * 1000
            await ws.send(["y" * 600, "y" * 600])  # fragmented: the total counts
            with pytest.raises(ConnectionClosed):
                await ws.recv()
        assert ws.close_code == 1009
        await app.recorder.wait_for(("ws.disconnect", 1009))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_server_pings_and_pong_timeout_closes_1011() -> None:
    app = make_app()
    async with graphqlwire_server(app, ws_ping_interval=0.1, ws_ping_timeout=0.2) as url:
        ws = await RawWebSocket.connect(url, "/ws/echo")
        assert isinstance(await ws.next_event(), AcceptConnection)
        ping = await ws.next_event()
        assert isinstance(ping, Ping)
        ws.send(ping.response())  # answer the first ping ...
        assert isinstance(await ws.next_event(), Ping)  # ... but not the second
        event = await ws.next_event()
        assert isinstance(event, CloseConnection)
        assert event.code == 1011
        await app.recorder.wait_for(("ws.disconnect", 1011))
        ws.close()


async def test_client_answering_pings_stays_connected() -> None:
    server = graphqlwire_server(make_app(), ws_ping_interval=0.05, ws_ping_timeout=0.5)
    async with server as url, connect(ws_url(url, "/ws/echo")) as ws:  # it answers pings
        await asyncio.sleep(0.4)
        await ws.send("still here")
        assert await ws.recv() == "still here"


async def test_bad_handshake_is_400(app: Any) -> None:
    request = (
        b"GET /ws/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )  # no key
    async with graphqlwire_server(app) as url:
        assert status_of(await raw_exchange(url, request)) == 400


async def test_no_compression_is_negotiated(app: Any) -> None:
    async with (
        graphqlwire_server(app) as url,
        connect(ws_url(url, "/ws/echo"), compression="deflate") as ws,
    ):
        assert "sec-websocket-extensions" not in ws.response.headers
        await ws.send("plain")
        assert await ws.recv() == "plain"


async def test_binary_and_unmasked_frames(app: Any) -> None:
    async with graphqlwire_server(app) as url:
        ws = await RawWebSocket.connect(url, "/ws/echo")
        assert isinstance(await ws.next_event(), AcceptConnection)
        ws.send(BytesMessage(data=b"bin"))
        event = await ws.next_event()
        assert isinstance(event, BytesMessage)
        assert event.data == b"bin"
        ws.send_raw(b"\x81\x02hi")  # client frames must be masked (RFC 6455 §5.1)
        event = await ws.next_event()
        assert isinstance(event, CloseConnection)
        assert event.code == 1002
        ws.close()


async def test_many_websockets(app: Any) -> None:
    async def one(i: int) -> None:
        async with connect(ws_url(url, "/ws/echo")) as ws:
            for j in range(3):
                await ws.send(f"{i}-{j}")
                assert await ws.recv() == f"{i}-{j}"

    async with graphqlwire_server(app) as url:
        await asyncio.gather(*(one(i) for i in range(30)))


async def test_send_after_disconnect(caplog: Any) -> None:
    outcome: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
        await send({"type": "websocket.close"})  # harmless
        try:
            await send({"type": "websocket.send", "text": "late"})
        except OSError as error:
            outcome.set_result((type(error),))

    async with graphqlwire_server(app) as url:
        async with connect(ws_url(url, "/")) as ws:
            await ws.send("x")
        assert await asyncio.wait_for(outcome, 2) == (ClientDisconnected,)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_messages_wait_for_a_slow_app() -> None:
    go = asyncio.Event()
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await go.wait()
        while (message := await receive())["type"] == "websocket.receive":
            seen.append(message["text"])
            if len(seen) == 200:
                await send({"type": "websocket.send", "text": "all"})

    async with graphqlwire_server(app) as url, connect(ws_url(url, "/")) as ws:
        for i in range(200):  # more than the queue holds: reading pauses
            await ws.send(str(i))
        await asyncio.sleep(0.1)
        go.set()
        assert await asyncio.wait_for(ws.recv(), 3) == "all"
    assert seen == [str(i) for i in range(200)]


async def wait_until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    """Poll `condition` (bounded) until it holds."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


def only_session(server: Server) -> WebSocketSession:
    assert server.state is not None
    (connection,) = server.state.connections
    assert connection.ws is not None
    return connection.ws


async def test_close_while_reading_is_paused_reads_the_reply() -> None:
    go = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await go.wait()  # far behind: reading pauses
        await send({"type": "websocket.close", "code": 1000})

    async with Server(app, port=0, lifespan="off", log_level=None) as server:
        ws = await RawWebSocket.connect(server.url, "/")
        try:
            assert isinstance(await ws.next_event(), AcceptConnection)
            for i in range(QUEUE_HIGH_WATER * 3):
                ws.send(BytesMessage(data=b"%d" % i))
            session = only_session(server)
            await wait_until(lambda: session._read_paused)
            go.set()
            event = await ws.next_event()
            assert isinstance(event, CloseConnection)
            assert event.code == 1000
            ws.send(event.response())
            started = time.monotonic()
            # The server hangs up on reading our reply ...
            assert await asyncio.wait_for(ws.reader.read(65536), 3) == b""
            assert time.monotonic() - started < CLOSE_TIMEOUT / 2  # ... not after the timeout
        finally:
            ws.close()


async def test_pong_after_the_close_does_not_rearm_the_ping() -> None:
    go = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await go.wait()
        await send({"type": "websocket.close", "code": 1000})
        await receive()

    async with Server(
        app, port=0, lifespan="off", log_level=None, ws_ping_interval=0.05, ws_ping_timeout=10
    ) as server:
        ws = await RawWebSocket.connect(server.url, "/")
        try:
            assert isinstance(await ws.next_event(), AcceptConnection)
            ping = await ws.next_event()
            assert isinstance(ping, Ping)  # not answered (yet): a pong is due
            session = only_session(server)
            go.set()
            assert isinstance(await ws.next_event(), CloseConnection)
            assert session.heartbeat.timer is None
            # The late pong (masked, as from a client), fed in synchronously:
            session.data_received(b"\x8a\x8b\x00\x00\x00\x00" + ping.payload)
            assert session.heartbeat.timer is None
            assert not session.heartbeat.pong_due
        finally:
            ws.close()


@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 1100, 2999, 5000, "1000"])
async def test_invalid_close_code_from_the_app_raises(code: Any) -> None:
    outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        try:
            await send({"type": "websocket.close", "code": code})
        except RuntimeError as error:
            outcome.set_result(str(error))
        await send({"type": "websocket.close", "code": 4001})

    async with graphqlwire_server(app) as url, connect(ws_url(url, "/")) as ws:
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert "close code" in await asyncio.wait_for(outcome, 2)
    assert ws.close_code == 4001


@pytest.mark.parametrize("code", [1000, 1003, 1007, 1012, 1014, 3000, 4999])
async def test_valid_close_codes_from_the_app(code: int) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": code})

    async with graphqlwire_server(app) as url, connect(ws_url(url, "/")) as ws:
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert ws.close_code == code


@pytest.mark.parametrize(
    "content", [{}, {"text": None, "bytes": None}, {"text": "a", "bytes": b"b"}]
)
async def test_send_needs_exactly_one_of_text_and_bytes(content: dict[str, Any]) -> None:
    outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        try:
            await send({"type": "websocket.send", **content})
        except RuntimeError as error:
            outcome.set_result(str(error))
        await send({"type": "websocket.send", "bytes": b"", "text": None})  # (allowed)
        await send({"type": "websocket.send", "text": "after"})

    async with graphqlwire_server(app) as url, connect(ws_url(url, "/")) as ws:
        assert await ws.recv() == b""  # no frame went out for the bad message
        assert await ws.recv() == "after"
    assert "exactly one" in await asyncio.wait_for(outcome, 2)


async def test_messages_sent_together_arrive_whole_and_in_order() -> None:
    """Frames queued in one loop iteration share a write: every header length, in order."""
    sizes = [0, 1, 125, 126, 65535, 65536, 70000]
    sent: list[str | bytes] = []
    for size in sizes:
        sent += ["é" * (size // 2) + "x" * (size % 2), bytes(range(256)) * (size // 256)]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        for message in sent:
            key = "text" if isinstance(message, str) else "bytes"
            await send({"type": "websocket.send", key: message})
        await send({"type": "websocket.close", "code": 1000})

    async with graphqlwire_server(app) as url, connect(ws_url(url, "/"), max_size=None) as ws:
        received = [await ws.recv() for _ in sent]
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert received == sent
    assert ws.close_code == 1000
