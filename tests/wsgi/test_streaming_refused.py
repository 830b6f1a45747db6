"""The WSGI app streams nothing: clients that accept only streams get a clear 406."""

from __future__ import annotations

import httpx
import pytest

from graphqlwire.wsgi import GraphQL
from tests.wsgi.helpers import SCHEMA, call, post_json, wsgiref_server

STREAM_ONLY = [
    "text/event-stream",
    "Text/Event-Stream",
    "multipart/mixed",
    'multipart/mixed; deferSpec="20220824"',
    "multipart/mixed, text/event-stream",
]


@pytest.mark.parametrize("accept", STREAM_ONLY)
def test_post_accepting_only_streams_is_406_naming_the_asgi_app(accept: str) -> None:
    result = post_json(GraphQL(SCHEMA), {"query": "{ hello }"}, headers={"accept": accept})
    assert result.code == 406
    message = result.json()["errors"][0]["message"]
    assert "the WSGI app streams nothing" in message
    assert "graphqlwire.asgi.GraphQL" in message
    assert accept.split(",")[0].split(";")[0].lower() in message


def test_get_accepting_only_event_streams_is_406() -> None:
    app = GraphQL(SCHEMA, execute_get_queries=True)
    result = call(
        app, "GET", query_string="query=%7Bhello%7D", headers={"accept": "text/event-stream"}
    )
    assert result.code == 406
    assert "text/event-stream" in result.json()["errors"][0]["message"]
    assert result.header("vary") == "Accept"


@pytest.mark.parametrize(
    "accept",
    [
        "multipart/mixed;deferSpec=20220824, application/json",
        "text/event-stream, application/graphql-response+json;q=0.5",
        "multipart/mixed, */*;q=0.1",
    ],
)
def test_clients_that_also_accept_json_get_json(accept: str) -> None:
    result = post_json(GraphQL(SCHEMA), {"query": "{ hello }"}, headers={"accept": accept})
    assert result.code == 200
    assert result.json() == {"data": {"hello": "Hello, world!"}}


def test_other_unacceptable_types_keep_the_usual_406() -> None:
    result = post_json(GraphQL(SCHEMA), {"query": "{ hello }"}, headers={"accept": "text/html"})
    assert result.code == 406
    assert "streams nothing" not in result.json()["errors"][0]["message"]


def test_an_sse_client_over_a_real_socket_gets_406_before_the_body_is_used() -> None:
    """A graphql-sse client (distinct connections mode) posting to the WSGI app."""
    with wsgiref_server(GraphQL(SCHEMA)) as url:
        response = httpx.post(
            f"{url}/graphql/",
            json={"query": "subscription { tick }"},
            headers={"accept": "text/event-stream"},
            timeout=5,
        )
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "GraphQL over SSE" in response.json()["errors"][0]["message"]
