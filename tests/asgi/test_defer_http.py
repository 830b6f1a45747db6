"""``@defer``/``@stream`` over HTTP (``multipart/mixed``) on real sockets.

On graphqlwire's server and under uvicorn. The payloads are read by a real multipart
reader (``meros``, in ``tests/js/defer-meros.mjs``) and compared with what graphql-js 17's
own incremental executor produces for the same schema and document
(``tests/js/defer-execute.mjs``); the exact bytes are read with httpx.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx
import pytest

from graphqlwire import make_executable_schema
from graphqlwire.asgi import GraphQL
from graphqlwire.http._incremental import multipart_format
from tests.node import run_node

from .servers import run_server
from .test_defer_schema import SDL, defer_schema, root_value

SERVERS = ("graphqlwire", "uvicorn")
MULTIPART = "multipart/mixed, application/json"
DEFER_SLOW = "{ hello ... @defer { slow } }"

#: Operations whose payloads come in an order their structure decides (no racing timers).
OPERATIONS: list[dict[str, Any]] = [
    {"query": DEFER_SLOW},
    {"query": "{ person { name friends @stream(initialCount: 1) { name ... @defer { age } } } }"},
    {"query": "{ numbers @stream(initialCount: 0) }"},
    # a non-null error inside deferred fragments: each fragment is nulled, with its path
    {"query": '{ people @stream { name ... @defer(label: "b") { bad } } }'},
    {"query": "{ ... @defer { failNonNull } hello }"},
    # a nullable error in a nested deferred fragment
    {"query": '{ hello ... @defer { slow ... @defer(label: "inner") { fail } } }'},
    {"query": "{ asyncNumbers @stream(initialCount: 1) person { name } }"},
    {
        "query": 'query($d: Boolean!) { hello ... @defer(if: $d, label: "v") { slow } }',
        "variables": {"d": True},
    },
]


def flattened(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """The payloads with the later ones merged: how graphql-js and graphql-core batch what
    completes at the same moment may differ, what is delivered, and in which order, not."""
    first, *later = payloads
    merged: dict[str, list[Any]] = {"pending": [], "incremental": [], "completed": []}
    for payload in later:
        for key, entries in merged.items():
            entries.extend(payload.get(key, ()))
    has_next = [payload["hasNext"] for payload in later]
    return {"first": first, **merged, "hasNext": has_next[-1:], "later": len(later) > 0}


@pytest.fixture(scope="module")
def graphql_js() -> list[list[dict[str, Any]]]:
    """graphql-js 17's payloads for each of ``OPERATIONS`` (one Node run per module)."""
    return asyncio.run(run_node("defer-execute.mjs", json.dumps(OPERATIONS)))  # type: ignore[no-any-return]


@pytest.fixture(params=SERVERS)
async def url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    app = GraphQL(defer_schema(), root_value=root_value())
    async with run_server(request.param, app) as base:
        yield base + "/"


async def read_with_meros(url: str, *requests: dict[str, Any]) -> list[dict[str, Any]]:
    return await run_node(  # type: ignore[no-any-return]
        "defer-meros.mjs", json.dumps({"url": url, "requests": list(requests)})
    )


APOLLO = "multipart/mixed;deferSpec=20220824, application/json"
#: What else the meros test asks, after ``OPERATIONS`` (one Node run per server).
MORE_REQUESTS: list[dict[str, Any]] = [
    {**OPERATIONS[0], "accept": APOLLO},
    {**OPERATIONS[5], "accept": APOLLO},
    {"query": "{ hello }", "accept": MULTIPART},
    {"query": "{ hello }", "accept": "multipart/mixed"},
    {"query": "{ asyncNumbers @stream(initialCount: 1) }", "accept": APOLLO},
]


async def test_meros_reads_the_payloads_graphql_js_17_produces(
    url: str, graphql_js: list[list[dict[str, Any]]]
) -> None:
    responses = await read_with_meros(url, *OPERATIONS, *MORE_REQUESTS)
    ours = responses[: len(OPERATIONS)]
    for operation, response, expected in zip(OPERATIONS, ours, graphql_js, strict=True):
        assert response["status"] == 200, operation
        assert response["contentType"] == 'multipart/mixed; boundary="-"'
        assert all(part["json"] for part in response["parts"])
        assert {part["headers"]["content-type"] for part in response["parts"]} == {
            "application/json; charset=utf-8"
        }
        payloads = [part["body"] for part in response["parts"]]
        assert flattened(payloads) == flattened(expected), operation["query"]
        assert [payload["hasNext"] for payload in payloads[1:]][-1] is False
        assert all(payload["hasNext"] for payload in payloads[1:-1])
    check_non_null_error_nulls_each_deferred_fragment(ours[3])
    apollo_plain, apollo_nested, json_result, multipart_only, apollo_stream = responses[
        len(OPERATIONS) :
    ]
    check_apollo_format(apollo_plain, apollo_nested)
    check_single_results(json_result, multipart_only)
    check_apollo_stream(apollo_stream)


def check_non_null_error_nulls_each_deferred_fragment(response: dict[str, Any]) -> None:
    first, *later = [part["body"] for part in response["parts"]]
    assert first["data"] == {"people": []}
    completed = [entry for payload in later for entry in payload.get("completed", ())]
    failures = [entry for entry in completed if "errors" in entry]
    assert [error["path"] for entry in failures for error in entry["errors"]] == [
        ["people", 0, "bad"],
        ["people", 1, "bad"],
    ]


def check_apollo_format(plain: dict[str, Any], nested: dict[str, Any]) -> None:
    """Apollo Client's ``deferSpec=20220824``: paths and labels, no ids."""
    assert [part["body"] for part in plain["parts"]] == [
        {"data": {"hello": "world"}, "hasNext": True},
        {"incremental": [{"data": {"slow": "slow"}, "path": []}], "hasNext": False},
    ]
    later = [part["body"] for part in nested["parts"][1:]]
    entries = [entry for payload in later for entry in payload.get("incremental", ())]
    assert {"data": {"slow": "slow"}, "path": []} in entries
    [inner] = [entry for entry in entries if entry.get("label") == "inner"]
    assert inner["data"] == {"fail": None}
    assert inner["errors"][0]["path"] == ["fail"]
    assert later[-1]["hasNext"] is False
    assert all("pending" not in payload and "completed" not in payload for payload in later)


def check_apollo_stream(response: dict[str, Any]) -> None:
    """Streamed items in Apollo's format: placed by their index in the list."""
    first, *later = [part["body"] for part in response["parts"]]
    assert first == {"data": {"asyncNumbers": [1]}, "hasNext": True}
    entries = [entry for payload in later for entry in payload.get("incremental", ())]
    placed = [(entry["path"], entry["items"]) for entry in entries]
    assert placed == [(["asyncNumbers", 1], [2]), (["asyncNumbers", 2], [3])]
    assert later[-1]["hasNext"] is False


def check_single_results(json_result: dict[str, Any], multipart_only: dict[str, Any]) -> None:
    """A single result stays JSON, unless the client accepts only ``multipart/mixed``."""
    assert json_result["contentType"] == "application/json; charset=utf-8"
    assert json.loads(json_result["body"]) == {"data": {"hello": "world"}}
    assert multipart_only["contentType"] == 'multipart/mixed; boundary="-"'
    assert [part["body"] for part in multipart_only["parts"]] == [{"data": {"hello": "world"}}]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, None),
        ("application/json", None),
        ("*/*", None),
        ("multipart/*", None),
        ("multipart/mixed", "graphql-js"),
        ("multipart/mixed;q=0, application/json", None),
        ('multipart/mixed; deferSpec="20220824", application/json', "apollo"),
        ("multipart/mixed;deferSpec=20220824;q=0.5, multipart/mixed", "graphql-js"),
        ("multipart/mixed;deferSpec=20220824, multipart/mixed;q=0.5", "apollo"),
    ],
)
def test_the_payload_format_is_negotiated_from_accept(
    accept: str | None, expected: str | None
) -> None:
    assert multipart_format(accept) == expected


async def test_the_multipart_body_is_framed_as_the_incremental_delivery_rfc_says(url: str) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.post(url, json={"query": DEFER_SLOW}, headers={"accept": MULTIPART})
    part = b"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
    assert response.status_code == 200
    assert response.headers["content-type"] == 'multipart/mixed; boundary="-"'
    assert response.headers["cache-control"] == "no-cache"
    assert response.content == (
        b"---"
        + part
        + b'{"data":{"hello":"world"},"pending":[{"id":"0","path":[]}],"hasNext":true}'
        b"\r\n---" + part + b'{"incremental":[{"data":{"slow":"slow"},"id":"0"}],'
        b'"completed":[{"id":"0"}],"hasNext":false}'
        b"\r\n-----\r\n"
    )


@pytest.mark.parametrize("accept", ["application/json", "*/*", "application/graphql-response+json"])
async def test_a_client_without_multipart_gets_406_naming_the_directives(
    url: str, accept: str
) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        refused = await client.post(url, json={"query": DEFER_SLOW}, headers={"accept": accept})
        plain = await client.post(url, json={"query": "{ hello }"}, headers={"accept": accept})
        off = await client.post(
            url,
            json={"query": "{ hello ... @defer(if: false) { slow } }"},
            headers={"accept": accept},
        )
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/json; charset=utf-8"
    [error] = refused.json()["errors"]
    assert "@defer" in error["message"] and "@stream" in error["message"]
    assert "multipart/mixed" in error["message"]
    assert plain.status_code == 200 and plain.json() == {"data": {"hello": "world"}}
    assert off.status_code == 200 and off.json() == {"data": {"hello": "world", "slow": "slow"}}


@pytest.mark.parametrize("server", SERVERS)
async def test_get_queries_stream_too(server: str) -> None:
    app = GraphQL(defer_schema(), root_value=root_value(), execute_get_queries=True)
    async with run_server(server, app) as base, httpx.AsyncClient(timeout=5) as client:
        response = await client.get(
            base + "/", params={"query": DEFER_SLOW}, headers={"accept": MULTIPART}
        )
    assert response.status_code == 200
    assert response.headers["content-type"] == 'multipart/mixed; boundary="-"'
    assert response.content.endswith(b'"hasNext":false}\r\n-----\r\n')


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            '{ ... @defer(label: "a") { hello } ... @defer(label: "a") { slow } }',
            "Defer/Stream directive label argument must be unique.",
        ),
        ("{ hello @stream }", "Stream directive cannot be used on non-list field 'hello'"),
    ],
)
async def test_misused_directives_get_a_400_with_the_validation_error(
    url: str, query: str, message: str
) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.post(url, json={"query": query}, headers={"accept": MULTIPART})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith(message)


async def test_a_negative_initial_count_is_a_field_error(url: str) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.post(
            url,
            json={"query": "{ hello numbers @stream(initialCount: -1) }"},
            headers={"accept": MULTIPART},
        )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"hello": "world", "numbers": None}
    assert body["errors"][0]["message"] == "initialCount must be a positive integer"


@pytest.mark.parametrize("server", SERVERS)
async def test_defer_on_a_schema_without_the_directive_is_a_400(server: str) -> None:
    app = GraphQL(make_executable_schema(SDL), root_value=root_value())
    async with run_server(server, app) as base, httpx.AsyncClient(timeout=5) as client:
        response = await client.post(
            base + "/", json={"query": DEFER_SLOW}, headers={"accept": MULTIPART}
        )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Unknown directive '@defer'."


class Gate:
    """Lets a test hold a deferred resolver until it has read the first part, and see the
    stream source close."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.streaming = asyncio.Event()
        self.closed = asyncio.Event()


def gated_app(gate: Gate) -> GraphQL:
    async def held(*_: Any) -> str:
        await gate.open.wait()
        return "held"

    async def endless(*_: Any) -> AsyncGenerator[int, None]:
        try:
            yield 0
            gate.streaming.set()
            await asyncio.Event().wait()  # never set: only closing the stream ends this
            yield 1
        finally:
            gate.closed.set()

    schema = make_executable_schema(
        "type Query { hello: String, held: String, endless: [Int!]! }",
        {"Query": {"hello": lambda *_: "world", "held": held, "endless": endless}},
        defer_stream=True,
    )
    return GraphQL(schema)


@pytest.mark.parametrize("server", SERVERS)
async def test_the_first_part_arrives_before_the_deferred_work_is_done(server: str) -> None:
    gate = Gate()
    query = "{ hello ... @defer { held } }"
    async with run_server(server, gated_app(gate)) as base, httpx.AsyncClient(timeout=5) as client:
        request = client.build_request(
            "POST", base + "/", json={"query": query}, headers={"accept": MULTIPART}
        )
        response = await client.send(request, stream=True)
        chunks = response.aiter_raw()
        received = b""
        while b'"hasNext":true}\r\n---' not in received:
            received += await asyncio.wait_for(anext(chunks), 5)
        assert b"held" not in received
        gate.open.set()
        async for chunk in chunks:
            received += chunk
        await response.aclose()
    assert received.endswith(b'"completed":[{"id":"0"}],"hasNext":false}\r\n-----\r\n')


@pytest.mark.parametrize("server", SERVERS)
async def test_a_client_leaving_mid_stream_closes_the_stream_source(server: str) -> None:
    gate = Gate()
    query = "{ hello endless @stream(initialCount: 1) }"
    async with run_server(server, gated_app(gate)) as base:
        [response] = await read_with_meros(base + "/", {"query": query, "abortAfter": 1})
        assert [part["body"]["data"] for part in response["parts"]] == [
            {"hello": "world", "endless": [0]}
        ]
        await asyncio.wait_for(gate.closed.wait(), 1)
