"""The WSGI app the gunicorn tests serve: GraphQL on /graphql/ inside another app.

Validated with ``wsgiref.validate.validator``; the test runs gunicorn with ``-W error`` so a
PEP 3333 warning fails the request.
"""

from __future__ import annotations

from typing import Any
from wsgiref.validate import validator

from graphqlwire.wsgi import GraphQL, GraphQLMiddleware
from tests.wsgi.helpers import SCHEMA


def other_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A stand-in for the framework app GraphQL is mounted in."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"other"]


application = validator(GraphQLMiddleware(other_app, GraphQL(SCHEMA, max_body_size=100_000)))
