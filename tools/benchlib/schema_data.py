"""The one schema every benchmarked server serves, and the answers it must give.

Each peer app (Ariadne, Strawberry, graphql-core for graphqlwire) builds this schema with its
own API but from the same data, so every server answers the same bytes modulo JSON spacing.
GraphQL Yoga (`tools/yoga/server.js`) is given `SDL` on its command line and builds the same
data in JavaScript. The prices are multiples of 1/4 and never whole, so their repr is the same
in every JSON encoder, Python's and JavaScript's alike (Python writes 2.0 where JSON.stringify
writes 2).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncGenerator
from typing import Any

SDL = """
type Query {
  hello: String!
  items(n: Int!): [Item!]!
  tree(n: Int!, m: Int!): [Branch!]!
}

type Branch {
  id: ID!
  name: String!
  children: [Item!]!
}

type Item {
  id: ID!
  name: String!
  price: Float!
  tags: [String!]!
}

type Subscription {
  counter(upTo: Int!): Int!
}
"""

HELLO_QUERY = "{ hello }"
ITEMS_QUERY = "{ items(n: 100) { id name price tags } }"
COUNTER_QUERY = "subscription ($upTo: Int!) { counter(upTo: $upTo) }"
ITEMS_N = 100
NESTED_QUERY = "{ tree(n: 50, m: 10) { id name children { id name price } } }"
TREE_N, TREE_M = 50, 10
#: Stands for a new alias in each request of the `distinct` workload: the load generators
#: (`wrk_post.lua`, `http_load.py`) put there an alias no request sent before, so no cache of
#: parsed or validated documents can help; answers are checked with any alias in its place.
ALIAS_MARK = "ALIAS"
DISTINCT_QUERY = f"{{ h{ALIAS_MARK}: hello }}"


def make_item(index: int) -> dict[str, Any]:
    """Return the `index`-th item (plain data, usable as a resolver result by every library)."""
    return {
        "id": str(index),
        "name": f"item-{index}",
        "price": index * 0.5 + 0.25,
        "tags": ["red", "blue", f"tag-{index % 7}"],
    }


def resolve_hello() -> str:
    """The `hello` field's value."""
    return "world"


def resolve_items(n: int) -> list[dict[str, Any]]:
    """The `items(n)` field's value: `n` items, built per call like a real resolver would."""
    return [make_item(index) for index in range(n)]


def make_branch(index: int, m: int) -> dict[str, Any]:
    """Return the `index`-th branch of `tree(n, m)`: plain data holding its `m` items."""
    return {
        "id": str(index),
        "name": f"branch-{index}",
        "children": [make_item(index * m + child) for child in range(m)],
    }


def resolve_tree(n: int, m: int) -> list[dict[str, Any]]:
    """The `tree(n, m)` field's value: `n` branches of `m` items each, built per call."""
    return [make_branch(index, m) for index in range(n)]


async def count_up(up_to: int) -> AsyncGenerator[int, None]:
    """The `counter(upTo)` source stream: 1..upTo with no sleeps."""
    for value in range(1, up_to + 1):
        yield value


def compact(data: Any) -> bytes:
    """JSON without spaces: how a response body is compared after stripping its whitespace."""
    return json.dumps(data, separators=(",", ":")).encode()


def post_body(query: str) -> bytes:
    """The JSON body POSTed for `query`."""
    return json.dumps({"query": query}).encode()


def apq_body(query: str, *, register: bool = False) -> bytes:
    """The JSON body of an APQ request for `query`: its SHA-256 alone, or (`register`) with
    the query too, which makes the server keep it for the requests that send the hash only."""
    persisted = {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}
    data: dict[str, Any] = {"query": query} if register else {}
    return json.dumps({**data, "extensions": {"persistedQuery": persisted}}).encode()


HELLO_RESULT: dict[str, Any] = {"data": {"hello": resolve_hello()}}
ITEMS_RESULT: dict[str, Any] = {"data": {"items": resolve_items(ITEMS_N)}}
NESTED_RESULT: dict[str, Any] = {
    "data": {
        "tree": [
            {
                "id": branch["id"],
                "name": branch["name"],
                "children": [
                    {"id": item["id"], "name": item["name"], "price": item["price"]}
                    for item in branch["children"]
                ],
            }
            for branch in resolve_tree(TREE_N, TREE_M)
        ]
    }
}
#: The `distinct` answer, `ALIAS_MARK` standing for the alias of each request.
DISTINCT_RESULT: dict[str, Any] = {"data": {f"h{ALIAS_MARK}": resolve_hello()}}
