"""APQ and trusted documents on the ASGI app: statuses, GET, options, manifests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHTTPHandler
from graphqlwire.execution import MemoryStore
from tests.asgi.conftest import AppFactory
from tests.testclient import ASGIClient

HELLO = '{ hello(name: "APQ") }'
ECHO = 'mutation { echo(text: "hi") }'
GRJ = "application/graphql-response+json"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}


@pytest.fixture
def app(make_app: AppFactory) -> GraphQL:
    return make_app(execute_get_queries=True, persisted_queries=MemoryStore())


@pytest.mark.parametrize("accept", ["application/json", GRJ])
async def test_apq_miss_register_and_hit_over_post(app: GraphQL, accept: str) -> None:
    client = ASGIClient(app)
    headers = {"accept": accept}
    miss = await client.post("/", json={"extensions": apq(HELLO)}, headers=headers)
    # 200 as Apollo Server answers, for every media type: Apollo clients retry on it.
    assert miss.status == 200
    assert miss.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    registered = await client.post(
        "/", json={"query": HELLO, "extensions": apq(HELLO)}, headers=headers
    )
    assert (registered.status, registered.json()) == (200, {"data": {"hello": "Hello, APQ!"}})
    hit = await client.post("/", json={"extensions": apq(HELLO)}, headers=headers)
    assert (hit.status, hit.json()) == (200, {"data": {"hello": "Hello, APQ!"}})


async def test_apq_hit_over_get_without_a_query(app: GraphQL) -> None:
    client = ASGIClient(app)
    await client.post("/", json={"query": HELLO, "extensions": apq(HELLO)})
    params = {"extensions": json.dumps(apq(HELLO))}
    response = await client.get("/", params=params, headers={"accept": "application/json"})
    assert (response.status, response.json()) == (200, {"data": {"hello": "Hello, APQ!"}})
    assert response.header("vary") == "Accept"
    # Browsers too: a URL naming a document runs it rather than showing the explorer.
    assert (await client.get("/", params=params)).json() == {"data": {"hello": "Hello, APQ!"}}


async def test_apq_over_get_follows_execute_get_queries(make_app: AppFactory) -> None:
    client = ASGIClient(make_app(persisted_queries=MemoryStore()))
    params = {"extensions": json.dumps(apq(HELLO))}
    response = await client.get("/", params=params, headers={"accept": "application/json"})
    assert response.status == 405
    assert "GET is disabled" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(("accept", "status"), [("application/json", 400), (GRJ, 422)])
async def test_a_wrong_hash_is_refused(app: GraphQL, accept: str, status: int) -> None:
    response = await ASGIClient(app).post(
        "/", json={"query": "{ method }", "extensions": apq(HELLO)}, headers={"accept": accept}
    )
    assert response.status == status
    assert "sha256Hash is not the SHA-256 of its 'query'" in response.json()["errors"][0]["message"]


async def test_an_unsupported_version_is_refused(app: GraphQL) -> None:
    extensions = {"persistedQuery": {"version": 3, "sha256Hash": sha256(HELLO)}}
    response = await ASGIClient(app).post("/", json={"extensions": extensions})
    assert response.status == 400
    assert response.json() == {
        "errors": [
            {"message": "Unsupported persisted query version 3: only version 1 is supported."}
        ]
    }


async def test_apq_off_answers_not_supported_with_200(make_app: AppFactory) -> None:
    client = ASGIClient(make_app(persisted_queries=False))
    response = await client.post("/", json={"extensions": apq(HELLO)})
    assert response.status == 200
    assert response.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_SUPPORTED"}
    with_query = await client.post("/", json={"query": HELLO, "extensions": apq(HELLO)})
    assert with_query.json() == {"data": {"hello": "Hello, APQ!"}}
    assert client.app.http_handler.persisted_queries is None  # type: ignore[attr-defined]


async def test_a_handler_configured_directly_takes_the_options(schema: GraphQLSchema) -> None:
    handler = GraphQLHTTPHandler()
    handler.configure(schema, persisted_queries=False, trusted_documents={"hi": HELLO})
    assert handler.persisted_queries is None
    response = await ASGIClient(handler.handle).post("/", json={"documentId": "hi"})
    assert response.json() == {"data": {"hello": "Hello, APQ!"}}


def write_apollo_manifest(path: Path, *bodies: str) -> Path:
    operations = [
        {"id": sha256(body), "name": f"Op{n}", "type": body.split()[0], "body": body}
        for n, body in enumerate(bodies)
    ]
    manifest = {"format": "apollo-persisted-query-manifest", "version": 1}
    path.write_text(json.dumps({**manifest, "operations": operations}))
    return path


@pytest.mark.parametrize("prefix", ["sha256:", ""])
async def test_trusted_documents_from_an_apollo_manifest(
    make_app: AppFactory, tmp_path: Path, prefix: str
) -> None:
    manifest = write_apollo_manifest(tmp_path / "manifest.json", HELLO, ECHO)
    client = ASGIClient(make_app(trusted_documents=manifest, execute_get_queries=True))
    response = await client.post("/", json={"documentId": prefix + sha256(HELLO)})
    assert (response.status, response.json()) == (200, {"data": {"hello": "Hello, APQ!"}})
    mutation = await client.post("/", json={"documentId": prefix + sha256(ECHO)})
    assert mutation.json() == {"data": {"echo": "hi"}}
    # GET names the document in the URL; a mutation is refused there (GoH: 405).
    get = await client.get("/", params={"documentId": "sha256:" + sha256(HELLO)})
    assert get.json() == {"data": {"hello": "Hello, APQ!"}}
    refused = await client.get("/", params={"documentId": "sha256:" + sha256(ECHO)})
    assert (refused.status, refused.header("allow")) == (405, "POST")


@pytest.mark.parametrize(("accept", "status"), [("application/json", 400), (GRJ, 422)])
async def test_an_unknown_document_id_is_refused(
    make_app: AppFactory, accept: str, status: int
) -> None:
    client = ASGIClient(make_app(trusted_documents={"sha256:" + sha256(HELLO): HELLO}))
    response = await client.post("/", json={"documentId": "nope"}, headers={"accept": accept})
    assert response.status == status
    assert response.json()["errors"] == [
        {
            "message": "Unknown document id 'nope': this server has no document with this id.",
            "extensions": {"code": "PERSISTED_DOCUMENT_NOT_FOUND"},
        }
    ]


@pytest.mark.parametrize("accept", ["application/json", GRJ])
async def test_only_trusted_refuses_queries_and_registrations_with_403(
    make_app: AppFactory, accept: str
) -> None:
    client = ASGIClient(make_app(trusted_documents={"hi": HELLO}, only_trusted=True))
    headers = {"accept": accept}
    for data in (
        {"query": "{ method }"},
        {"query": "{ method }", "extensions": apq("{ method }")},
        {"documentId": "nope"},
    ):
        response = await client.post("/", json=data, headers=headers)
        assert response.status == 403
        [error] = response.json()["errors"]
        assert "this server only executes trusted documents" in error["message"]
        assert error["extensions"] == {"code": "TRUSTED_DOCUMENT_REQUIRED"}
    fine = await client.post("/", json={"documentId": "hi"}, headers=headers)
    assert (fine.status, fine.json()) == (200, {"data": {"hello": "Hello, APQ!"}})


def test_a_bad_manifest_fails_when_the_app_is_built(make_app: AppFactory, tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text('{"format": "apollo-persisted-query-manifest", "version": 1}')
    with pytest.raises(ValueError, match="'operations' must be an array"):
        make_app(trusted_documents=path)
    with pytest.raises(ValueError, match="only_trusted needs trusted_documents"):
        make_app(only_trusted=True)
