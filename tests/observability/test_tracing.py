"""`OpenTelemetryExtension`: spans checked with the SDK's in-memory exporter, over a real socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import build_schema
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from websockets.asyncio.client import connect

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHTTPHandler
from graphqlwire.contrib.opentelemetry import OpenTelemetryExtension
from graphqlwire.demo import schema
from tests.server.helpers import graphqlwire_server

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
PROTOCOL: Any = "graphql-transport-ws"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.clear()


def traced_app(exporter: InMemorySpanExporter, **options: Any) -> GraphQL:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    extension = OpenTelemetryExtension.with_options(tracer_provider=provider, **options)
    return GraphQL(schema, http_handler=GraphQLHTTPHandler(extensions=[extension]))


async def post(url: str, body: Any, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(url, json=body, headers=headers)


async def test_a_span_per_operation_continuing_the_callers_trace(
    exporter: InMemorySpanExporter,
) -> None:
    document = 'query Greet { hello(name: "you") }'
    async with graphqlwire_server(traced_app(exporter)) as url:
        traceparent = f"00-{TRACE_ID}-{PARENT_ID}-01"
        response = await post(url, {"query": document}, traceparent=traceparent)
        assert response.json() == {"data": {"hello": "Hello, you!"}}
    (span,) = exporter.get_finished_spans()
    assert span.name == "query Greet"
    assert span.kind is SpanKind.SERVER
    assert dict(span.attributes or {}) == {
        "graphql.operation.type": "query",
        "graphql.operation.name": "Greet",
        "graphql.document": document,
    }
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None and format(span.parent.span_id, "016x") == PARENT_ID
    assert span.status.status_code is StatusCode.UNSET


async def test_errors_mark_the_span(exporter: InMemorySpanExporter) -> None:
    async with graphqlwire_server(traced_app(exporter)) as url:
        assert (await post(url, {"query": "{ nope }"})).status_code == 400
        assert (await post(url, {"query": "{ hello"})).status_code == 400
    spans = exporter.get_finished_spans()
    assert len(spans) == 2
    for span in spans:
        assert span.status.status_code is StatusCode.ERROR
        assert span.parent is None  # no traceparent: a new trace
        assert [event.name for event in span.events] == ["exception"]
    assert "nope" in (spans[0].status.description or "")
    assert spans[1].name == "GraphQL Operation"  # refused before execution: no operation


async def test_resolver_spans_are_optional(exporter: InMemorySpanExporter) -> None:
    app = traced_app(exporter, resolver_spans=True)
    async with graphqlwire_server(app) as url:
        body = {"query": "{ hello messages { id } __typename }"}
        assert (await post(url, body)).status_code == 200
    spans = {span.name: span for span in exporter.get_finished_spans()}
    assert set(spans) == {"query", "Query.hello", "Query.messages"}
    operation = spans["query"]
    for name in ("Query.hello", "Query.messages"):
        assert spans[name].parent is not None
        assert spans[name].parent.span_id == operation.context.span_id
    assert dict(spans["Query.hello"].attributes or {}) == {
        "graphql.field.name": "hello",
        "graphql.field.path": "hello",
    }


async def test_a_failing_resolver_fails_its_span(exporter: InMemorySpanExporter) -> None:
    failing = build_schema("type Query { broken: String, fine: String }")

    async def broken(*_: Any) -> str:
        raise RuntimeError("resolver broke")

    failing.query_type.fields["broken"].resolve = broken  # type: ignore[union-attr]
    failing.query_type.fields["fine"].resolve = lambda *_: "ok"  # type: ignore[union-attr]
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    extension = OpenTelemetryExtension.with_options(tracer_provider=provider, resolver_spans=True)
    app = GraphQL(failing, http_handler=GraphQLHTTPHandler(extensions=[extension]))
    async with graphqlwire_server(app) as url:
        response = await post(url, {"query": "{ broken fine }"})
        assert response.json()["data"] == {"broken": None, "fine": "ok"}
    spans = {span.name: span for span in exporter.get_finished_spans()}
    assert spans["Query.broken"].status.status_code is StatusCode.ERROR
    assert spans["Query.broken"].status.description == "resolver broke"
    assert spans["Query.fine"].status.status_code is StatusCode.UNSET
    assert spans["query"].status.status_code is StatusCode.ERROR


async def test_websocket_operations_continue_the_handshakes_trace(
    exporter: InMemorySpanExporter,
) -> None:
    async with graphqlwire_server(traced_app(exporter)) as url:
        headers = {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
        ws_url = url.replace("http", "ws", 1)
        async with connect(ws_url, subprotocols=[PROTOCOL], additional_headers=headers) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            await ws.recv()
            payload = {"query": "query OverWs { hello }"}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            assert json.loads(await ws.recv())["payload"] == {"data": {"hello": "Hello, world!"}}
    (span,) = exporter.get_finished_spans()
    assert span.name == "query OverWs"
    assert format(span.context.trace_id, "032x") == TRACE_ID
