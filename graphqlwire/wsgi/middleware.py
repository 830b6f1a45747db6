"""``GraphQLMiddleware``: serve a GraphQL WSGI app on one path of another WSGI app.

Requests whose ``PATH_INFO`` is the GraphQL path go to the GraphQL app, everything else to
the wrapped app (Django, Flask, ...). The path matches with or without its trailing slash
(``/graphql/`` and ``/graphql`` both reach GraphQL): a client posting to ``/graphql``
would otherwise get the framework's redirect or 404, and a redirect drops the POST body.
Paths below it (``/graphql/other``) are not GraphQL's and go to the wrapped app.

As in Ariadne's WSGI docs, the second argument may be the schema itself: the middleware
then serves it with ``GraphQL(schema, **options)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphql import GraphQLSchema

from .app import GraphQL

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class GraphQLMiddleware:
    """Route requests for `path` to the GraphQL app and every other request to `app`.

    # Required arguments

    `app`: the WSGI application to wrap.

    `graphql_app`: the GraphQL WSGI application (`graphqlwire.wsgi.GraphQL` or any WSGI
    callable, such as one wrapped in other middleware), or a `GraphQLSchema`, served by
    `GraphQL(schema, **options)`.

    # Optional arguments

    `path`: where GraphQL is served, `"/graphql/"` by default; it must start with `/`.

    `**options`: with a schema, the keyword options of `graphqlwire.wsgi.GraphQL`.

    Raises `TypeError` for an argument of the wrong type and `ValueError` for a bad path,
    at construction rather than on the first request.
    """

    def __init__(
        self,
        app: WSGIApp,
        graphql_app: WSGIApp | GraphQLSchema,
        path: str = "/graphql/",
        **options: Any,
    ) -> None:
        if not callable(app):
            raise TypeError(
                "app must be a callable WSGI application: GraphQLMiddleware's first argument "
                f"is the application to wrap, got {type(app).__name__}."
            )
        self.graphql_app: WSGIApp = _graphql_app(graphql_app, options)
        if not isinstance(path, str):
            raise TypeError(f"GraphQLMiddleware's path must be a str, got {type(path).__name__}.")
        if not path:
            raise ValueError("path can't be empty: pass where GraphQL is served, e.g. '/graphql/'.")
        if not path.startswith("/"):
            raise ValueError(f"GraphQLMiddleware's path must start with '/', got {path!r}.")
        self.app = app
        self.path = path
        self._paths = frozenset({path, path.rstrip("/") or "/"})

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Send the request to the GraphQL app or to the wrapped app, by ``PATH_INFO``."""
        if (environ.get("PATH_INFO") or "/") in self._paths:
            return self.graphql_app(environ, start_response)
        return self.app(environ, start_response)


def _graphql_app(graphql_app: WSGIApp | GraphQLSchema, options: dict[str, Any]) -> WSGIApp:
    """The GraphQL WSGI app: `graphql_app` itself, or `GraphQL` serving a schema."""
    if isinstance(graphql_app, GraphQLSchema):
        return GraphQL(graphql_app, **options)
    if not callable(graphql_app):
        raise TypeError(
            "GraphQLMiddleware's second argument must be a GraphQL WSGI application "
            "such as graphqlwire.wsgi.GraphQL(schema), or a GraphQLSchema; "
            f"got {type(graphql_app).__name__}."
        )
    if options:
        raise TypeError(
            f"GraphQLMiddleware got GraphQL options ({', '.join(sorted(options))}) with a "
            "ready app: pass them to GraphQL(schema, ...), or pass the schema instead."
        )
    return graphql_app
