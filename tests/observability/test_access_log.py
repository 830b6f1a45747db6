"""``--access-log-format json``: one JSON object per request and per connection opened/closed."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from graphqlwire.asgi import GraphQL
from graphqlwire.demo import schema
from graphqlwire.server import Config
from tests.server.helpers import graphqlwire_server

from .helpers import until

PROTOCOL: Any = "graphql-transport-ws"


def records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "graphqlwire.access"]


@pytest.fixture(autouse=True)
def _capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="graphqlwire.access")


async def test_a_request_record(caplog: pytest.LogCaptureFixture) -> None:
    app = GraphQL(schema)
    async with (
        graphqlwire_server(app, access_log_format="json") as url,
        httpx.AsyncClient() as client,
    ):
        query = {"query": "query Greet { hello }"}
        response = await client.post(url + "/graphql?x=1", json=query)
        bad = await client.post(url + "/graphql", json={"query": "{"})
    first, second = records(caplog)
    assert set(first) == {
        "time", "event", "client", "method", "path", "status", "duration_ms", "bytes",
        "operation_name", "operation_type", "operations",
    }  # fmt: skip
    assert first["event"] == "request"
    assert (first["method"], first["path"], first["status"]) == ("POST", "/graphql?x=1", 200)
    assert (first["operation_name"], first["operation_type"]) == ("Greet", "query")
    assert first["bytes"] == len(response.content)
    assert first["client"].startswith("127.0.0.1:")
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert (second["status"], second["operation_type"]) == (bad.status_code, "unknown")


async def test_a_plain_asgi_app_gets_server_fields_only(caplog: pytest.LogCaptureFixture) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async with (
        graphqlwire_server(app, access_log_format="json") as url,
        httpx.AsyncClient() as client,
    ):
        await client.get(url + "/x")
    (record,) = records(caplog)
    assert (record["status"], record["bytes"], record["path"]) == (204, 0, "/x")
    assert "operation_type" not in record


async def test_websocket_open_and_close_records(caplog: pytest.LogCaptureFixture) -> None:
    async with graphqlwire_server(GraphQL(schema), access_log_format="json") as url:
        async with connect(url.replace("http", "ws", 1) + "/ws", subprotocols=[PROTOCOL]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            await ws.recv()
            for operation_id in ("1", "2"):
                payload = {"query": "query Hi { hello }"}
                await ws.send(
                    json.dumps({"id": operation_id, "type": "subscribe", "payload": payload})
                )
                await ws.recv()  # next
                await ws.recv()  # complete
        await until(lambda: len(records(caplog)) == 2)
    opened, closed = records(caplog)
    assert (opened["event"], opened["path"]) == ("websocket.open", "/ws")
    assert closed["event"] == "websocket.close"
    assert (closed["close_code"], closed["operations"]) == (1000, 2)
    assert closed["operation_name"] == "Hi"
    assert closed["duration_ms"] >= 0


async def test_sse_open_and_close_records(caplog: pytest.LogCaptureFixture) -> None:
    async with (
        graphqlwire_server(GraphQL(schema), access_log_format="json") as url,
        httpx.AsyncClient() as client,
    ):
        query = {"query": "subscription { counter(upTo: 2) }"}
        response = await client.post(url, json=query, headers={"accept": "text/event-stream"})
        assert response.status_code == 200
    opened, closed = records(caplog)
    assert opened["event"] == "sse.open"
    assert closed["event"] == "sse.close"
    assert (closed["status"], closed["operation_type"], closed["operations"]) == (
        200,
        "subscription",
        1,
    )
    assert closed["bytes"] == len(response.content)


def test_the_json_format_turns_the_log_on_and_bad_formats_are_refused() -> None:
    assert Config(access_log_format="json").access_log_format == "json"
    with pytest.raises(ValueError, match="access_log_format must be text or json"):
        Config(access_log_format="xml")  # type: ignore[arg-type]


async def test_a_refused_websocket_handshake_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def refusing(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.close"})

    async with graphqlwire_server(refusing, access_log_format="json") as url:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url.replace("http", "ws", 1) + "/ws?t=1"):
                pass
        assert refused.value.response.status_code == 403
        await until(lambda: len(records(caplog)) == 1)
    (record,) = records(caplog)
    assert (record["event"], record["status"], record["path"]) == (
        "websocket.refused",
        403,
        "/ws?t=1",
    )
