"""The WSGI app's operation limits, over the threaded wsgiref server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from graphqlwire.wsgi import GraphQL
from tests.wsgi.helpers import SCHEMA, wsgiref_server


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with wsgiref_server(GraphQL(SCHEMA, max_depth=2, max_tokens=10)) as address:
        yield address


@pytest.mark.parametrize(
    ("accept", "status"),
    [("application/json", 400), ("application/graphql-response+json", 422)],
)
def test_limits_refuse_before_execution(url: str, accept: str, status: int) -> None:
    query = "{ __schema { queryType { name } } }"
    deep = httpx.post(url, json={"query": query}, headers={"accept": accept})
    assert deep.status_code == status
    [error] = deep.json()["errors"]
    assert error["message"] == "The operation is 3 fields deep, over the limit of 2 (max_depth)."
    long = httpx.post(url, json={"query": "{ " + "hello " * 10 + "}"}, headers={"accept": accept})
    assert long.status_code == status
    assert long.json()["errors"][0]["extensions"] == {
        "code": "OPERATION_LIMIT_EXCEEDED",
        "limit": "max_tokens",
    }


def test_a_document_within_the_limits_runs(url: str) -> None:
    response = httpx.post(url, json={"query": "{ hello }"})
    assert response.status_code == 200
    assert "errors" not in response.json()
