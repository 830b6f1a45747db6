"""One body limit: graphqlwire's app follows the server's max_body_size, one JSON answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHTTPHandler
from graphqlwire.demo import schema
from graphqlwire.http._rules import DEFAULT_MAX_BODY_SIZE, SERVER_BODY_LIMIT, BodyLimit, body_limit
from graphqlwire.server import Server
from graphqlwire.server.scope import BODY_LIMIT_KEY

SERVER = {"port": 0, "log_level": None, "lifespan": "off"}


def padded(size: int) -> bytes:
    """A `{ hello }` request of exactly `size` bytes of JSON."""
    empty = json.dumps({"query": "{ hello }", "variables": {"pad": ""}})
    return json.dumps(
        {"query": "{ hello }", "variables": {"pad": "x" * (size - len(empty))}}
    ).encode()


def too_large(limit: int) -> dict[str, Any]:
    return {"errors": [{"message": f"Request body is larger than the limit of {limit} bytes."}]}


async def post(url: str, body: bytes | Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        headers = {"content-type": "application/json"}
        return await client.post(url + "/", content=body, headers=headers)


async def test_the_server_limit_answers_json_whether_announced_or_streamed() -> None:
    async def chunks() -> Any:
        for _ in range(3):
            yield b" " * 1000

    async with Server(GraphQL(schema), max_body_size=2048, **SERVER) as server:
        announced = await post(server.url, padded(3000))
        streamed = await post(server.url, chunks())  # chunked: no Content-Length
        fine = await post(server.url, padded(2048))
    for response in (announced, streamed):
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/json"
        assert response.json() == too_large(2048)
    assert fine.status_code == 200


async def test_raising_the_server_limit_raises_the_app_s() -> None:
    body = padded(DEFAULT_MAX_BODY_SIZE + 1000)  # over the app's limit under other servers
    async with Server(
        GraphQL(schema), max_body_size=DEFAULT_MAX_BODY_SIZE + 4096, **SERVER
    ) as server:
        response = await post(server.url, body)
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "Hello, world!"}}


async def test_an_app_limit_of_its_own_still_applies() -> None:
    app = GraphQL(schema, http_handler=GraphQLHTTPHandler(max_body_size=1000))
    async with Server(app, max_body_size=2048, **SERVER) as server:
        response = await post(server.url, padded(1500))
    assert response.status_code == 413
    assert response.json() == too_large(1000)


@pytest.mark.parametrize(
    ("scope", "limit"),
    [
        ({"extensions": {SERVER_BODY_LIMIT: 123}}, 123),
        ({"extensions": {}}, DEFAULT_MAX_BODY_SIZE),  # another server
        ({"extensions": None}, DEFAULT_MAX_BODY_SIZE),
        ({}, DEFAULT_MAX_BODY_SIZE),
        ({"extensions": {SERVER_BODY_LIMIT: "lots"}}, DEFAULT_MAX_BODY_SIZE),
    ],
)
def test_the_limit_the_app_applies(scope: dict[str, Any], limit: int) -> None:
    assert body_limit(BodyLimit.FROM_SERVER, scope) == limit
    assert body_limit(77, scope) == 77
    assert body_limit(None, scope) is None


def test_the_server_and_the_app_name_the_extension_alike() -> None:
    assert BODY_LIMIT_KEY == SERVER_BODY_LIMIT
