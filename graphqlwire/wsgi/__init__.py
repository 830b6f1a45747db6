"""graphqlwire for WSGI: the ``GraphQL`` app, ``GraphQLMiddleware`` and a ``wsgiref`` server.

``GraphQL(schema, **options)`` serves queries and mutations with ``graphql_sync`` and the
same HTTP behaviour as the ASGI app; ``GraphQLMiddleware(app, graphql_app, path)`` mounts
it on one path of another WSGI app (or serves a schema given in its place);
``serve(app, host, port)`` runs either on a threaded ``wsgiref`` server that also reads
chunked (streamed) bodies, for development (use gunicorn or uWSGI in production).
"""

from __future__ import annotations

from .app import GraphQL
from .middleware import GraphQLMiddleware
from .serve import make_server, serve

__all__ = ["GraphQL", "GraphQLMiddleware", "make_server", "serve"]
