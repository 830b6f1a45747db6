"""Operation limits over real sockets: HTTP statuses, WebSocket errors, a hostile document."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from graphqlwire.__main__ import build_parser, resolve_app
from graphqlwire.asgi import GraphQL
from graphqlwire.demo import schema
from graphqlwire.execution import NO_LIMITS, OperationLimits
from graphqlwire.server import Server

ALIASES = "{ a: hello b: hello c: hello }"
SERVER = {"port": 0, "log_level": None, "lifespan": "off"}


@pytest.fixture
def app() -> GraphQL:
    return GraphQL(schema, max_aliases=2)


@pytest.mark.parametrize(
    ("accept", "status"),
    [("application/json", 400), ("application/graphql-response+json", 422)],
)
async def test_a_refused_operation_over_http(app: GraphQL, accept: str, status: int) -> None:
    async with Server(app, **SERVER) as server, httpx.AsyncClient() as client:
        response = await client.post(
            server.url + "/", json={"query": ALIASES}, headers={"accept": accept}
        )
        assert response.status_code == status
        body = response.json()
        assert "data" not in body
        assert body["errors"][0]["message"] == (
            "The operation has 3 aliases, over the limit of 2 (max_aliases)."
        )
        assert body["errors"][0]["extensions"]["limit"] == "max_aliases"
        fine = await client.post(server.url + "/", json={"query": "{ a: hello b: hello }"})
        assert fine.json() == {"data": {"a": "Hello, world!", "b": "Hello, world!"}}


async def test_a_refused_operation_over_graphql_transport_ws(app: GraphQL) -> None:
    async with Server(app, **SERVER) as server:
        url = server.url.replace("http", "ws") + "/"
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            deep = "subscription { a: counter(upTo: 1) b: counter c: counter }"
            await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": deep}}))
            error = json.loads(await ws.recv())
            assert error["type"] == "error"
            assert error["id"] == "1"
            assert "over the limit of 2 (max_aliases)" in error["payload"][0]["message"]
            # The connection stays open and serves the next operation.
            query = {"query": "subscription { counter(upTo: 2) }"}
            await ws.send(json.dumps({"type": "subscribe", "id": "2", "payload": query}))
            values = []
            while (message := json.loads(await ws.recv()))["type"] == "next":
                values.append(message["payload"]["data"]["counter"])
            assert message == {"type": "complete", "id": "2"}
            assert values == [1, 2]


async def test_a_refused_operation_over_graphql_ws(app: GraphQL) -> None:
    async with Server(app, **SERVER) as server:
        url = server.url.replace("http", "ws") + "/"
        async with connect(url, subprotocols=["graphql-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"type": "start", "id": "9", "payload": {"query": ALIASES}}))
            error = json.loads(await ws.recv())
            assert error["type"] == "error"
            assert error["id"] == "9"
            assert "over the limit of 2 (max_aliases)" in error["payload"]["message"]
            assert json.loads(await ws.recv()) == {"type": "complete", "id": "9"}
            await ws.send(
                json.dumps({"type": "start", "id": "10", "payload": {"query": "{ hello }"}})
            )
            data = json.loads(await ws.recv())
            assert data["id"] == "10"
            assert data["payload"] == {"data": {"hello": "Hello, world!"}}


async def test_a_huge_document_is_refused_fast_and_delays_nobody() -> None:
    # 5 MB of aliases: the token limit stops the parser after its first 15,000 tokens.
    count = 5_000_000 // len("a000000: hello ")
    huge = "{ " + " ".join(f"a{i:06}: hello" for i in range(count)) + " }"
    async with (
        Server(GraphQL(schema), **SERVER) as server,
        httpx.AsyncClient(timeout=10) as attacker,
        httpx.AsyncClient() as client,
    ):

        async def hello_latency() -> float:
            await asyncio.sleep(0.05)  # while the huge body is being received and parsed
            start = time.perf_counter()
            response = await client.post(server.url + "/", json={"query": "{ hello }"})
            assert response.status_code == 200
            return time.perf_counter() - start

        start = time.perf_counter()
        refused, latency = await asyncio.gather(
            attacker.post(server.url + "/", json={"query": huge}), hello_latency()
        )
        elapsed = time.perf_counter() - start
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == (
        "The document has more than 15000 tokens, the limit (max_tokens)."
    )
    # (Without the limit, parsing alone takes 13 s here, validation more; the bounds leave
    # room for sending 5 MB on a busy 2-core machine.)
    assert elapsed < 3.0
    assert latency < 0.5


def test_the_limit_flags_configure_the_app() -> None:
    def limits_of(*flags: str) -> OperationLimits:
        app: Any = resolve_app(build_parser().parse_args(["graphqlwire.demo:schema", *flags]))
        return app.http_handler.limits  # type: ignore[no-any-return]

    assert limits_of() == OperationLimits()
    assert limits_of("--max-depth", "3", "--max-cost", "0") == OperationLimits(
        max_depth=3, max_cost=0
    )
    assert limits_of("--no-limits") == NO_LIMITS
    with pytest.raises(ValueError, match="--max-aliases only apply"):
        resolve_app(
            build_parser().parse_args(["tests.server.server_apps:respond", "--max-aliases", "1"])
        )


async def test_the_limit_flags_end_to_end() -> None:
    app = resolve_app(build_parser().parse_args(["graphqlwire.demo:schema", "--max-depth", "1"]))
    async with Server(app, **SERVER) as server, httpx.AsyncClient() as client:
        deep = await client.post(server.url + "/", json={"query": "{ messages { id } }"})
        flat = await client.post(server.url + "/", json={"query": "{ hello }"})
    assert deep.status_code == 400
    assert "2 fields deep, over the limit of 1 (max_depth)" in deep.json()["errors"][0]["message"]
    assert flat.status_code == 200


async def test_websocket_operations_of_one_document_are_validated_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A subscription's document is parsed with the app's token limit, so every operation
    that sends it finds the cached document and its cached verdict; a document past the
    limit is refused before it is parsed whole."""
    import graphqlwire.execution._cache as cache

    checks: list[Any] = []
    original = cache.check_document

    def counting(*args: Any, **kwargs: Any) -> Any:
        checks.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(cache, "check_document", counting)
    query = f"subscription {{ n{time.monotonic_ns()}: counter(upTo: 2) }}"  # (never cached)
    app = GraphQL(schema, max_tokens=40)
    async with Server(app, **SERVER) as server:
        url = server.url.replace("http", "ws") + "/"
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            for number in range(3):
                payload = {"query": query}
                await ws.send(
                    json.dumps({"type": "subscribe", "id": str(number), "payload": payload})
                )
                values = [json.loads(await ws.recv()) for _ in range(3)]
                assert [value["type"] for value in values] == ["next", "next", "complete"]
                assert [next(iter(v["payload"]["data"].values())) for v in values[:2]] == [1, 2]
            long = "subscription { " + "counter " * 40 + "}"
            await ws.send(
                json.dumps({"type": "subscribe", "id": "long", "payload": {"query": long}})
            )
            error = json.loads(await ws.recv())
            assert error["type"] == "error" and error["id"] == "long"
            assert error["payload"][0]["message"] == (
                "The document has more than 40 tokens, the limit (max_tokens)."
            )
    assert len(checks) == 1  # one verdict for the three operations
