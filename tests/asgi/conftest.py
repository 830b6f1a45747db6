"""Shared fixtures of the ASGI app tests: a schema with queries, mutations and uploads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from typing import Any

import pytest
from graphql import GraphQLResolveInfo, GraphQLSchema

from graphqlwire.asgi import GraphQL
from graphqlwire.schema import make_executable_schema
from tests.testclient import ASGIClient

TYPE_DEFS = """
scalar Upload

type Query {
  hello(name: String = "world"): String!
  fail: String
  failHard: String!
  partial: Partial
  context: String
  root: String
  method: String
}

type Partial {
  ok: String
  broken: String
}

type Mutation {
  echo(text: String!): String!
  upload(file: Upload!): File!
  uploadMany(files: [Upload!]!): [File!]!
}

type File {
  filename: String
  contentType: String
  content: String!
}

type Subscription {
  tick: Int!
}
"""


def _fail(*_: Any) -> None:
    raise ValueError("resolver failed")


async def _file(upload: Any) -> dict[str, Any]:
    content = await upload.read()
    return {
        "filename": upload.filename,
        "contentType": upload.content_type,
        "content": content.decode(),
    }


async def _upload_many(*_: Any, files: list[Any]) -> list[dict[str, Any]]:
    return [await _file(upload) for upload in files]


async def _tick(*_: Any) -> AsyncGenerator[int, None]:
    yield 1
    await asyncio.sleep(0)


def _context(_: Any, info: GraphQLResolveInfo) -> str:
    context = info.context
    return str(context.get("value") if isinstance(context, dict) else context)


def _method(_: Any, info: GraphQLResolveInfo) -> str:
    return str(info.context["request"].method)


RESOLVERS: dict[str, Any] = {
    "Query": {
        "hello": lambda _, __, name: f"Hello, {name}!",
        "fail": _fail,
        "failHard": _fail,
        "partial": lambda *_: {"ok": "fine"},
        "context": _context,
        "root": lambda root, _: str(root),
        "method": _method,
    },
    "Partial": {"broken": _fail},
    "Mutation": {
        "echo": lambda _, __, text: text,
        "upload": lambda _, __, file: _file(file),
        "uploadMany": _upload_many,
    },
    "Subscription": {"tick": {"subscribe": _tick}},
}


@pytest.fixture(scope="session")
def schema() -> GraphQLSchema:
    return make_executable_schema(TYPE_DEFS, RESOLVERS)


AppFactory = Callable[..., GraphQL]


@pytest.fixture
def make_app(schema: GraphQLSchema) -> AppFactory:
    """Build a ``GraphQL`` app on the test schema with the given options."""

    def factory(**options: Any) -> GraphQL:
        return GraphQL(schema, **options)

    return factory


@pytest.fixture
def client(make_app: AppFactory) -> ASGIClient:
    return ASGIClient(make_app(execute_get_queries=True))
