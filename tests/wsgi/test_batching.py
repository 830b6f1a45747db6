"""Batched JSON requests run every operation in order and answer a JSON array."""

from __future__ import annotations

import json

from graphqlwire.wsgi import GraphQL
from tests.wsgi.helpers import SCHEMA, call

JSON = {"content-type": "application/json"}


def test_json_batch_answers_one_result_per_operation_in_order() -> None:
    batch = [
        {"query": '{ hello(name: "a") }'},
        {"query": "mutation($t: String!) { echo(text: $t) }", "variables": {"t": "b"}},
        {"query": "{ nope }"},
        {"query": 5},
    ]
    app = GraphQL(SCHEMA, max_batch_size=10)
    result = call(app, "POST", body=json.dumps(batch).encode(), headers=JSON)
    assert result.code == 200
    body = result.json()
    assert body[:2] == [{"data": {"hello": "Hello, a!"}}, {"data": {"echo": "b"}}]
    assert body[2]["errors"][0]["message"] == "Cannot query field 'nope' on type 'Query'."
    assert body[3] == {"errors": [{"message": "'query' must be a string, not a number."}]}


def test_batch_of_failures_is_400_and_batches_can_be_refused() -> None:
    body = json.dumps([{"query": "{ nope }"}]).encode()
    assert call(GraphQL(SCHEMA, max_batch_size=10), "POST", body=body, headers=JSON).code == 400
    refused = call(GraphQL(SCHEMA), "POST", body=body, headers=JSON)  # (off by default)
    assert refused.code == 400
    assert "are off on this server" in refused.json()["errors"][0]["message"]
    assert "max_batch_size" in refused.json()["errors"][0]["message"]
