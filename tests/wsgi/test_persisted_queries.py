"""APQ and trusted documents on the WSGI app, over the threaded wsgiref server."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphqlwire.execution import MemoryStore
from graphqlwire.wsgi import GraphQL
from tests.wsgi.helpers import SCHEMA, wsgiref_server

ECHO = 'mutation { echo(text: "wsgi") }'


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}


@pytest.fixture
def serve() -> Iterator[Any]:
    """Start the given WSGI app on a threaded server; yield its URL."""
    with contextlib.ExitStack() as servers:
        yield lambda app: servers.enter_context(wsgiref_server(app))


def test_apq_miss_register_and_hit_over_post_and_get(serve: Any) -> None:
    url = serve(GraphQL(SCHEMA, execute_get_queries=True, persisted_queries=MemoryStore()))
    query = '{ hello(name: "WSGI") }'
    miss = httpx.post(url, json={"extensions": apq(query)})
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    registered = httpx.post(url, json={"query": query, "extensions": apq(query)})
    assert registered.json() == {"data": {"hello": "Hello, WSGI!"}}
    hit = httpx.post(url, json={"extensions": apq(query)})
    assert (hit.status_code, hit.json()) == (200, {"data": {"hello": "Hello, WSGI!"}})
    get = httpx.get(url, params={"extensions": json.dumps(apq(query))})
    assert (get.status_code, get.json()) == (200, {"data": {"hello": "Hello, WSGI!"}})


def test_the_store_serves_many_threads_at_once(serve: Any) -> None:
    store = MemoryStore(maxsize=8)
    url = serve(GraphQL(SCHEMA, persisted_queries=store))

    def request(n: int) -> Any:  # as Apollo Client does: the hash, then maybe the query
        query = f'{{ hello(name: "{n % 12}") }}'
        first = client.post(url, json={"extensions": apq(query)}).json()
        if "errors" in first:
            first = client.post(url, json={"query": query, "extensions": apq(query)}).json()
        return first

    with httpx.Client() as client, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(request, range(64)))
    assert results == [{"data": {"hello": f"Hello, {n % 12}!"}} for n in range(64)]
    assert len(store) == 8


def test_trusted_documents_and_only_trusted(serve: Any, tmp_path: Path) -> None:
    manifest = tmp_path / "documents.json"
    manifest.write_text(json.dumps({"sha256:" + sha256(ECHO): ECHO, "hi": "{ hello }"}))
    url = serve(GraphQL(SCHEMA, trusted_documents=manifest, only_trusted=True))
    echo = httpx.post(url, json={"documentId": sha256(ECHO)})
    assert (echo.status_code, echo.json()) == (200, {"data": {"echo": "wsgi"}})
    named = httpx.post(url, json={"documentId": "hi"})
    assert named.json() == {"data": {"hello": "Hello, world!"}}
    refused = httpx.post(url, json={"query": "{ method }"})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"] == {"code": "TRUSTED_DOCUMENT_REQUIRED"}


def test_apq_off_and_a_bad_manifest(serve: Any, tmp_path: Path) -> None:
    url = serve(GraphQL(SCHEMA, persisted_queries=False))
    response = httpx.post(url, json={"extensions": apq("{ hello }")})
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotSupported"
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ValueError, match="expected an object, not an array"):
        GraphQL(SCHEMA, trusted_documents=bad)
