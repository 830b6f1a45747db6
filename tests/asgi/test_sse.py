"""GraphQL over SSE (graphql-sse), distinct connections mode, on real sockets.

Run on graphqlwire's server and under uvicorn. Streams are read with a raw socket client
(``SSEStream``) so that the tests see the exact bytes, and can close the connection in the
middle of a response to check that the subscription's generator is closed (its ``finally``
runs) within a second, while it waits inside an ``await``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from graphql import GraphQLSchema

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHTTPHandler, SSESubscriptionHandler
from graphqlwire.schema import make_executable_schema

from .servers import run_server

SSE_SERVERS = ("graphqlwire", "uvicorn")
STREAM = {"accept": "text/event-stream"}
TYPE_DEFS = """
type Query { hello: String!, deep: Query }
type Mutation { echo(text: String!): String! }
type Subscription {
  count(to: Int!): Int!
  waitForever(tag: String!): Int!
  failing: Int!
}
"""


class Recorder:
    """What the subscriptions did: which generators started and which were closed."""

    def __init__(self) -> None:
        self.started: dict[str, asyncio.Event] = {}
        self.closed: dict[str, asyncio.Event] = {}

    def event(self, kind: dict[str, asyncio.Event], tag: str) -> asyncio.Event:
        return kind.setdefault(tag, asyncio.Event())

    async def wait_closed(self, tag: str, within: float = 1.0) -> None:
        await asyncio.wait_for(self.event(self.closed, tag).wait(), within)


def build_schema(recorder: Recorder) -> GraphQLSchema:
    async def count(*_: Any, to: int) -> AsyncGenerator[int, None]:
        for number in range(1, to + 1):
            yield number

    async def wait_forever(*_: Any, tag: str) -> AsyncGenerator[int, None]:
        try:
            yield 0
            recorder.event(recorder.started, tag).set()
            await asyncio.Event().wait()  # never set: only cancellation ends this
            yield 1
        finally:
            recorder.event(recorder.closed, tag).set()

    async def failing(*_: Any) -> AsyncGenerator[int, None]:
        yield 1
        raise RuntimeError("the source broke")

    resolvers: dict[str, Any] = {
        "Query": {"hello": lambda *_: "Hello!", "deep": lambda *_: {}},
        "Mutation": {"echo": lambda _, __, text: text},
        "Subscription": {
            "count": {"subscribe": count, "resolve": lambda value, *_, **__: value},
            "waitForever": {"subscribe": wait_forever, "resolve": lambda v, *_, **__: v},
            "failing": {"subscribe": failing, "resolve": lambda value, *_: value},
        },
    }
    return make_executable_schema(TYPE_DEFS, resolvers)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


AppMaker = Callable[..., GraphQL]


@pytest.fixture
def make_sse_app(recorder: Recorder) -> AppMaker:
    def factory(sse: SSESubscriptionHandler | None = None, **options: Any) -> GraphQL:
        handlers = None if sse is None else [sse]
        http_handler = GraphQLHTTPHandler(subscription_handlers=handlers)
        return GraphQL(build_schema(recorder), http_handler=http_handler, **options)

    return factory


@pytest.fixture(params=SSE_SERVERS)
def server_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def url(server_kind: str, make_sse_app: AppMaker) -> AsyncIterator[str]:
    async with run_server(server_kind, make_sse_app()) as base:
        yield base + "/graphql"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


# --- a raw event stream client -------------------------------------------------------------


class SSEStream:
    """One HTTP/1.1 request on its own socket, its response read as it arrives."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.status = 0
        self.headers: dict[str, str] = {}
        self.chunked = False
        self.buffer = b""
        self.ended = False

    @classmethod
    async def open(
        cls,
        url: str,
        method: str = "POST",
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> SSEStream:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        payload = b"" if body is None else json.dumps(body).encode()
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"{method} {target} HTTP/1.1", f"host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body is not None:
            lines += ["content-type: application/json", f"content-length: {len(payload)}"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        stream = cls(reader, writer)
        await stream._read_head()
        return stream

    async def _read_head(self) -> None:
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 5)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                self.headers[name.strip().lower()] = value.strip()
        self.chunked = self.headers.get("transfer-encoding") == "chunked"

    async def _more(self) -> bool:
        """Read the next piece of body into the buffer; False at its end."""
        if self.ended:
            return False
        if "content-length" in self.headers:
            length = int(self.headers["content-length"])
            self.buffer += await asyncio.wait_for(self.reader.readexactly(length), 5)
            self.ended = True
            return bool(length)
        if not self.chunked:
            data = await asyncio.wait_for(self.reader.read(65536), 5)
            self.ended = not data
            self.buffer += data
            return bool(data)
        size = int((await asyncio.wait_for(self.reader.readuntil(b"\r\n"), 5)).strip(), 16)
        data = await asyncio.wait_for(self.reader.readexactly(size + 2), 5)
        if size == 0:
            self.ended = True
            return False
        self.buffer += data[:-2]
        return True

    async def block(self) -> bytes | None:
        """The next event or comment block (without its blank line), None at the end."""
        while b"\n\n" not in self.buffer:
            if not await self._more():
                return None
        block, self.buffer = self.buffer.split(b"\n\n", 1)
        return block

    async def event(self) -> tuple[str, Any] | None:
        """The next event as ``(name, decoded data)``, skipping comments; None at the end."""
        while True:
            block = await self.block()
            if block is None:
                return None
            if block.startswith(b":"):
                continue
            fields = dict(line.split(b":", 1) for line in block.split(b"\n"))
            data = fields.get(b"data", b"").strip()
            return fields[b"event"].strip().decode(), json.loads(data) if data else None

    async def events(self) -> list[tuple[str, Any]]:
        """Every event until the response ends."""
        found = []
        while (event := await self.event()) is not None:
            found.append(event)
        return found

    async def body(self) -> bytes:
        while await self._more():
            pass
        return self.buffer

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


def nexts(*payloads: Any) -> list[tuple[str, Any]]:
    return [("next", payload) for payload in payloads] + [("complete", None)]


# --- distinct connections mode ---------------------------------------------------------------


async def test_subscription_streams_a_next_event_per_result_then_complete(url: str) -> None:
    query = {"query": "subscription { count(to: 3) }"}
    stream = await SSEStream.open(url, body=query, headers=STREAM)
    try:
        assert stream.status == 200
        assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert stream.headers["cache-control"] == "no-cache"
        assert stream.headers["x-accel-buffering"] == "no"
        assert await stream.block() == b":"  # the first bytes: a keep-alive comment
        assert await stream.events() == nexts(*({"data": {"count": n}} for n in (1, 2, 3)))
        assert stream.buffer == b""
    finally:
        await stream.close()


async def test_the_complete_event_has_an_empty_data_line(url: str) -> None:
    stream = await SSEStream.open(url, body={"query": "{ hello }"}, headers=STREAM)
    body = await stream.body()
    await stream.close()
    assert (
        body == b':\n\nevent: next\ndata: {"data":{"hello":"Hello!"}}\n\nevent: complete\ndata:\n\n'
    )


async def test_queries_and_mutations_give_one_next_then_complete(
    url: str, http: httpx.AsyncClient
) -> None:
    response = await http.post(url, json={"query": "{ hello }"}, headers=STREAM)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    mutation = {"query": "mutation($t: String!) { echo(text: $t) }", "variables": {"t": "hi"}}
    stream = await SSEStream.open(url, body=mutation, headers=STREAM)
    assert await stream.events() == nexts({"data": {"echo": "hi"}})
    await stream.close()


async def test_get_with_query_parameters_streams_too(url: str) -> None:
    stream = await SSEStream.open(
        url + "?query=subscription%7Bcount(to%3A2)%7D", method="GET", headers=STREAM
    )
    assert stream.status == 200
    assert await stream.events() == nexts({"data": {"count": 1}}, {"data": {"count": 2}})
    await stream.close()


async def test_a_mutation_over_get_is_refused_on_the_stream(url: str) -> None:
    stream = await SSEStream.open(
        url + '?query=mutation%7Becho(text%3A"x")%7D', method="GET", headers=STREAM
    )
    assert stream.status == 200
    [(kind, payload), end] = await stream.events()
    await stream.close()
    assert (kind, end) == ("next", ("complete", None))
    assert "POST" in payload["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"query": "subscription { nope }"}, "Cannot query field 'nope'"),
        ({"query": "subscription {"}, "Syntax Error"),
        ({"variables": {}}, "query"),
        (
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}},
            "PersistedQueryNotFound",
        ),
    ],
)
async def test_errors_before_execution_arrive_as_a_next_event_on_a_200_stream(
    url: str, body: dict[str, Any], fragment: str
) -> None:
    stream = await SSEStream.open(url, body=body, headers=STREAM)
    assert stream.status == 200
    [(kind, payload), end] = await stream.events()
    await stream.close()
    assert (kind, end) == ("next", ("complete", None))
    assert "data" not in payload
    assert fragment in json.dumps(payload["errors"])


async def test_a_failing_source_ends_with_an_error_result_then_complete(url: str) -> None:
    stream = await SSEStream.open(url, body={"query": "subscription { failing }"}, headers=STREAM)
    events = await stream.events()
    await stream.close()
    assert events[0] == ("next", {"data": {"failing": 1}})
    assert "the source broke" in events[1][1]["errors"][0]["message"]
    assert events[2:] == [("complete", None)]


async def test_requests_that_are_not_graphql_get_their_4xx(
    url: str, http: httpx.AsyncClient
) -> None:
    bad_json = await http.post(
        url, content=b"{nope", headers={**STREAM, "content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert bad_json.headers["content-type"] == "application/json; charset=utf-8"
    assert "JSON" in bad_json.json()["errors"][0]["message"]
    batch = await http.post(url, json=[{"query": "{ hello }"}], headers=STREAM)
    assert batch.status_code == 400
    assert "batches are not streamed" in batch.json()["errors"][0]["message"]
    wrong_type = await http.post(
        url, content=b"query", headers={**STREAM, "content-type": "text/plain"}
    )
    assert wrong_type.status_code == 415


async def test_a_subscription_over_plain_json_keeps_its_clear_error(
    url: str, http: httpx.AsyncClient
) -> None:
    response = await http.post(url, json={"query": "subscription { count(to: 1) }"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "Subscriptions are not executed over HTTP" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("accept", "streams"),
    [
        ("application/json, text/event-stream;q=0.5", False),
        ("application/json;q=0.5, text/event-stream", True),
        ("application/graphql-response+json, application/json, text/event-stream", True),
        ("*/*", False),
    ],
)
async def test_accept_decides_between_json_and_an_event_stream(
    url: str, http: httpx.AsyncClient, accept: str, streams: bool
) -> None:
    response = await http.post(url, json={"query": "{ hello }"}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream") is streams


async def test_the_generator_is_closed_within_a_second_of_the_client_leaving(
    url: str, recorder: Recorder
) -> None:
    body = {"query": 'subscription { waitForever(tag: "gone") }'}
    stream = await SSEStream.open(url, body=body, headers=STREAM)
    assert await stream.event() == ("next", {"data": {"waitForever": 0}})
    await asyncio.wait_for(recorder.event(recorder.started, "gone").wait(), 5)
    await stream.close()  # while the generator waits inside an await
    await recorder.wait_closed("gone")
    assert recorder.event(recorder.closed, "gone").is_set()


async def test_the_server_serves_on_after_a_cancelled_stream(
    url: str, recorder: Recorder, http: httpx.AsyncClient
) -> None:
    for index in range(3):
        body = {"query": f'subscription {{ waitForever(tag: "t{index}") }}'}
        stream = await SSEStream.open(url, body=body, headers=STREAM)
        assert await stream.event() == ("next", {"data": {"waitForever": 0}})
        await stream.close()
        await recorder.wait_closed(f"t{index}")
    assert (await http.post(url, json={"query": "{ hello }"})).json() == {
        "data": {"hello": "Hello!"}
    }


@pytest.mark.parametrize("server", SSE_SERVERS)
async def test_keep_alive_comments_go_out_on_the_interval(
    server: str, make_sse_app: AppMaker, recorder: Recorder
) -> None:
    app = make_sse_app(SSESubscriptionHandler(ping_interval=0.05))
    async with run_server(server, app) as base:
        body = {"query": 'subscription { waitForever(tag: "ka") }'}
        stream = await SSEStream.open(base + "/graphql", body=body, headers=STREAM)
        assert await stream.block() == b":"
        assert (await stream.event() or ("",))[0] == "next"
        assert [await stream.block() for _ in range(3)] == [b":", b":", b":"]
        await stream.close()
        await recorder.wait_closed("ka")


async def test_hooks_and_context_behave_as_on_websockets(make_sse_app: AppMaker) -> None:
    calls: list[tuple[str, Any, Any]] = []
    sse = SSESubscriptionHandler(
        on_operation=lambda request, op: calls.append(("start", request.method, op.name)),
        on_complete=lambda request, op: calls.append(("end", op.id, op.generator is not None)),
    )

    def context_value(request: Any, data: dict[str, Any]) -> dict[str, Any]:
        calls.append(("context", request.headers.get("x-user"), data.get("operationName")))
        return {"request": request}

    app = make_sse_app(sse, context_value=context_value)
    async with run_server("graphqlwire", app) as base:
        body = {"query": "subscription Two { count(to: 2) }", "operationName": "Two"}
        stream = await SSEStream.open(
            base + "/graphql", body=body, headers={**STREAM, "x-user": "ann"}
        )
        assert len(await stream.events()) == 3
        await stream.close()
    assert calls == [
        ("start", "POST", "Two"),
        ("context", "ann", "Two"),
        ("end", "", True),
    ]


async def test_a_failing_on_operation_is_reported_on_the_stream(make_sse_app: AppMaker) -> None:
    def refuse(*_: Any) -> None:
        raise PermissionError("no subscriptions for you")

    app = make_sse_app(SSESubscriptionHandler(on_operation=refuse))
    async with run_server("graphqlwire", app) as base:
        body = {"query": "subscription { count(to: 2) }"}
        stream = await SSEStream.open(base + "/graphql", body=body, headers=STREAM)
        [(kind, payload), end] = await stream.events()
        await stream.close()
    assert (kind, end) == ("next", ("complete", None))
    assert payload["errors"][0]["message"] == "no subscriptions for you"


async def test_operation_limits_apply_over_sse(make_sse_app: AppMaker) -> None:
    app = make_sse_app(max_depth=2)
    async with run_server("graphqlwire", app) as base:
        body = {"query": "{ deep { deep { deep { hello } } } }"}
        stream = await SSEStream.open(base + "/graphql", body=body, headers=STREAM)
        [(kind, payload), end] = await stream.events()
        await stream.close()
    assert (kind, end, stream.status) == ("next", ("complete", None), 200)
    assert "depth" in payload["errors"][0]["message"]


async def test_masked_errors_stay_masked_over_sse(make_sse_app: AppMaker) -> None:
    app = make_sse_app(mask_errors=True)
    async with run_server("graphqlwire", app) as base:
        body = {"query": "subscription { failing }"}
        stream = await SSEStream.open(base + "/graphql", body=body, headers=STREAM)
        events = await stream.events()
        await stream.close()
    assert events[1][1]["errors"][0]["message"] == "Unexpected error."
    assert "the source broke" not in json.dumps(events)


async def test_sse_can_be_turned_off(recorder: Recorder, http: httpx.AsyncClient) -> None:
    handler = GraphQLHTTPHandler(subscription_handlers=[])
    app = GraphQL(build_schema(recorder), http_handler=handler)
    async with run_server("graphqlwire", app) as base:
        response = await http.post(base, json={"query": "{ hello }"}, headers=STREAM)
        put = await http.put(base, headers={"accept": "*/*"})
    assert response.status_code == 406
    assert put.status_code == 405


async def test_the_embedded_server_shutting_down_ends_event_streams_at_once(
    make_sse_app: AppMaker, recorder: Recorder
) -> None:
    from graphqlwire.server import Config, Server

    config = Config(host="127.0.0.1", port=0, lifespan="on", log_level=None)
    server = Server(make_sse_app(), config)
    await server.start()
    body = {"query": 'subscription { waitForever(tag: "down") }'}
    stream = await SSEStream.open(server.url + "/graphql", body=body, headers=STREAM)
    try:
        assert await stream.event() == ("next", {"data": {"waitForever": 0}})
        loop = asyncio.get_running_loop()
        started = loop.time()
        await server.shutdown()  # not the whole shutdown_timeout: the stream is ended
        assert loop.time() - started < 2
        assert recorder.event(recorder.closed, "down").is_set()
        assert await stream.reader.read() == b""  # cut: the stream did not complete
    finally:
        await stream.close()
