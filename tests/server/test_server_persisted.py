"""APQ and trusted documents over real sockets: HTTP, both WebSocket subprotocols, the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from graphqlwire.__main__ import build_parser, main, resolve_app
from graphqlwire.asgi import GraphQL
from graphqlwire.demo import schema
from graphqlwire.execution import MemoryStore
from graphqlwire.server import Server

SERVER = {"port": 0, "log_level": None, "lifespan": "off"}
HELLO = '{ hello(name: "wire") }'
COUNTER = "subscription { counter(upTo: 2) }"
TRUSTED = {"sha256:" + hashlib.sha256(COUNTER.encode()).hexdigest(): COUNTER, "hi": HELLO}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}


async def open_transport_ws(url: str) -> ClientConnection:
    ws = await connect(url.replace("http", "ws") + "/", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def transport_ws_operation(ws: ClientConnection, op_id: str, payload: Any) -> list[Any]:
    """Subscribe, and collect the messages up to the operation's `complete` or `error`."""
    await ws.send(json.dumps({"type": "subscribe", "id": op_id, "payload": payload}))
    messages = []
    while True:
        message = json.loads(await ws.recv())
        assert message["id"] == op_id
        messages.append(message["payload"] if message["type"] != "complete" else "complete")
        if message["type"] in ("complete", "error"):
            return messages


async def test_apq_over_http_and_graphql_transport_ws() -> None:
    app = GraphQL(schema, persisted_queries=MemoryStore())
    async with Server(app, **SERVER) as server, httpx.AsyncClient() as client:
        ws = await open_transport_ws(server.url)
        async with ws:
            miss = await transport_ws_operation(ws, "1", {"extensions": apq(COUNTER)})
            assert miss == [
                [
                    {
                        "message": "PersistedQueryNotFound",
                        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
                    }
                ]
            ]
            register = {"query": COUNTER, "extensions": apq(COUNTER)}
            expected = [{"data": {"counter": 1}}, {"data": {"counter": 2}}, "complete"]
            assert await transport_ws_operation(ws, "2", register) == expected
            hit = await transport_ws_operation(ws, "3", {"extensions": apq(COUNTER)})
            assert hit == expected
            # A hash registered over HTTP serves the WebSocket too.
            response = await client.post(
                server.url + "/", json={"query": HELLO, "extensions": apq(HELLO)}
            )
            assert response.json() == {"data": {"hello": "Hello, wire!"}}
            query = await transport_ws_operation(ws, "4", {"extensions": apq(HELLO)})
            assert query == [{"data": {"hello": "Hello, wire!"}}, "complete"]
        response = await client.post(server.url + "/", json={"extensions": apq(COUNTER)})
        # Registered over the WebSocket, found over HTTP: refused there as a subscription.
        assert response.status_code == 400
        assert "Subscriptions are not executed over HTTP" in response.text


async def test_trusted_documents_over_graphql_transport_ws() -> None:
    app = GraphQL(schema, trusted_documents=TRUSTED, only_trusted=True)
    async with Server(app, **SERVER) as server, await open_transport_ws(server.url) as ws:
        by_id = await transport_ws_operation(ws, "a", {"documentId": f"sha256:{sha256(COUNTER)}"})
        assert by_id == [{"data": {"counter": 1}}, {"data": {"counter": 2}}, "complete"]
        # Apollo's WebSocket link sends the full text with the hash: a trusted text runs.
        text = await transport_ws_operation(ws, "b", {"query": HELLO, "extensions": apq(HELLO)})
        assert text == [{"data": {"hello": "Hello, wire!"}}, "complete"]
        [errors] = await transport_ws_operation(ws, "c", {"query": "{ hello }"})
        assert errors[0]["extensions"] == {"code": "TRUSTED_DOCUMENT_REQUIRED"}
        [errors] = await transport_ws_operation(ws, "d", {"documentId": "nope"})
        assert errors[0]["message"].startswith("Unknown document id 'nope'")


async def test_trusted_documents_and_apq_over_graphql_ws() -> None:
    app = GraphQL(schema, trusted_documents=TRUSTED, persisted_queries=MemoryStore())
    async with Server(app, **SERVER) as server:
        url = server.url.replace("http", "ws") + "/"
        async with connect(url, subprotocols=["graphql-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"

            async def start(op_id: str, payload: Any) -> list[Any]:
                await ws.send(json.dumps({"type": "start", "id": op_id, "payload": payload}))
                messages = []
                while (message := json.loads(await ws.recv()))["type"] != "complete":
                    messages.append((message["type"], message["payload"]))
                return messages

            assert await start("1", {"documentId": "hi"}) == [
                ("data", {"data": {"hello": "Hello, wire!"}})
            ]
            [(kind, error)] = await start("2", {"extensions": apq("{ hello }")})
            assert (kind, error["message"]) == ("error", "PersistedQueryNotFound")
            register = {"query": "{ hello }", "extensions": apq("{ hello }")}
            assert await start("3", register) == [("data", {"data": {"hello": "Hello, world!"}})]
            assert await start("4", {"extensions": apq("{ hello }")}) == [
                ("data", {"data": {"hello": "Hello, world!"}})
            ]
            counter = await start("5", {"documentId": f"sha256:{sha256(COUNTER)}"})
            assert counter == [("data", {"data": {"counter": n}}) for n in (1, 2)]


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    operations = [{"id": sha256(HELLO), "name": "Hello", "type": "query", "body": HELLO}]
    manifest = {"format": "apollo-persisted-query-manifest", "version": 1}
    path.write_text(json.dumps({**manifest, "operations": operations}))
    return path


async def test_the_cli_serves_only_trusted_documents(manifest: Path) -> None:
    argv = ["--trusted-documents", str(manifest), "--only-trusted", "graphqlwire.demo:schema"]
    app = resolve_app(build_parser().parse_args(argv))
    async with Server(app, **SERVER) as server, httpx.AsyncClient() as client:
        trusted = await client.post(server.url + "/", json={"documentId": sha256(HELLO)})
        assert (trusted.status_code, trusted.json()) == (200, {"data": {"hello": "Hello, wire!"}})
        refused = await client.post(server.url + "/", json={"query": "{ hello }"})
        assert refused.status_code == 403
        assert "only executes trusted documents" in refused.json()["errors"][0]["message"]


def test_the_cli_flags_configure_the_app(manifest: Path) -> None:
    def handler_of(*flags: str) -> Any:
        app: Any = resolve_app(build_parser().parse_args(["graphqlwire.demo:schema", *flags]))
        return app.http_handler

    assert handler_of().persisted_queries is not None
    assert handler_of("--no-persisted-queries").persisted_queries is None
    handler = handler_of("--trusted-documents", str(manifest))
    assert dict(handler.trusted_documents) == {sha256(HELLO): HELLO}
    assert handler.only_trusted is False
    with pytest.raises(ValueError, match="--only-trusted only apply"):
        resolve_app(
            build_parser().parse_args(["tests.server.server_apps:respond", "--only-trusted"])
        )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "not valid JSON"),
        ('{"format": "apollo-persisted-query-manifest"}', "unsupported manifest format"),
    ],
)
def test_a_bad_manifest_stops_the_cli_at_start_up(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(content)
    with pytest.raises(SystemExit) as info:
        main(["--trusted-documents", str(path), "graphqlwire.demo:schema"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"trusted documents {path}" in err
    assert message in err
