"""Lifespan, graceful shutdown and the programmatic entry points."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from graphqlwire.server import Config, LifespanFailure, Server, serve
from graphqlwire.server.listeners import bind_numeric

from .helpers import RunServer, graphqlwire_server, port_of, read_all
from .server_apps import make_app


def lifespan_app(events: list[str], *, fail: bool = False) -> Any:
    inner = make_app()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            if scope["type"] == "http" and scope["path"] == "/mutate":
                scope["state"]["greeting"] = "changed"
            await inner(scope, receive, send)
            return
        while True:
            message = await receive()
            events.append(message["type"])
            if message["type"] == "lifespan.startup":
                scope["state"]["greeting"] = "hi"
                if fail:
                    await send({"type": "lifespan.startup.failed", "message": "no db"})
                    return
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

    return app


async def test_lifespan_state_reaches_every_scope(run_server: RunServer) -> None:
    events: list[str] = []
    async with (
        run_server(lifespan_app(events), lifespan="on") as url,
        httpx.AsyncClient() as client,
    ):
        assert events == ["lifespan.startup"]
        assert (await client.get(url + "/mutate")).status_code == 200
        info = (await client.get(url + "/scope")).json()
        # Shallow copy per request: one request's change does not leak into the next.
        assert info["state"] == {"greeting": "hi"}
    assert events == ["lifespan.startup", "lifespan.shutdown"]


async def test_lifespan_unsupported_app_is_served_anyway(app: Any) -> None:
    # make_app raises on the lifespan scope.
    async with graphqlwire_server(app, lifespan="auto") as url, httpx.AsyncClient() as client:
        assert (await client.get(url + "/x")).text == "hello /x"


async def test_lifespan_on_requires_support(app: Any) -> None:
    with pytest.raises(LifespanFailure):
        await Server(app, Config(port=0, lifespan="on", log_level=None)).start()


async def test_startup_failed_is_fatal() -> None:
    events: list[str] = []
    server = Server(lifespan_app(events, fail=True), Config(port=0, log_level=None))
    with pytest.raises(LifespanFailure, match="no db"):
        await server.start()
    assert not server.sockets


async def test_lifespan_off_never_calls_the_app() -> None:
    events: list[str] = []
    async with graphqlwire_server(lifespan_app(events), lifespan="off"):
        pass
    assert events == []


async def test_shutdown_lets_the_request_in_flight_finish() -> None:
    inner = make_app()
    slow_arrived = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/slow":
            slow_arrived.set()
        await inner(scope, receive, send)

    server = Server(app, Config(port=0, lifespan="off", log_level=None))
    await server.start()
    port = server.port
    async with httpx.AsyncClient() as client:
        idle_reader, idle_writer = await asyncio.open_connection("127.0.0.1", server.port)
        request = asyncio.create_task(client.get(server.url + "/slow"))
        await asyncio.wait_for(slow_arrived.wait(), 3)
        await server.shutdown()
        response = await request
    assert (response.status_code, response.text) == (200, "slow done")
    assert response.headers["connection"] == "close"
    assert await asyncio.wait_for(read_all(idle_reader), 1) == b""  # idle: closed at once
    idle_writer.close()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_shutdown_timeout_cuts_long_requests() -> None:
    server = Server(
        make_app(), Config(port=0, lifespan="off", log_level=None, shutdown_timeout=0.2)
    )
    await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(reader.readuntil(b"start"), 2)
    started = time.monotonic()
    await server.shutdown()
    assert time.monotonic() - started < 1.0
    await asyncio.wait_for(read_all(reader), 1)
    writer.close()


async def test_shutdown_closes_websockets_with_1001() -> None:
    app = make_app()
    server = Server(app, Config(port=0, lifespan="off", log_level=None))
    await server.start()
    async with connect(server.url.replace("http", "ws") + "/ws/echo") as ws:
        await ws.send("x")
        assert await ws.recv() == "x"
        await server.shutdown()
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 1001
    await app.recorder.wait_for(("ws.disconnect", 1001))


async def test_serve_until_cancelled() -> None:
    started: asyncio.Future[Server] = asyncio.get_running_loop().create_future()
    events: list[str] = []
    task = asyncio.create_task(
        serve(lifespan_app(events), Config(port=0, log_level=None), on_started=started.set_result)
    )
    server = await asyncio.wait_for(started, 3)
    async with httpx.AsyncClient() as client:
        assert (await client.get(server.url + "/x")).text == "hello /x"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.05)
    assert events == ["lifespan.startup", "lifespan.shutdown"]


async def test_server_addresses(app: Any, tmp_path: Any) -> None:
    async with Server(app, port=0, lifespan="off", log_level=None) as server:
        assert server.port > 0
        assert server.host == "127.0.0.1"
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert port_of(server.url) == server.port
    uds = str(tmp_path / "s.sock")
    async with (
        Server(app, uds=uds, lifespan="off", log_level=None) as server,
        httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=uds)) as client,
    ):
        assert server.url == f"http+unix://{uds}"
        response = await client.get("http://local/x")
        assert response.text == "hello /x"


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="lifespan"):
        Config(lifespan="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_body_size"):
        Config(max_body_size=0)
    with pytest.raises(ValueError, match="ssl"):
        Config(ssl_certfile="cert.pem")
    with pytest.raises(ValueError, match="forwarded_allow_ips"):
        Config(forwarded_allow_ips="not-an-ip")
    config = Config(forwarded_allow_ips="10.0.0.0/8, 127.0.0.1")
    assert config.is_trusted("10.1.2.3")
    assert not config.is_trusted("192.168.0.1")
    assert Config(forwarded_allow_ips="*").is_trusted("203.0.113.9")


async def test_shutdown_waits_for_the_apps_cleanup() -> None:
    cleaned: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        message = await receive()
        await asyncio.sleep(0.2)  # e.g. closing subscriptions after the disconnect
        cleaned.append(message["code"])

    server = Server(app, Config(port=0, lifespan="off", log_level=None))
    await server.start()
    async with connect(server.url.replace("http", "ws") + "/") as ws:
        await server.shutdown()
        assert cleaned == [1001]
    assert ws.close_code == 1001


async def test_listen_failure_runs_the_lifespan_shutdown(caplog: Any) -> None:
    events: list[str] = []
    with socket.socket() as taken:  # a port another socket listens on: bind fails
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = Server(lifespan_app(events), Config(port=taken.getsockname()[1], log_level=None))
        with pytest.raises(OSError):
            await server.start()
    assert events == ["lifespan.startup", "lifespan.shutdown"]
    assert server.lifespan is not None and server.lifespan.task is not None
    await asyncio.wait_for(server.lifespan.task, 1)  # not left pending
    assert not server.sockets
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_cancelled_tasks_clean_up_before_the_lifespan_shutdown() -> None:
    order: list[str] = []
    inner = lifespan_app(order)
    arrived = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await inner(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"start", "more_body": True})
        try:
            arrived.set()
            await asyncio.Event().wait()  # forever: cut by the shutdown timeout
        finally:
            await asyncio.sleep(0.05)  # e.g. releasing a database connection
            order.append("request cleanup")

    server = Server(app, Config(port=0, log_level=None, shutdown_timeout=0.1))
    await server.start()
    _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(arrived.wait(), 2)
    await asyncio.wait_for(server.shutdown(), 3)
    assert order == ["lifespan.startup", "request cleanup", "lifespan.shutdown"]
    writer.close()


def silent_shutdown_app(shutdown_seen: asyncio.Event) -> Any:
    """Answers the lifespan startup, never the shutdown."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "lifespan"
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        shutdown_seen.set()
        await asyncio.Event().wait()

    return app


async def test_lifespan_shutdown_without_answer_is_bounded(caplog: Any) -> None:
    server = Server(
        silent_shutdown_app(asyncio.Event()), Config(port=0, log_level=None, shutdown_timeout=0.2)
    )
    await server.start()
    started = time.monotonic()
    await asyncio.wait_for(server.shutdown(), 5)
    assert time.monotonic() - started < 4
    assert "giving up on the application's lifespan shutdown" in caplog.text
    assert server.lifespan is not None and server.lifespan.task is not None
    await asyncio.wait([server.lifespan.task], timeout=1)
    assert server.lifespan.task.cancelled()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_force_exit_interrupts_the_lifespan_shutdown(caplog: Any) -> None:
    seen = asyncio.Event()
    server = Server(silent_shutdown_app(seen), Config(port=0, log_level=None, shutdown_timeout=30))
    await server.start()
    shutdown = asyncio.create_task(server.shutdown())
    await asyncio.wait_for(seen.wait(), 2)
    server.force_exit()
    await asyncio.wait_for(shutdown, 2)
    assert "forced exit" in caplog.text


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
async def test_listens_on_numeric_and_named_hosts(host: str) -> None:
    if host == "::1" and not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    server = Server(make_app(), Config(host=host, port=0, lifespan="off", log_level=None))
    try:
        await server.start()
    except OSError as error:  # (a machine whose loopback has no IPv6 address)
        pytest.skip(f"cannot listen on {host}: {error}")
    try:
        family = server.sockets[0].family
        reader, writer = await asyncio.open_connection(server.host, server.port, family=family)
        writer.write(b"GET /hi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = await asyncio.wait_for(reader.read(), 3)
        writer.close()
        assert response.startswith(b"HTTP/1.1 200 ") and response.endswith(b"hello /hi")
    finally:
        await server.shutdown()


@pytest.mark.parametrize("host", ["", "localhost", "not a host", "bücher.example"])
def test_only_numeric_hosts_are_bound_without_the_loop(host: str) -> None:
    # "" means every interface of every family, a name needs resolving: the loop does both
    # (a non-ASCII name too: it is not a numeric address, whatever its encoding).
    assert bind_numeric(host, 0) is None


async def test_an_address_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Server(make_app(), Config(port=port, lifespan="off", log_level=None))
        with pytest.raises(
            OSError,
            match=f"error while attempting to bind on address "
            rf"\('127.0.0.1', {port}\)",
        ):
            await server.start()
