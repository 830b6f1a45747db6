"""``GraphQLAutoWSHandler``: both GraphQL WebSocket subprotocols on one endpoint.

The client names the protocol it speaks in ``Sec-WebSocket-Protocol``
(``scope["subprotocols"]``): ``graphql-transport-ws`` goes to a
``GraphQLTransportWSHandler``, ``graphql-ws`` to a ``GraphQLWSHandler``. A client that
offers both gets ``graphql-transport-ws`` (the maintained protocol); a handshake that
offers neither is refused with an HTTP 400 naming both (`refuse_subprotocols`), since
the server may not pick a subprotocol the client did not offer (RFC 6455 section 4.2.2).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...protocols import graphql_transport_ws, graphql_ws
from ._ws_base import refuse_subprotocols
from .base import GraphQLWebsocketHandler
from .graphql_transport_ws import GraphQLTransportWSHandler
from .graphql_ws import GraphQLWSHandler

#: The subprotocols served, the preferred one first.
SUBPROTOCOLS = (graphql_transport_ws.PROTOCOL, graphql_ws.PROTOCOL)


class GraphQLAutoWSHandler(GraphQLWebsocketHandler):
    """Serve `graphql-transport-ws` and legacy `graphql-ws` clients on one endpoint."""

    def __init__(
        self,
        *args: Any,
        connection_init_wait_timeout: timedelta = timedelta(seconds=60),
        keepalive: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Initialize the handler and the two protocol handlers it delegates to.

        # Optional arguments

        `on_connect`, `on_disconnect`, `on_operation`, `on_complete`: the hooks of
        `GraphQLWebsocketHandler`, given to both protocol handlers.

        `connection_init_wait_timeout`: how long a connection may wait before sending
        `connection_init`, on both protocols.

        `keepalive`: seconds between `ka` messages on `graphql-ws` (None: none).
        """
        super().__init__(*args, **kwargs)
        self.graphql_transport_ws_handler = GraphQLTransportWSHandler(
            *args, connection_init_wait_timeout=connection_init_wait_timeout, **kwargs
        )
        self.graphql_ws_handler = GraphQLWSHandler(
            *args,
            keepalive=keepalive,
            connection_init_wait_timeout=connection_init_wait_timeout,
            **kwargs,
        )

    @property
    def handlers(self) -> tuple[GraphQLWebsocketHandler, ...]:
        """The protocol handlers, the preferred one first."""
        return (self.graphql_transport_ws_handler, self.graphql_ws_handler)

    def configure(self, *args: Any, **kwargs: Any) -> None:
        """Configure this handler and both protocol handlers with the app's options.

        The hooks set on this handler are copied to both, so setting them after
        construction works too.

        # Optional arguments

        The options of `GraphQLWebsocketHandler.configure` (`schema`, ..., `http_handler`).
        """
        super().configure(*args, **kwargs)
        for handler in self.handlers:
            handler.configure(*args, **kwargs)
            handler.on_connect = self.on_connect
            handler.on_disconnect = self.on_disconnect
            handler.on_operation = self.on_operation
            handler.on_complete = self.on_complete

    async def handle_websocket(self, websocket: Any) -> None:
        """Hand the connection to the handler of the subprotocol the client offered.

        # Required arguments

        `websocket`: the `WebSocket` connection.
        """
        offered = websocket.subprotocols
        if graphql_transport_ws.PROTOCOL not in offered and graphql_ws.PROTOCOL not in offered:
            await refuse_subprotocols(websocket, SUBPROTOCOLS)
            return
        await self.select_handler(offered).handle_websocket(websocket)

    def select_handler(self, subprotocols: list[str]) -> GraphQLWebsocketHandler:
        """The handler for a client offering `subprotocols`.

        `graphql-transport-ws` wins when both are offered; with neither, the
        `graphql-transport-ws` handler (which refuses the handshake).

        # Required arguments

        `subprotocols`: the subprotocols the client offered.
        """
        if graphql_ws.PROTOCOL in subprotocols and graphql_transport_ws.PROTOCOL not in (
            subprotocols
        ):
            return self.graphql_ws_handler
        return self.graphql_transport_ws_handler


__all__ = ["GraphQLAutoWSHandler"]
