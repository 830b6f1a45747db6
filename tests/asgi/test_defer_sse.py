"""``@defer``/``@stream`` over GraphQL over SSE (distinct connections), on real sockets.

Each payload is a ``next`` event of its own (compared with graphql-js 17's payloads), then
``complete``; a client leaving mid-stream closes the stream source.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from graphqlwire.asgi import GraphQL
from tests.node import run_node

from .servers import run_server
from .test_defer_http import OPERATIONS, Gate, flattened, gated_app
from .test_defer_schema import defer_schema, root_value

SERVERS = ("graphqlwire", "uvicorn")
STREAM = {"accept": "text/event-stream"}


def events(body: str) -> list[tuple[str, str]]:
    """``(event, data)`` of each event in an event stream body (comments skipped)."""
    parsed = []
    for block in body.split("\n\n"):
        fields = dict(
            line.split(": ", 1) if ": " in line else (line.rstrip(":"), "")
            for line in block.splitlines()
            if line and not line.startswith(":")
        )
        if "event" in fields:
            parsed.append((fields["event"], fields.get("data", "")))
    return parsed


@pytest.mark.parametrize("server", SERVERS)
async def test_each_payload_is_a_next_event_as_graphql_js_produces_them(server: str) -> None:
    compared = [OPERATIONS[0], OPERATIONS[4], OPERATIONS[6]]
    expected = await run_node("defer-execute.mjs", json.dumps(compared))
    app = GraphQL(defer_schema(), root_value=root_value())
    async with run_server(server, app) as base, httpx.AsyncClient(timeout=5) as client:
        for operation, payloads in zip(compared, expected, strict=True):
            response = await client.post(base + "/", json=operation, headers=STREAM)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            received = events(response.text)
            assert [name for name, _ in received] == ["next"] * len(payloads) + ["complete"]
            nexts: list[Any] = [json.loads(data) for name, data in received if name == "next"]
            assert flattened(nexts) == flattened(payloads), operation["query"]


@pytest.mark.parametrize("server", SERVERS)
async def test_a_client_leaving_an_sse_stream_closes_the_stream_source(server: str) -> None:
    gate = Gate()
    query = {"query": "{ hello endless @stream(initialCount: 1) }"}
    async with run_server(server, gated_app(gate)) as base, httpx.AsyncClient(timeout=5) as client:
        async with client.stream("POST", base + "/", json=query, headers=STREAM) as response:
            received = ""
            async for text in response.aiter_text():
                received += text
                if '"endless":[0]' in received:
                    break
        await asyncio.wait_for(gate.closed.wait(), 1)
    assert events(received)[0][0] == "next"
