"""The demo chat on two worker processes sharing one Redis: one consistent chat.

Each server is started as a user would (``graphqlwire --workers 2 --pubsub redis://...``,
``uvicorn --workers 2``, gunicorn with uvicorn's worker). Subscribers connect until Redis
reports both workers subscribed; then messages sent over new HTTP connections (spread
over the workers by the kernel) must reach every subscriber, in one order, with unique ids,
and every worker must answer the same history.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.redis_server import RedisServer, free_port

CHANNEL = "demo:messageAdded"
SUBSCRIPTION = "subscription { messageAdded { id author text } }"
SEND = 'mutation ($text: String!) { sendMessage(author: "test", text: $text) { id text } }'
MAX_SUBSCRIBERS = 40  # (a worker still starting gets none: allow ~5 s of batches)
HELLO = json.dumps({"query": "{ hello }"})


def commands(port: int, pubsub_url: str) -> dict[str, list[str]]:
    """How a user starts each server (graphqlwire is told the backend by --pubsub)."""
    python = sys.executable
    return {
        "graphqlwire": [
            python, "-m", "graphqlwire", "--workers", "2", "--port", str(port),
            "--pubsub", pubsub_url, "--log-level", "warning", "graphqlwire.demo:schema",
        ],
        "uvicorn": [
            python, "-m", "uvicorn", "--workers", "2", "--port", str(port),
            "--log-level", "warning", "graphqlwire.demo:app",
        ],
        "gunicorn": [
            python, "-m", "gunicorn", "-w", "2", "-k", "uvicorn.workers.UvicornWorker",
            "-b", f"127.0.0.1:{port}", "--log-level", "warning", "graphqlwire.demo:app",
        ],
    }  # fmt: skip


@contextlib.contextmanager
def serving(server: str, pubsub_url: str) -> Iterator[int]:
    """Start `server` with two workers on the demo; its port. Stopped (the group) on exit."""
    port = free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if server != "graphqlwire":
        env["GRAPHQLWIRE_PUBSUB"] = pubsub_url
    process = subprocess.Popen(
        commands(port, pubsub_url)[server],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_answering(port, process)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        if process.stderr is not None:
            process.stderr.close()


def _wait_answering(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"server exited with {process.returncode}: {error[-2000:]}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("POST", "/", HELLO, {"content-type": "application/json"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.02)
        finally:
            connection.close()
    raise AssertionError("the server did not answer within 20 s")


class Subscriber:
    """One graphql-transport-ws connection subscribed to messageAdded; what it received."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.received: list[dict[str, Any]] = []
        self.reading = asyncio.ensure_future(self._read())

    @classmethod
    async def connect(cls, port: int) -> Subscriber:
        socket = await connect(
            f"ws://127.0.0.1:{port}/", subprotocols=[Subprotocol("graphql-transport-ws")]
        )
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "connection_ack"
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        )
        return cls(socket)

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            assert message["type"] == "next", message
            self.received.append(message["payload"]["data"]["messageAdded"])

    def ids_after(self, marker: str) -> list[str]:
        ids = [message["id"] for message in self.received]
        return ids[ids.index(marker) + 1 :] if marker in ids else []

    async def close(self) -> None:
        self.reading.cancel()
        await self.socket.close()


def numsub(redis: RedisServer, channel: str) -> int:
    import redis as redis_py

    with redis_py.Redis(port=redis.port) as client:
        return int(dict(client.pubsub_numsub(channel))[channel.encode()])


@dataclass
class Client:
    """HTTP to one server, each request on a new connection (the kernel picks the worker).

    One httpx client serves them all: making one costs a tenth of a second.
    """

    http: httpx.AsyncClient
    port: int

    async def post(self, body: dict[str, Any]) -> httpx.Response:
        url = f"http://127.0.0.1:{self.port}/"
        return await self.http.post(url, json=body, headers={"connection": "close"})


async def send(client: Client, text: str) -> dict[str, Any]:
    """sendMessage (on a new connection)."""
    answer = await client.post({"query": SEND, "variables": {"text": text}})
    assert answer.status_code == 200, answer.text
    message: dict[str, Any] = answer.json()["data"]["sendMessage"]
    return message


async def until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not in {timeout:g} s: {what}"
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def subscribers_on_both_workers(
    client: Client, redis: RedisServer, channel: str
) -> AsyncIterator[list[Subscriber]]:
    """At least 4 live subscribers, on both workers (Redis sees two processes subscribed)."""
    subscribers: list[Subscriber] = []
    try:
        while not subscribers or numsub(redis, channel) < 2:
            assert len(subscribers) < MAX_SUBSCRIBERS, "every subscriber landed on one worker"
            subscribers += await asyncio.gather(
                *(Subscriber.connect(client.port) for _ in range(4))
            )
            with contextlib.suppress(AssertionError):  # (else: 4 more)
                await until(lambda: numsub(redis, channel) >= 2, 0.5, "both workers subscribed")
        # Each subscription is live once it received a message sent after it subscribed.
        marker = (await send(client, "warm-up"))["id"]
        await until(
            lambda: all(marker in [m["id"] for m in s.received] for s in subscribers),
            5,
            "every subscriber received the warm-up message",
        )
        yield subscribers
    finally:
        for subscriber in subscribers:
            await subscriber.close()


@pytest.mark.parametrize("server", ["graphqlwire", "uvicorn", "gunicorn"])
async def test_every_subscriber_on_any_worker_gets_every_message_in_one_order(
    server: str, redis_server: RedisServer, unique_prefix: str
) -> None:
    url = f"{redis_server.url}?prefix={unique_prefix}"
    with serving(server, url) as port:
        async with httpx.AsyncClient(timeout=10) as http:
            client = Client(http, port)
            channel = unique_prefix + CHANNEL
            async with subscribers_on_both_workers(client, redis_server, channel) as subscribers:
                marker = subscribers[0].received[-1]["id"]
                sent = [await send(client, f"message {n}") for n in range(12)]
                ids = [message["id"] for message in sent]
                assert len(set(ids)) == 12  # unique across workers
                await until(
                    lambda: all(len(s.ids_after(marker)) >= 12 for s in subscribers),
                    5,
                    "every subscriber received the 12 messages",
                )
                orders = {tuple(s.ids_after(marker)) for s in subscribers}
                assert orders == {tuple(ids)}  # same messages, same order, everywhere
                assert [int(i) for i in ids] == sorted(int(i) for i in ids)
            # The history is Redis's: every worker answers the same.
            histories = set()
            for _ in range(6):
                answer = await client.post({"query": "{ messages(last: 12) { id text } }"})
                histories.add(json.dumps(answer.json()))
            assert histories == {json.dumps({"data": {"messages": sent}})}
