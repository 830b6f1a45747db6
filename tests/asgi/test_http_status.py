"""The status code / media type matrix of GraphQLHTTPHandler (in-process)."""

from __future__ import annotations

from typing import Any

import pytest

from graphqlwire.asgi.handlers import GraphQLHTTPHandler
from tests.testclient import ASGIClient

from .conftest import AppFactory

GRJ = "application/graphql-response+json"
JSON = "application/json"

# (name, request body, status for application/json in "ariadne" mode, GoH status)
CASES: list[tuple[str, Any, int, int]] = [
    ("ok", {"query": "{ hello }"}, 200, 200),
    ("nullable field error", {"query": "{ fail }"}, 200, 294),
    ("partial", {"query": "{ partial { ok broken } }"}, 200, 294),
    ("data null", {"query": "{ failHard }"}, 400, 294),
    ("parse error", {"query": "{"}, 400, 400),
    ("validation", {"query": "{ nope }"}, 400, 422),
    ("not an object", "{ hello }", 400, 422),
    ("query not a string", {"query": 1}, 400, 422),
    ("missing query", {"variables": {}}, 400, 422),
    ("variables not an object", {"query": "{ hello }", "variables": [1]}, 400, 422),
    ("operationName not a string", {"query": "{ hello }", "operationName": 1}, 400, 422),
    (
        "variable coercion",
        {"query": "query ($n: String!) { hello(name: $n) }", "variables": {}},
        400,
        422,
    ),
    ("unknown operation", {"query": "query A { hello }", "operationName": "B"}, 400, 422),
    ("subscription over POST", {"query": "subscription { tick }"}, 400, 422),
]

# (Accept header, negotiated media type)
ACCEPTS: list[tuple[str | None, str]] = [
    (None, JSON),
    ("*/*", JSON),
    (JSON, JSON),
    (GRJ, GRJ),
    (f"{GRJ}, {JSON};q=0.9", GRJ),
    (f"{GRJ};q=0.5, {JSON}", JSON),
    (f"{JSON};q=0.5, {GRJ}", GRJ),
    (f"text/html, {GRJ};q=0.2, */*;q=0.1", GRJ),
]


def expected_status(media_type: str, mode: str, ariadne: int, spec: int) -> int:
    return ariadne if media_type == JSON and mode == "ariadne" else spec


@pytest.mark.parametrize("mode", ["ariadne", "spec"])
@pytest.mark.parametrize(("accept", "media_type"), ACCEPTS)
@pytest.mark.parametrize(("name", "body", "ariadne", "spec"), CASES, ids=[c[0] for c in CASES])
async def test_status_matrix(
    make_app: AppFactory,
    mode: str,
    accept: str | None,
    media_type: str,
    name: str,
    body: Any,
    ariadne: int,
    spec: int,
) -> None:
    client = ASGIClient(make_app(http_handler=GraphQLHTTPHandler(status_mode=mode)))  # type: ignore[arg-type]
    headers = {"accept": accept} if accept is not None else {}
    response = await client.post("/", json=body, headers=headers)
    assert response.status == expected_status(media_type, mode, ariadne, spec), response.text
    assert response.content_type == f"{media_type}; charset=utf-8"
    result = response.json()
    if ariadne == 200 or name in ("data null",):
        assert "data" in result
    else:
        assert "data" not in result
        assert result["errors"][0]["message"]


async def test_ok_body(client: ASGIClient) -> None:
    response = await client.post("/", json={"query": "{ hello }"})
    assert response.body == b'{"data":{"hello":"Hello, world!"}}'
    assert response.header("content-length") == str(len(response.body))


@pytest.mark.parametrize(
    "accept", ["text/html", "image/png", f"{JSON};q=0, {GRJ};q=0", "application/xml, text/*"]
)
async def test_not_acceptable_is_406_and_never_executes(make_app: AppFactory, accept: str) -> None:
    executed: list[Any] = []

    def context(request: Any) -> dict[str, Any]:
        executed.append(request)
        return {}

    client = ASGIClient(make_app(context_value=context))
    response = await client.post(
        "/", json={"query": 'mutation { echo(text: "x") }'}, headers={"accept": accept}
    )
    assert response.status == 406
    assert response.content_type == "application/json; charset=utf-8"
    assert GRJ in response.json()["errors"][0]["message"]
    assert executed == []


@pytest.mark.parametrize("mode", ["ariadne", "spec"])
@pytest.mark.parametrize("accept", [None, JSON, GRJ])
async def test_get_mutation_is_405_with_allow(
    make_app: AppFactory, mode: str, accept: str | None
) -> None:
    app = make_app(execute_get_queries=True, http_handler=GraphQLHTTPHandler(status_mode=mode))  # type: ignore[arg-type]
    headers = {"accept": accept} if accept else {}
    response = await ASGIClient(app).get(
        "/", params={"query": 'mutation { echo(text: "x") }'}, headers=headers
    )
    assert response.status == 405
    assert response.header("allow") == "POST"
    assert "POST" in response.json()["errors"][0]["message"]


async def test_get_subscription_is_refused(client: ASGIClient) -> None:
    response = await client.get("/", params={"query": "subscription { tick }"})
    assert response.status == 405
    assert response.header("allow") == "POST"
    assert "subscribe over a WebSocket" in response.json()["errors"][0]["message"]


async def test_post_subscription_is_refused_with_an_http_message(client: ASGIClient) -> None:
    response = await client.post("/", json={"query": "subscription { tick }"})
    assert response.status == 400
    message = response.json()["errors"][0]["message"]
    assert message.startswith("Subscriptions are not executed over HTTP")


@pytest.mark.parametrize(("accept", "status"), [(JSON, 200), (GRJ, 294)])
async def test_get_query_statuses(client: ASGIClient, accept: str, status: int) -> None:
    response = await client.get(
        "/", params={"query": "{ partial { ok broken } }"}, headers={"accept": accept}
    )
    assert response.status == status
    assert response.json()["data"] == {"partial": {"ok": "fine", "broken": None}}


def test_status_mode_is_checked() -> None:
    with pytest.raises(ValueError, match="status_mode"):
        GraphQLHTTPHandler(status_mode="strict")  # type: ignore[arg-type]
