"""The real graphql-sse npm client (``createClient``) against graphqlwire, both modes.

``tests/js/sse-client.mjs`` runs a query, a mutation, subscriptions (one at a time and two
at once), a subscription that fails validation, and one the client stops after its first
result, whose generator must then be closed on the server.
"""

from __future__ import annotations

import pytest

from graphqlwire.asgi import GraphQL
from tests.node import run_node

from . import test_sse
from .servers import run_server
from .test_sse import SSE_SERVERS, Recorder, build_schema

recorder = test_sse.recorder  # (the fixture, shared by name)


def counts(to: int) -> list[dict[str, object]]:
    return [{"data": {"count": n}} for n in range(1, to + 1)]


@pytest.mark.parametrize("mode", ["distinct", "single"])
@pytest.mark.parametrize("server", SSE_SERVERS)
async def test_the_graphql_sse_client_gets_every_result(
    server: str, mode: str, recorder: Recorder
) -> None:
    async with run_server(server, GraphQL(build_schema(recorder))) as base:
        output = await run_node("sse-client.mjs", base + "/graphql", mode)
        await recorder.wait_closed("js")  # the stopped subscription's generator closed
    assert output["query"] == [{"data": {"hello": "Hello!"}}]
    assert output["mutation"] == [{"data": {"echo": "sse"}}]
    assert output["subscription"] == counts(3)
    assert output["stopped"] == [{"data": {"waitForever": 0}}]
    assert output["concurrent"] == [counts(2), counts(4)]
    if mode == "distinct":  # reported on the event stream, as the protocol says
        [invalid] = output["invalid"]
        assert "Cannot query field 'nope'" in invalid["errors"][0]["message"]
    else:  # single connection mode answers the operation's own request (GraphQL over HTTP)
        assert output["invalid"] == [{"status": 400}]
