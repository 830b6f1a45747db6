"""``ClientContext``: the state of one ``graphql-transport-ws`` connection, and its init timer.

``GraphQLTransportWSHandler`` keeps one per connection; ``graphql_transport_ws`` re-exports
it. The timer itself (``handle_connection_init_timeout``) stays a handler method, for
subclasses to override; this module only drops or waits for the task running it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ...protocols.graphql_transport_ws import CloseCode, GraphQLTransportWSConnection
from ._operation import Operation
from ._ws_base import wait_cancelled


@dataclass
class ClientContext:
    """The state of one ``graphql-transport-ws`` connection."""

    #: The sans-IO protocol state: handshake and the ids of active operations.
    protocol: GraphQLTransportWSConnection = field(default_factory=GraphQLTransportWSConnection)
    #: Operations by id, from ``subscribe`` until they end.
    operations: dict[str, Operation] = field(default_factory=dict)
    #: The init timer, until ``connection_init`` cancels it or the connection ends.
    connection_init_timeout_task: asyncio.Task[None] | None = None
    #: The payload of the ``ping`` being answered: ``handle_websocket_ping_message`` has
    #: the documented ``(websocket, client_context)`` signature, without the message.
    ping_payload: dict[str, Any] | None = None

    @property
    def connection_init_received(self) -> bool:
        """Whether ``connection_init`` arrived."""
        return self.protocol.init_received


def drop_init_timer(client_context: ClientContext) -> None:
    """Cancel the init timer once ``connection_init`` arrived; nothing waits for it."""
    timer = client_context.connection_init_timeout_task
    if timer is not None:
        timer.cancel()  # dropped now rather than with the connection
        client_context.connection_init_timeout_task = None


async def end_init_timer(client_context: ClientContext) -> None:
    """Cancel the init timer while it sleeps; once it fired, let it finish its 4408 close.

    The frame that ended the loop can arrive while the timer sends its close; cancelling
    it then would drop that frame, and the server would close with 1000 instead.
    """
    timer = client_context.connection_init_timeout_task
    client_context.connection_init_timeout_task = None
    if timer is None:
        return
    closed_with = client_context.protocol.closed_with
    if closed_with is not None and closed_with.code == CloseCode.CONNECTION_INITIALISATION_TIMEOUT:
        await asyncio.wait({timer})
    else:
        await wait_cancelled(timer)


__all__ = ["ClientContext", "drop_init_timer", "end_init_timer"]
