"""graphqlwire's ASGI app (`graphqlwire.asgi.GraphQL`) serving the benchmark schema.

Imported as `app_graphqlwire:app`.

Served by uvicorn+httptools to show that the gains live in the app, not only in the server.
The default websocket handler negotiates graphql-transport-ws.
"""

from __future__ import annotations

from app_core import schema

from graphqlwire.asgi import GraphQL

app = GraphQL(schema)
