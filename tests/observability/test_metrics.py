"""``/metrics``: counters move by exactly the operations sent, over every transport.

Each test runs graphqlwire's server on a free port with the demo schema and parses the
scrape with prometheus_client's parser.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from websockets.asyncio.client import connect

from graphqlwire.asgi import GraphQL
from graphqlwire.demo import schema
from graphqlwire.observability import Metrics
from graphqlwire.pubsub import MemoryPubSub
from tests.server.helpers import graphqlwire_server

from .helpers import Samples, gauge_reaches, requests, scrape, value

HELLO = {"query": "{ hello }"}
PROTOCOL: Any = "graphql-transport-ws"
ACTIVE = "graphqlwire_active_subscriptions"
OPEN = "graphqlwire_open_connections"
WAITING = {"query": "subscription { messageAdded { id } }"}


def metrics_app(**options: Any) -> GraphQL:
    return GraphQL(schema, metrics=True, **options)


def moved(before: Samples, after: Samples, transport: str, kind: str, outcome: str) -> float:
    return requests(after, transport, kind, outcome) - requests(before, transport, kind, outcome)


async def test_http_operations_are_counted_by_type_and_outcome() -> None:
    async with graphqlwire_server(metrics_app(max_depth=3)) as url, httpx.AsyncClient() as client:
        before = await scrape(client, url)
        for _ in range(3):
            assert (await client.post(url, json=HELLO)).status_code == 200
        mutation = {"query": 'mutation { sendMessage(author: "a", text: "b") { id } }'}
        assert (await client.post(url, json=mutation)).status_code == 200
        assert (await client.post(url, json={"query": "{ hello"})).status_code == 400
        too_deep = {"query": "{ __schema { types { fields { type { name } } } } }"}
        assert (await client.post(url, json=too_deep)).status_code == 400
        unknown_field = {"query": "{ nope }"}
        assert (await client.post(url, json=unknown_field)).status_code == 400
        bad_json = await client.post(
            url, content=b"{", headers={"content-type": "application/json"}
        )
        assert bad_json.status_code == 400
        after = await scrape(client, url)
    assert moved(before, after, "http", "query", "success") == 3
    assert moved(before, after, "http", "mutation", "success") == 1
    assert moved(before, after, "http", "unknown", "refused") == 2  # syntax error, depth limit
    assert moved(before, after, "http", "query", "refused") == 1  # validation
    limit = "graphqlwire_refused_operations_total"
    assert value(after, limit, limit="max_depth") - value(before, limit, limit="max_depth") == 1
    count = "graphqlwire_request_duration_seconds_count"
    # Every HTTP request is timed, the bad JSON too (scrapes are not GraphQL requests).
    assert value(after, count, transport="http") - value(before, count, transport="http") == 8
    bucket = "graphqlwire_request_duration_seconds_bucket"
    assert value(after, bucket, transport="http", le="+Inf") == value(
        after, count, transport="http"
    )


async def test_websocket_connections_and_subscriptions() -> None:
    async with graphqlwire_server(metrics_app()) as url, httpx.AsyncClient() as client:
        before = await scrape(client, url)
        async with connect(url.replace("http", "ws", 1), subprotocols=[PROTOCOL]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": WAITING}))
            await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": HELLO}))
            assert json.loads(await ws.recv())["id"] == "2"  # next
            assert json.loads(await ws.recv())["type"] == "complete"
            during = await gauge_reaches(client, url, ACTIVE, "websocket", 1)
            assert value(during, OPEN, transport="websocket") == 1
            await ws.send(json.dumps({"id": "1", "type": "complete"}))
            await gauge_reaches(client, url, ACTIVE, "websocket", 0)
        after = await gauge_reaches(client, url, OPEN, "websocket", 0)
    assert moved(before, after, "websocket", "subscription", "success") == 1
    assert moved(before, after, "websocket", "query", "success") == 1


async def test_sse_streams_are_counted_by_transport() -> None:
    async with graphqlwire_server(metrics_app()) as url, httpx.AsyncClient() as client:
        before = await scrape(client, url)
        headers = {"accept": "text/event-stream"}
        async with client.stream("POST", url, json=WAITING, headers=headers) as stream:
            assert stream.status_code == 200
            during = await gauge_reaches(client, url, ACTIVE, "sse", 1)
            assert value(during, OPEN, transport="sse") == 1
        await gauge_reaches(client, url, ACTIVE, "sse", 0)
        after = await gauge_reaches(client, url, OPEN, "sse", 0)
    assert moved(before, after, "sse", "subscription", "success") == 1
    count = "graphqlwire_request_duration_seconds_count"
    assert value(after, count, transport="sse") - value(before, count, transport="sse") == 1


async def test_metrics_are_off_by_default_and_refuse_writes() -> None:
    async with graphqlwire_server(GraphQL(schema)) as url, httpx.AsyncClient() as client:
        response = await client.get(url + "/metrics", headers={"accept": "text/html"})
        assert "graphqlwire_requests_total" not in response.text
    async with graphqlwire_server(metrics_app()) as url, httpx.AsyncClient() as client:
        response = await client.post(url + "/metrics", json=HELLO)
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD"
        assert "not allowed" in response.json()["errors"][0]["message"]
        head = await client.head(url + "/metrics")
        assert head.status_code == 200
        assert head.content == b""


async def test_pubsub_counters_when_a_backend_is_configured() -> None:
    backend = MemoryPubSub()
    app = GraphQL(schema, metrics=Metrics(pubsub=lambda: backend))
    async with graphqlwire_server(app) as url, httpx.AsyncClient() as client:
        first = await scrape(client, url)
        async with backend.subscribe("news") as one, backend.subscribe("news") as two:
            await backend.publish("news", {"n": 1})
            await backend.publish("news", {"n": 2})
            assert [await anext(one), await anext(two)] == [{"n": 1}, {"n": 1}]
        samples = await scrape(client, url)
    messages = "graphqlwire_pubsub_messages_total"
    assert value(first, messages, event="published") == 0
    assert value(samples, messages, event="published") == 2
    assert value(samples, messages, event="delivered") == 4  # two messages, two subscribers
    assert value(samples, messages, event="dropped") == 0
    assert value(samples, "graphqlwire_pubsub_errors_total") == 0
    assert value(samples, "graphqlwire_pubsub_connected") == 1
