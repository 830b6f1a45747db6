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
        (("not an app", GraphQL(SCHEMA)), TypeError, "app must be a callable WSGI application"),
        ((None, SCHEMA), TypeError, "app must be a callable WSGI application"),
        ((other_app, None), TypeError, "second argument must be a GraphQL WSGI application"),
        ((other_app, GraphQL(SCHEMA), b"/graphql/"), TypeError, "path must be a str"),
        ((other_app, GraphQL(SCHEMA), "graphql/"), ValueError, "must start with '/'"),
        ((other_app, GraphQL(SCHEMA), ""), ValueError, "path can't be empty"),
    ],
)
def test_bad_arguments_fail_at_construction(
    args: tuple[Any, ...], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        GraphQLMiddleware(*args)


def test_a_schema_is_served_by_a_graphql_app_with_the_options_given() -> None:
    """As Ariadne's WSGI docs show: GraphQLMiddleware(app, schema); options go to GraphQL."""
    app = GraphQLMiddleware(other_app, SCHEMA, path="/api/", execute_get_queries=True)
    assert isinstance(app.graphql_app, GraphQL)
    assert app.graphql_app.schema is SCHEMA and app.graphql_app.execute_get_queries
    assert post_json(app, {"query": "{ hello }"}, path="/api/").json() == {
        "data": {"hello": "Hello, world!"}
    }
    got = call(app, "GET", "/api/", query_string="query=%7Bhello%7D")
    assert got.json() == {"data": {"hello": "Hello, world!"}}
    assert call(app, "GET", "/other").body == b"other app: /other"
    default = GraphQLMiddleware(other_app, SCHEMA)
    assert default.path == "/graphql/"


def test_options_with_a_ready_app_are_refused() -> None:
    with pytest.raises(TypeError, match=r"GraphQL options \(debug\) with a ready app"):
        GraphQLMiddleware(other_app, GraphQL(SCHEMA), debug=True)
