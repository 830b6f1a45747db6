"""End to end: the GraphQL app on real sockets (graphqlwire, uvicorn, hypercorn) with httpx.

Also a real GraphQL client: gql with its HTTPX transport (query, mutation with variables,
single and multiple file uploads).
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from gql import Client, FileVar, gql
from gql.transport.httpx import HTTPXAsyncTransport

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHTTPHandler
from graphqlwire.asgi.middleware import CORSMiddleware, RequirePreflightMiddleware

from .conftest import AppFactory
from .servers import SERVERS, run_server

GRJ = "application/graphql-response+json"


@pytest.fixture(params=SERVERS)
async def url(request: pytest.FixtureRequest, make_app: AppFactory) -> AsyncIterator[str]:
    handler = GraphQLHTTPHandler(max_file_size=1000)
    app: Any = CORSMiddleware(
        make_app(execute_get_queries=True, http_handler=handler),
        allow_origins=["https://app.example"],
    )
    async with run_server(request.param, app) as base:
        yield base + "/graphql"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def message(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    text: str = response.json()["errors"][0]["message"]
    return text


async def test_post_query(http: httpx.AsyncClient, url: str) -> None:
    response = await http.post(url, json={"query": "{ hello }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"data": {"hello": "Hello, world!"}}
    response = await http.post(
        url, json={"query": "{ partial { ok broken } }"}, headers={"accept": GRJ}
    )
    assert response.status_code == 294
    assert response.headers["content-type"] == f"{GRJ}; charset=utf-8"


async def test_get_query_explorer_and_mutation(http: httpx.AsyncClient, url: str) -> None:
    response = await http.get(url, params={"query": '{ hello(name: "GET") }'})
    assert response.json() == {"data": {"hello": "Hello, GET!"}}
    response = await http.get(url, params={"query": 'mutation { echo(text: "x") }'})
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    response = await http.get(url, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "subscriptionUrl: " in response.text and "/graphql" in response.text
    response = await http.get(url, headers={"accept": "application/json"})
    assert response.status_code == 400
    assert message(response).startswith("Missing GraphQL query")


@pytest.mark.parametrize(
    ("kwargs", "status", "fragment"),
    [
        ({"content": b'{"query": "{ hello }"}'}, 415, "Missing Content-Type"),
        ({"content": b"{ hello }", "headers": {"content-type": "text/plain"}}, 415, "text/plain"),
        ({"content": b"{", "headers": {"content-type": "application/json"}}, 400, "not valid JSON"),
        (
            {"content": b'{"query": "\xfe"}', "headers": {"content-type": "application/json"}},
            400,
            "UTF-8",
        ),
        ({"json": {"query": "{ hello }"}, "headers": {"accept": "text/html"}}, 406, GRJ),
    ],
)
async def test_bad_requests(
    http: httpx.AsyncClient, url: str, kwargs: dict[str, Any], status: int, fragment: str
) -> None:
    response = await http.post(url, **kwargs)
    assert response.status_code == status
    assert fragment in message(response)
    # The server goes on serving on the same connection.
    assert (await http.post(url, json={"query": "{ hello }"})).status_code == 200


async def test_methods(http: httpx.AsyncClient, url: str) -> None:
    response = await http.options(url)
    assert (response.status_code, response.headers["allow"]) == (200, "OPTIONS, POST, GET")
    response = await http.put(url, json={"query": "{ hello }"})
    assert (response.status_code, response.headers["allow"]) == (405, "OPTIONS, POST, GET")


async def test_cors(http: httpx.AsyncClient, url: str) -> None:
    response = await http.options(
        url,
        headers={
            "origin": "https://app.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    response = await http.post(
        url, json={"query": "{ hello }"}, headers={"origin": "https://app.example"}
    )
    assert response.headers["access-control-allow-origin"] == "https://app.example"


# --- multipart ------------------------------------------------------------------------------

UPLOAD = "mutation ($file: Upload!) { upload(file: $file) { filename contentType content } }"
UPLOAD_MANY = (
    "mutation ($files: [Upload!]!) { uploadMany(files: $files) { filename contentType content } }"
)


def multipart(operations: Any, files_map: Any, files: dict[str, Any]) -> dict[str, Any]:
    data = {
        "operations": operations if isinstance(operations, str) else json.dumps(operations),
        "map": files_map if isinstance(files_map, str) else json.dumps(files_map),
    }
    return {"data": data, "files": files}


async def test_httpx_multipart_upload(http: httpx.AsyncClient, url: str) -> None:
    response = await http.post(
        url,
        **multipart(
            {"query": UPLOAD, "variables": {"file": None}},
            {"0": ["variables.file"]},
            {"0": ("a.txt", b"alpha", "text/plain")},
        ),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {"upload": {"filename": "a.txt", "contentType": "text/plain", "content": "alpha"}}
    }


ONE_FILE = {"0": ("a.txt", b"alpha", "text/plain")}
FILE_OPS = {"query": UPLOAD, "variables": {"file": None}}


@pytest.mark.parametrize(
    ("operations", "files_map", "files", "status", "fragment"),
    [
        (None, {"0": ["variables.file"]}, ONE_FILE, 400, "no 'operations' field"),
        (FILE_OPS, None, ONE_FILE, 400, "no 'map' field"),
        ("{nope", {"0": ["variables.file"]}, ONE_FILE, 400, "'operations' field is not valid JSON"),
        (FILE_OPS, ["variables.file"], ONE_FILE, 400, "'map' field must be a JSON object"),
        (
            FILE_OPS,
            {"0": "variables.file"},
            ONE_FILE,
            400,
            "must be a non-empty array of path strings",
        ),
        (FILE_OPS, {"0": ["variables.nowhere"]}, ONE_FILE, 400, "does not exist"),
        (FILE_OPS, {}, ONE_FILE, 400, "not named in the 'map' field"),
        (
            FILE_OPS,
            {"0": ["variables.file"], "1": ["variables.file"]},
            ONE_FILE,
            400,
            "not received",
        ),
        (
            FILE_OPS,
            {"0": ["variables.file"]},
            {"0": ("big.bin", b"x" * 5000, "application/octet-stream")},
            413,
            "",
        ),
    ],
)
async def test_broken_multipart(
    http: httpx.AsyncClient,
    url: str,
    operations: Any,
    files_map: Any,
    files: dict[str, Any],
    status: int,
    fragment: str,
) -> None:
    body = multipart(operations, files_map, files)
    body["data"] = {k: v for k, v in body["data"].items() if v != "null"}
    response = await http.post(url, **body)
    assert response.status_code == status, response.text
    assert fragment in message(response)
    assert (await http.post(url, json={"query": "{ hello }"})).status_code == 200


async def test_malformed_multipart_body(http: httpx.AsyncClient, url: str) -> None:
    response = await http.post(
        url,
        content=b"--b\r\nContent-Disposition: form-data\r\n\r\nno end",
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400
    assert message(response)


async def test_csrf_guard_over_the_wire(http: httpx.AsyncClient, make_app: AppFactory) -> None:
    app = RequirePreflightMiddleware(make_app(execute_get_queries=True))
    async with run_server("graphqlwire", app) as base:
        response = await http.post(base, **multipart(FILE_OPS, {"0": ["variables.file"]}, ONE_FILE))
        assert response.status_code == 400
        assert "CSRF" in message(response)
        response = await http.post(
            base,
            headers={"graphql-require-preflight": "1"},
            **multipart(FILE_OPS, {"0": ["variables.file"]}, ONE_FILE),
        )
        assert response.json()["data"]["upload"]["content"] == "alpha"


# --- a real GraphQL client ------------------------------------------------------------------


async def test_gql_client(url: str) -> None:
    transport = HTTPXAsyncTransport(url=url, timeout=5)
    async with Client(transport=transport) as session:
        assert await session.execute(gql("{ hello }")) == {"hello": "Hello, world!"}

        echo = gql("mutation Echo($text: String!) { echo(text: $text) }")
        echo.variable_values = {"text": "héllo"}
        assert await session.execute(echo) == {"echo": "héllo"}

        upload = gql(UPLOAD)
        upload.variable_values = {
            "file": FileVar(io.BytesIO(b"one"), filename="one.txt", content_type="text/plain")
        }
        result = await session.execute(upload, upload_files=True)
        assert result == {
            "upload": {"filename": "one.txt", "contentType": "text/plain", "content": "one"}
        }

        many = gql(UPLOAD_MANY)
        many.variable_values = {
            "files": [
                FileVar(io.BytesIO(b"first"), filename="1.txt", content_type="text/plain"),
                FileVar(io.BytesIO(b"second"), filename="2.csv", content_type="text/csv"),
            ]
        }
        result = await session.execute(many, upload_files=True)
        assert result == {
            "uploadMany": [
                {"filename": "1.txt", "contentType": "text/plain", "content": "first"},
                {"filename": "2.csv", "contentType": "text/csv", "content": "second"},
            ]
        }


async def test_default_app_serves_schema_from_graphqlwire_server(
    http: httpx.AsyncClient, schema: Any
) -> None:
    async with run_server("graphqlwire", GraphQL(schema)) as base:
        response = await http.post(base, json={"query": "{ hello }"})
        assert response.json() == {"data": {"hello": "Hello, world!"}}


# --- WebSocket dispatch of the default app --------------------------------------------------


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    ("subprotocol", "init", "start", "result_type"),
    [
        ("graphql-transport-ws", "connection_init", "subscribe", "next"),
        ("graphql-ws", "connection_init", "start", "data"),
    ],
)
async def test_default_app_speaks_both_websocket_subprotocols(
    make_app: AppFactory, server: str, subprotocol: str, init: str, start: str, result_type: str
) -> None:
    from websockets.asyncio.client import connect

    async with run_server(server, make_app()) as base:
        ws_url = base.replace("http://", "ws://") + "/graphql"
        async with connect(ws_url, subprotocols=[subprotocol], open_timeout=5) as ws:  # type: ignore[list-item]
            assert ws.subprotocol == subprotocol
            await ws.send(json.dumps({"type": init}))
            assert json.loads(await ws.recv(decode=True))["type"] == "connection_ack"
            payload = {"query": "query ($n: String) { hello(name: $n) }", "variables": {"n": "ws"}}
            await ws.send(json.dumps({"type": start, "id": "1", "payload": payload}))
            message = json.loads(await ws.recv(decode=True))
            assert message == {
                "type": result_type,
                "id": "1",
                "payload": {"data": {"hello": "Hello, ws!"}},
            }
            assert json.loads(await ws.recv(decode=True)) == {"type": "complete", "id": "1"}
