"""``GraphQLMiddleware``: serve a GraphQL WSGI app on one path of another WSGI app.

Requests whose ``PATH_INFO`` is the GraphQL path go to the GraphQL app, everything else to
the wrapped app (Django, Flask, ...). The path matches with or without its trailing slash
(``/graphql/`` and ``/graphql`` both reach GraphQL): a client posting to ``/graphql``
would otherwise get the framework's redirect or 404, and a redirect drops the POST body.
Paths below it (``/graphql/other``) are not GraphQL's and go to the wrapped app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphql import GraphQLSchema

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class GraphQLMiddleware:
    """Route requests for `path` to `graphql_app` and every other request to `app`.

    # Required arguments

    `app`: the WSGI application to wrap.

    `graphql_app`: the GraphQL WSGI application (`graphqlwire.wsgi.GraphQL` or any WSGI
    callable, such as one wrapped in other middleware).

    # Optional arguments

    `path`: where GraphQL is served, `"/graphql/"` by default; it must start with `/`.

    Raises `TypeError` for an argument of the wrong type and `ValueError` for a bad path,
    at construction rather than on the first request.
    """

    def __init__(self, app: WSGIApp, graphql_app: WSGIApp, path: str = "/graphql/") -> None:
        if not callable(app):
            raise TypeError(
                "GraphQLMiddleware's first argument must be the WSGI application to wrap, "
                f"got {type(app).__name__}."
            )
        if isinstance(graphql_app, GraphQLSchema):
            raise TypeError(
                "GraphQLMiddleware's second argument must be a GraphQL WSGI application, "
                "not a schema: pass graphqlwire.wsgi.GraphQL(schema)."
            )
        if not callable(graphql_app):
            raise TypeError(
                "GraphQLMiddleware's second argument must be a GraphQL WSGI application "
                f"such as graphqlwire.wsgi.GraphQL(schema), got {type(graphql_app).__name__}."
            )
        if not isinstance(path, str):
            raise TypeError(f"GraphQLMiddleware's path must be a str, got {type(path).__name__}.")
        if not path.startswith("/"):
            raise ValueError(f"GraphQLMiddleware's path must start with '/', got {path!r}.")
        self.app = app
        self.graphql_app = graphql_app
        self.path = path
        self._paths = frozenset({path, path.rstrip("/") or "/"})

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Send the request to the GraphQL app or to the wrapped app, by ``PATH_INFO``."""
        if (environ.get("PATH_INFO") or "/") in self._paths:
            return self.graphql_app(environ, start_response)
        return self.app(environ, start_response)
