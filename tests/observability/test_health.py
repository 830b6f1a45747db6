"""``GET /health``: 200 while serving, 503 while draining or while the pub/sub is unreachable."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import httpx
import pytest

from graphqlwire.asgi import GraphQL
from graphqlwire.demo import schema
from graphqlwire.observability import HealthEndpoint
from graphqlwire.pubsub import RedisPubSub
from graphqlwire.server import Config, Server
from tests.redis_server import RedisServer, own_redis_server
from tests.server.helpers import FAST, graphqlwire_server, uvicorn_server

from .helpers import start_cli, stop, until

__all__ = ["own_redis_server"]

HELLO = {"query": "{ hello }"}


@pytest.mark.parametrize("run_server", [graphqlwire_server, uvicorn_server])
async def test_health_answers_by_default(run_server: Any) -> None:
    async with run_server(GraphQL(schema)) as url, httpx.AsyncClient() as client:
        response = await client.get(url + "/health")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert response.headers["content-type"] == "application/json"
        assert response.headers["cache-control"] == "no-store"
        head = await client.head(url + "/health")
        assert (head.status_code, head.content) == (200, b"")
        refused = await client.post(url + "/health", json=HELLO)
        assert refused.status_code == 405
        assert refused.headers["allow"] == "GET, HEAD"
        # GraphQL is still served everywhere else
        assert (await client.post(url + "/graphql", json=HELLO)).status_code == 200


async def test_health_path_moves_or_turns_off() -> None:
    async with (
        graphqlwire_server(GraphQL(schema, health_path="/live")) as url,
        httpx.AsyncClient() as client,
    ):
        assert (await client.get(url + "/live")).json() == {"status": "ok"}
        assert (await client.post(url + "/health", json=HELLO)).status_code == 200
    async with (
        graphqlwire_server(GraphQL(schema, health_path="")) as url,
        httpx.AsyncClient() as client,
    ):
        response = await client.get(url + "/health", headers={"accept": "application/json"})
        assert "status" not in response.text
    with pytest.raises(ValueError, match="must start with '/'"):
        GraphQL(schema, health_path="health")


async def test_health_below_a_root_path() -> None:
    async with (
        graphqlwire_server(GraphQL(schema), root_path="/api") as url,
        httpx.AsyncClient() as client,
    ):
        assert (await client.get(url + "/health")).json() == {"status": "ok"}


async def test_draining_answers_503_while_queries_still_run() -> None:
    config = Config(port=0, drain_delay=5.0, **FAST)
    server = Server(GraphQL(schema), config)
    await server.start()
    shutdown = asyncio.create_task(server.shutdown())
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(server.url + "/health")
            assert response.status_code == 503
            assert response.json() == {"status": "draining"}
            assert (await client.post(server.url, json=HELLO)).status_code == 200
    finally:
        server.force_exit()  # (cuts the drain delay short)
        await asyncio.wait_for(shutdown, 5)


async def test_503_while_the_pubsub_is_unreachable(own_redis_server: RedisServer) -> None:
    backend = RedisPubSub(own_redis_server.url, prefix="health-test:")
    health = HealthEndpoint(pubsub=lambda: backend)
    try:
        async with graphqlwire_server(health) as url, httpx.AsyncClient() as client:

            async def status() -> tuple[int, Any]:
                response = await client.get(url)
                return response.status_code, response.json()

            # The backend connects on first use: the very first check is already 200.
            assert await status() == (200, {"status": "ok", "pubsub": "connected"})
            own_redis_server.stop()
            assert await until(lambda: _is(status(), 503))
            assert (await status())[1] == {"status": "unavailable", "pubsub": "disconnected"}
            own_redis_server.start()
            assert await until(lambda: _is(status(), 200), timeout=10)
    finally:
        await backend.aclose()


async def _is(answer: Any, status: int) -> bool:
    return bool((await answer)[0] == status)


def test_cli_drains_on_sigterm_with_a_503_health() -> None:
    """The command line: --drain-delay keeps serving after SIGTERM, /health says 503."""
    process, base = start_cli("--drain-delay", "30")  # (cut short below)
    url = base + "/health"
    try:
        _poll(lambda: _get(url) == 200)
        process.send_signal(signal.SIGTERM)
        _poll(lambda: _get(url) == 503)
        process.send_signal(signal.SIGTERM)  # a second signal: exit now
        assert process.wait(5) == 0
    finally:
        stop(process)


def _get(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=1).status_code
    except httpx.HTTPError:
        return None


def _poll(check: Any, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


async def test_a_pubsub_that_cannot_be_made_is_unavailable() -> None:
    def misconfigured() -> Any:
        raise ValueError("unknown pub/sub URL 'nope://'")

    health = HealthEndpoint(pubsub=misconfigured)
    async with graphqlwire_server(health) as url, httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "pubsub": "disconnected",
        "error": "unknown pub/sub URL 'nope://'",
    }
