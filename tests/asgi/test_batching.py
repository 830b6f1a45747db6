"""Batched requests through the ASGI app: JSON arrays and multipart operations arrays."""

from __future__ import annotations

import json
from typing import Any

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHTTPHandler
from tests.testclient import ASGIClient


def _app(schema: Any, **handler_options: Any) -> ASGIClient:
    return ASGIClient(GraphQL(schema, http_handler=GraphQLHTTPHandler(**handler_options)))


async def test_json_batch_runs_in_order_with_errors_per_operation(schema: Any) -> None:
    batch = [
        {"query": '{ hello(name: "a") }'},
        {"query": "mutation($t: String!) { echo(text: $t) }", "variables": {"t": "b"}},
        {"query": "{ nope }"},
        {"query": 5},
    ]
    response = await _app(schema, max_batch_size=10).post("/", json=batch)
    assert response.status == 200
    body = response.json()
    assert len(body) == 4
    assert body[1] == {"data": {"echo": "b"}}
    assert "data" in body[0] and "errors" not in body[0]
    assert body[2]["errors"][0]["message"] == "Cannot query field 'nope' on type 'Query'."
    assert body[3] == {"errors": [{"message": "'query' must be a string, not a number."}]}


async def test_batch_limits_and_refusal(schema: Any) -> None:
    too_many = [{"query": "{ hello }"}] * 3
    response = await _app(schema, max_batch_size=2).post("/", json=too_many)
    assert response.status == 400
    assert "at most 2 are accepted" in response.json()["errors"][0]["message"]
    refused = await _app(schema).post("/", json=[{"query": "{ hello }"}])  # (off by default)
    assert refused.status == 400
    assert refused.json() == {
        "errors": [
            {
                "message": "Batched requests (a JSON array of operations) are off on this "
                "server: send one operation per request, or turn batches on with "
                "max_batch_size (--max-batch-size on the command line)."
            }
        ]
    }
    failed = await _app(schema, max_batch_size=10).post("/", json=[{"query": "{ nope }"}])
    assert failed.status == 400


async def test_multipart_batch_gets_each_file_in_its_operation(schema: Any) -> None:
    boundary = "b0undary"
    operations = [
        {
            "query": "mutation($f: Upload!) { upload(file: $f) { filename } }",
            "variables": {"f": None},
        },
        {
            "query": "mutation($f: Upload!) { upload(file: $f) { filename } }",
            "variables": {"f": None},
        },
    ]
    parts = [
        ("operations", None, json.dumps(operations).encode()),
        ("map", None, json.dumps({"0": ["0.variables.f"], "1": ["1.variables.f"]}).encode()),
        ("0", "first.txt", b"1"),
        ("1", "second.txt", b"2"),
    ]
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += (
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    response = await _app(schema, max_batch_size=10).post(
        "/", body=body, headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status == 200, response.body
    assert [r["data"]["upload"]["filename"] for r in response.json()] == ["first.txt", "second.txt"]
