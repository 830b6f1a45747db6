"""``GraphQLMiddleware``: routing by path and argument checks at construction."""

from __future__ import annotations

from typing import Any

import pytest

from graphqlwire.wsgi import GraphQL, GraphQLMiddleware
from tests.wsgi.helpers import SCHEMA, call, post_json


def other_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = f"other app: {environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def graphql_app() -> GraphQL:
    return GraphQL(SCHEMA)


def test_default_path_goes_to_graphql(graphql_app: GraphQL) -> None:
    app = GraphQLMiddleware(other_app, graphql_app)
    assert app.path == "/graphql/"
    result = post_json(app, {"query": "{ hello }"}, path="/graphql/")
    assert result.json() == {"data": {"hello": "Hello, world!"}}


def test_path_without_trailing_slash_also_goes_to_graphql(graphql_app: GraphQL) -> None:
    """Decision: "/graphql" matches "/graphql/" (a redirect would drop the POST body)."""
    app = GraphQLMiddleware(other_app, graphql_app)
    assert post_json(app, {"query": "{ hello }"}, path="/graphql").code == 200


@pytest.mark.parametrize("path", ["/", "/admin/", "/graphql/sub", "/graphqlx", "/GRAPHQL/"])
def test_other_paths_go_to_the_wrapped_app(graphql_app: GraphQL, path: str) -> None:
    result = call(GraphQLMiddleware(other_app, graphql_app), "GET", path)
    assert result.body == f"other app: {path}".encode()


def test_custom_path(graphql_app: GraphQL) -> None:
    app = GraphQLMiddleware(other_app, graphql_app, "/graphql-v2/")
    assert post_json(app, {"query": "{ hello }"}, path="/graphql-v2/").code == 200
    assert call(app, "GET", "/graphql/").body == b"other app: /graphql/"


def test_custom_path_without_trailing_slash(graphql_app: GraphQL) -> None:
    app = GraphQLMiddleware(other_app, graphql_app, "/api")
    assert post_json(app, {"query": "{ hello }"}, path="/api").code == 200
    assert call(app, "GET", "/api/").body == b"other app: /api/"


def test_root_path(graphql_app: GraphQL) -> None:
    app = GraphQLMiddleware(other_app, graphql_app, "/")
    assert post_json(app, {"query": "{ hello }"}, path="/").code == 200
    assert call(app, "GET", "/x").body == b"other app: /x"


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("not an app", GraphQL(SCHEMA)), TypeError, "first argument must be the WSGI application"),
        ((other_app, None), TypeError, "second argument must be a GraphQL WSGI application"),
        ((other_app, SCHEMA), TypeError, r"not a schema: pass graphqlwire.wsgi.GraphQL\(schema\)"),
        ((other_app, GraphQL(SCHEMA), b"/graphql/"), TypeError, "path must be a str"),
        ((other_app, GraphQL(SCHEMA), "graphql/"), ValueError, "must start with '/'"),
        ((other_app, GraphQL(SCHEMA), ""), ValueError, "must start with '/'"),
    ],
)
def test_bad_arguments_fail_at_construction(
    args: tuple[Any, ...], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        GraphQLMiddleware(*args)
