"""Fixtures: a test schema that records generator cleanup, servers, and a JSON ws client."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from graphqlwire.asgi import GraphQL
from graphqlwire.schema import make_executable_schema
from graphqlwire.server import Config, Server
from tests.uvicorn_runner import running_uvicorn

TYPE_DEFS = """
type Query {
  hello: String!
  connectionParam(name: String!): String
  slow(delay: Float!): String!
  fail: String
}
type Mutation { echo(text: String!): String! }
type Subscription {
  counter(upTo: Int!, interval: Float! = 0): Int!
  forever(tag: String! = "x"): Int!
  broken: Int!
}
"""


@dataclass
class Tracker:
    """What the test schema's generators did: started and finished tags, per test."""

    started: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    events: dict[str, asyncio.Event] = field(default_factory=dict)

    def event(self, name: str) -> asyncio.Event:
        return self.events.setdefault(name, asyncio.Event())

    async def wait(self, name: str, timeout: float = 2.0) -> None:
        await asyncio.wait_for(self.event(name).wait(), timeout)


TRACKER = Tracker()


async def _counter(_root: Any, _info: Any, upTo: int, interval: float) -> AsyncGenerator[int, None]:
    TRACKER.started.append("counter")
    try:
        for number in range(1, upTo + 1):
            if interval:
                await asyncio.sleep(interval)
            yield number
    finally:
        TRACKER.finished.append("counter")
        TRACKER.event("finished:counter").set()


async def _forever(_root: Any, _info: Any, tag: str) -> AsyncGenerator[int, None]:
    TRACKER.started.append(tag)
    TRACKER.event(f"started:{tag}").set()
    try:
        number = 0
        while True:
            number += 1
            yield number
            await asyncio.sleep(0.01)
    finally:
        TRACKER.finished.append(tag)
        TRACKER.event(f"finished:{tag}").set()


async def _broken(_root: Any, _info: Any) -> AsyncGenerator[int, None]:
    yield 1
    raise ValueError("the source broke")


async def _slow(_root: Any, _info: Any, delay: float) -> str:
    await asyncio.sleep(delay)
    return "slow"


def _connection_param(_root: Any, info: Any, name: str) -> Any:
    params = info.context["request"].scope.get("connection_params") or {}
    return params.get(name)


def _fail(_root: Any, _info: Any) -> Any:
    raise RuntimeError("resolver failed")


SCHEMA = make_executable_schema(
    TYPE_DEFS,
    {
        "Query": {
            "hello": lambda *_: "world",
            "connectionParam": _connection_param,
            "slow": _slow,
            "fail": _fail,
        },
        "Mutation": {"echo": lambda _root, _info, text: text},
        "Subscription": {
            "counter": {"subscribe": _counter},
            "forever": {"subscribe": _forever},
            "broken": {"subscribe": _broken},
        },
    },
)


@pytest.fixture(autouse=True)
def tracker(caplog: pytest.LogCaptureFixture) -> Tracker:
    """A fresh tracker per test; app logs captured so tests can check what was logged."""
    global TRACKER
    TRACKER = Tracker()
    caplog.set_level(logging.DEBUG, logger="graphqlwire")
    return TRACKER


@contextlib.asynccontextmanager
async def graphqlwire_server(app: Any) -> AsyncIterator[tuple[str, Server | None]]:
    server = Server(app, Config(port=0, lifespan="off", log_level=None))
    await server.start()
    try:
        yield f"ws://127.0.0.1:{server.port}/", server
    finally:
        await server.shutdown()


@contextlib.asynccontextmanager
async def uvicorn_server(app: Any, ws: str = "wsproto") -> AsyncIterator[tuple[str, Server | None]]:
    async with running_uvicorn(app, ws=ws) as port:
        yield f"ws://127.0.0.1:{port}/", None


ServeFactory = Callable[..., contextlib.AbstractAsyncContextManager[str]]


SERVERS = {
    "graphqlwire": graphqlwire_server,
    "uvicorn-wsproto": uvicorn_server,
    "uvicorn-websockets": functools.partial(uvicorn_server, ws="websockets-sansio"),
}


@pytest.fixture(params=list(SERVERS))
def server_kind(request: pytest.FixtureRequest) -> str:
    """graphqlwire's server, and uvicorn with each of its WebSocket implementations."""
    return str(request.param)


@pytest.fixture
def run_server(server_kind: str) -> Callable[[Any], Any]:
    """``async with run_server(app) as (url, server)``: any ASGI app behind a real server."""
    return SERVERS[server_kind]


@pytest.fixture
def serve(server_kind: str) -> ServeFactory:
    """``async with serve(handler, **app_options) as url``: the handler behind a real server."""

    @contextlib.asynccontextmanager
    async def run(handler: Any, **options: Any) -> AsyncIterator[str]:
        app = GraphQL(SCHEMA, websocket_handler=handler, **options)
        async with SERVERS[server_kind](app) as (url, _):
            yield url

    return run


class Client:
    """A JSON-speaking WebSocket client with timeouts on every read."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    @property
    def subprotocol(self) -> str | None:
        return self.connection.subprotocol

    async def send(self, message: Any) -> None:
        await self.connection.send(
            message if isinstance(message, (str, bytes)) else json.dumps(message)
        )

    async def receive(self, timeout: float = 2.0) -> dict[str, Any]:
        return dict(json.loads(await asyncio.wait_for(self.connection.recv(), timeout)))

    async def closed(self, timeout: float = 2.0) -> tuple[int, str]:
        """Wait for the server's close; ``(code, reason)``. Fails on any other message."""
        try:
            message = await asyncio.wait_for(self.connection.recv(), timeout)
        except ConnectionClosed:
            code = self.close_code
            assert code is not None, "the server vanished without a close frame"
            return code
        pytest.fail(f"expected a close, received {message!r}")

    async def until_closed(self, timeout: float = 2.0) -> list[dict[str, Any]]:
        """Every message until the server's close (which ``close_code`` then tells)."""
        messages = []
        try:
            for _ in range(1000):
                messages.append(await self.receive(timeout))
        except ConnectionClosed:
            return messages
        pytest.fail("the server did not close the connection")

    @property
    def close_code(self) -> tuple[int, str] | None:
        rcvd = self.connection.protocol.close_rcvd
        return None if rcvd is None else (rcvd.code, rcvd.reason)

    async def no_message(self, timeout: float = 0.2) -> None:
        try:
            message = await asyncio.wait_for(self.connection.recv(), timeout)
        except asyncio.TimeoutError:
            return
        pytest.fail(f"expected nothing, received {message!r}")


@contextlib.asynccontextmanager
async def client(url: str, *subprotocols: str) -> AsyncIterator[Client]:
    async with connect(
        url,
        subprotocols=list(subprotocols) or None,
        open_timeout=2,
        close_timeout=1,  # type: ignore[arg-type]
    ) as connection:
        yield Client(connection)


async def wait_until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    """Poll (every 10 ms, bounded) until ``condition()`` holds."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    assert condition()


def operation_tasks() -> list[asyncio.Task[Any]]:
    """Tasks of the WebSocket handlers still alive (operations, timers, keep-alives)."""
    names = ("_operation_task", "handle_connection_init_timeout", "keep_websocket_alive")
    return [
        task
        for task in asyncio.all_tasks()
        if any(name in repr(task.get_coro()) for name in names) and not task.done()
    ]
