"""Strawberry's ASGI `GraphQL` app serving the benchmark schema (`app_strawberry:app`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from schema_data import count_up, make_item, resolve_hello, resolve_tree
from strawberry.asgi import GraphQL


@strawberry.type
class Item:
    """One item, the same fields and values as the SDL's `Item`."""

    id: strawberry.ID
    name: str
    price: float
    tags: list[str]


@strawberry.type
class Branch:
    """One branch of `tree(n, m)`, as the SDL's `Branch`."""

    id: strawberry.ID
    name: str
    children: list[Item]


@strawberry.type
class Query:
    """`hello`, `items(n)` and `tree(n, m)`, as in the shared SDL."""

    @strawberry.field
    def hello(self) -> str:
        return resolve_hello()

    @strawberry.field
    def items(self, n: int) -> list[Item]:
        return [Item(**make_item(index)) for index in range(n)]

    @strawberry.field
    def tree(self, n: int, m: int) -> list[Branch]:
        return [
            Branch(id=b["id"], name=b["name"], children=[Item(**c) for c in b["children"]])
            for b in resolve_tree(n, m)
        ]


@strawberry.type
class Subscription:
    """`counter(upTo)`, as in the shared SDL (Strawberry camel-cases `up_to`)."""

    @strawberry.subscription
    async def counter(self, up_to: int) -> AsyncGenerator[int, None]:
        async for value in count_up(up_to):
            yield value


schema = strawberry.Schema(query=Query, subscription=Subscription)
app = GraphQL(schema)
