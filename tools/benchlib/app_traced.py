"""graphqlwire's ASGI app with `OpenTelemetryExtension` on: what tracing costs per request.

Imported as `app_traced:app` and served by graphqlwire's own server. The global tracer
provider is the OpenTelemetry SDK's with no span processor: every span is created, timed and
ended as in production, and nothing is exported (the exporter's cost is the backend's).
"""

from __future__ import annotations

from app_core import schema
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHTTPHandler
from graphqlwire.contrib.opentelemetry import OpenTelemetryExtension

trace.set_tracer_provider(TracerProvider())
app = GraphQL(schema, http_handler=GraphQLHTTPHandler(extensions=[OpenTelemetryExtension]))
