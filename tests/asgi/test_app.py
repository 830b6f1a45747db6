"""The GraphQL ASGI app: options, dispatch, lifespan, and each handler method's contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import DocumentNode, GraphQLResolveInfo, parse

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHTTPHandler, GraphQLWebsocketHandler
from graphqlwire.execution import Extension, GraphQLResult
from graphqlwire.http import JSONResponse, Request, Response
from graphqlwire.types import Message, Receive, Scope, Send
from tests.testclient import ASGIClient

from .conftest import AppFactory


class RecordingWebsocketHandler(GraphQLWebsocketHandler):
    """Stands in for a real WebSocket handler: records what it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.scopes: list[Scope] = []
        self.websockets: list[Any] = []

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)

    async def handle_websocket(self, websocket: Any) -> None:
        self.websockets.append(websocket)


async def query(app: GraphQL, text: str, **kwargs: Any) -> Any:
    response = await ASGIClient(app).post("/", json={"query": text, **kwargs})
    return response.json()


async def test_lifespan_is_acknowledged(make_app: AppFactory) -> None:
    client = ASGIClient(make_app())
    async with client.lifespan() as sent:
        assert sent == [{"type": "lifespan.startup.complete"}]
        assert (await client.post("/", json={"query": "{ hello }"})).status == 200
    assert sent[-1] == {"type": "lifespan.shutdown.complete"}


async def test_unknown_scope_type_is_a_clear_error(make_app: AppFactory) -> None:
    async def nothing() -> Any:
        raise AssertionError

    async def send(_: Any) -> None:
        raise AssertionError

    with pytest.raises(ValueError, match="Unsupported ASGI scope type 'telepathy'"):
        await make_app()({"type": "telepathy"}, nothing, send)


async def test_websocket_scopes_go_to_the_websocket_handler(make_app: AppFactory) -> None:
    handler = RecordingWebsocketHandler()
    app = make_app(websocket_handler=handler, debug=True)
    assert handler.http_handler is app.http_handler
    assert handler.debug is True and handler.schema is app.schema

    async def receive() -> Any:
        raise AssertionError

    async def send(_: Any) -> None:
        raise AssertionError

    scope = {"type": "websocket", "path": "/"}
    await app(scope, receive, send)
    assert handler.scopes == [scope]
    await app.handle_websocket("ws")
    assert handler.websockets == ["ws"]


async def test_handle_request_shortcut(make_app: AppFactory) -> None:
    app = make_app()
    client = ASGIClient(app)
    scope = client.build_scope("GET", "/", [(b"accept", b"text/html")], b"")
    response = await app.handle_request(Request(scope))
    assert isinstance(response, Response)
    assert response.status_code == 200
    assert b"GraphiQL" in response.body


async def test_configure_propagates_every_option(make_app: AppFactory) -> None:
    def formatter(error: Any, debug: bool) -> dict[str, Any]:
        return {"message": "masked"}

    options: dict[str, Any] = {
        "context_value": {"value": 1},
        "root_value": "root",
        "query_parser": None,
        "query_validator": None,
        "validation_rules": [],
        "execute_get_queries": True,
        "debug": True,
        "introspection": False,
        "logger": "custom",
        "error_formatter": formatter,
        "execution_context_class": None,
    }
    app = make_app(**options)
    for name, value in options.items():
        assert getattr(app.http_handler, name) == value, name
    assert app.http_handler.explorer is not None  # GraphiQL by default
    assert await query(app, "{ fail }") == {
        "data": {"fail": None},
        "errors": [{"message": "masked"}],
    }


@pytest.mark.parametrize("kind", ["value", "one-arg", "two-args", "async"])
async def test_context_value(make_app: AppFactory, kind: str) -> None:
    async def async_context(request: Request) -> dict[str, Any]:
        return {"value": f"async {request.method}"}

    context: Any = {
        "value": {"value": "static"},
        "one-arg": lambda request: {"value": request.method},
        "two-args": lambda request, data: {"value": data["query"]},
        "async": async_context,
    }[kind]
    expected = {
        "value": "static",
        "one-arg": "POST",
        "two-args": "{ context }",
        "async": "async POST",
    }[kind]
    app = make_app(context_value=context)
    assert await query(app, "{ context }") == {"data": {"context": expected}}


async def test_default_context_holds_the_request(make_app: AppFactory) -> None:
    assert await query(make_app(), "{ method }") == {"data": {"method": "POST"}}


async def test_root_value(make_app: AppFactory) -> None:
    assert await query(make_app(root_value="R"), "{ root }") == {"data": {"root": "R"}}
    app = make_app(root_value=lambda context, document: type(document).__name__)
    assert await query(app, "{ root }") == {"data": {"root": "DocumentNode"}}


class Tag(Extension):
    def format(self, context: Any) -> dict[str, Any]:
        return {"tag": True}


def shout(next_: Any, obj: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
    value = next_(obj, info, **kwargs)
    return value.upper() if isinstance(value, str) else value


@pytest.mark.parametrize("dynamic", [False, True])
async def test_extensions_and_middleware(make_app: AppFactory, dynamic: bool) -> None:
    seen: list[Any] = []

    async def extensions(request: Any, context: Any) -> list[Any]:
        seen.append(("extensions", request.method, context))
        return [Tag]

    def middleware(request: Any, context: Any) -> list[Any]:
        seen.append(("middleware", request.method, context))
        return [shout]

    handler = (
        GraphQLHTTPHandler(extensions=extensions, middleware=middleware)
        if dynamic
        else GraphQLHTTPHandler(extensions=[Tag], middleware=[shout])
    )
    app = make_app(http_handler=handler, context_value={"value": 1})
    assert await query(app, "{ hello }") == {
        "data": {"hello": "HELLO, WORLD!"},
        "extensions": {"tag": True},
    }
    if dynamic:
        assert seen == [
            ("extensions", "POST", {"value": 1}),
            ("middleware", "POST", {"value": 1}),
        ]


async def test_execute_graphql_query_contract(make_app: AppFactory) -> None:
    app = make_app()
    handler = app.http_handler
    client = ASGIClient(app)
    request = Request(client.build_scope("POST", "/", [], b""))
    document = parse("{ context }")
    success, result = await handler.execute_graphql_query(
        request,
        {"query": "this is not parsed"},
        context_value={"value": "given"},
        query_document=document,
    )
    assert (success, result) == (True, {"data": {"context": "given"}})
    get = Request(client.build_scope("GET", "/", [], b""))
    success, result = await handler.execute_graphql_query(
        get, {"query": 'mutation { echo(text: "x") }'}
    )
    assert success is False
    assert "POST" in result["errors"][0]["message"]


class Overridden(GraphQLHTTPHandler):
    """Overrides every documented step once; each override leaves a trace in ``calls``."""

    calls: list[str]

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls.append("handle")
        await super().handle(scope, receive, send)

    async def handle_request(self, request: Request) -> Response:
        self.calls.append("handle_request")
        return await super().handle_request(request)

    async def render_explorer(self, request: Request, explorer: Any) -> Response:
        self.calls.append("render_explorer")
        return Response("custom explorer", media_type="text/html")

    async def graphql_http_server(self, request: Request) -> Response:
        self.calls.append("graphql_http_server")
        return await super().graphql_http_server(request)

    async def extract_data_from_request(self, request: Request) -> Any:
        self.calls.append("extract_data_from_request")
        return await super().extract_data_from_request(request)

    async def extract_data_from_json_request(self, request: Request) -> Any:
        self.calls.append("extract_data_from_json_request")
        data = await super().extract_data_from_json_request(request)
        return {**data, "query": data["query"].replace("HELLO", "hello")}

    async def extract_data_from_multipart_request(self, request: Request) -> Any:
        self.calls.append("extract_data_from_multipart_request")
        return {"query": "{ root }"}

    def extract_data_from_get_request(self, request: Request) -> dict[str, Any]:
        self.calls.append("extract_data_from_get_request")
        return {"query": "{ context }"}

    async def execute_graphql_query(
        self,
        request: Any,
        data: Any,
        *,
        context_value: Any = None,
        query_document: DocumentNode | None = None,
    ) -> GraphQLResult:
        self.calls.append("execute_graphql_query")
        return await super().execute_graphql_query(request, data, context_value=context_value)

    async def get_context_for_request(self, request: Any, data: Any) -> Any:
        self.calls.append("get_context_for_request")
        return {"value": "overridden"}

    async def get_extensions_for_request(self, request: Any, context: Any) -> Any:
        self.calls.append("get_extensions_for_request")
        return [Tag]

    async def get_middleware_for_request(self, request: Any, context: Any) -> Any:
        self.calls.append("get_middleware_for_request")
        return [shout]

    async def create_json_response(
        self, request: Request, result: dict[str, Any], success: bool
    ) -> Response:
        self.calls.append("create_json_response")
        return JSONResponse({"wrapped": result}, status_code=201)

    def handle_not_allowed_method(self, request: Request) -> Response:
        self.calls.append("handle_not_allowed_method")
        return Response("nope", status_code=418)

    def configure(self, *args: Any, **kwargs: Any) -> None:
        self.calls = ["configure"]
        super().configure(*args, **kwargs)


async def test_subclass_overrides_each_documented_step(make_app: AppFactory) -> None:
    handler = Overridden()
    app = make_app(http_handler=handler, root_value="R", execute_get_queries=True)
    assert handler.calls == ["configure"]
    client = ASGIClient(app)

    handler.calls = []
    response = await client.post("/", json={"query": "{ HELLO context }"})
    assert (response.status, response.json()) == (
        201,
        {
            "wrapped": {
                "data": {"hello": "HELLO, WORLD!", "context": "OVERRIDDEN"},
                "extensions": {"tag": True},
            }
        },
    )
    assert handler.calls == [
        "handle",
        "handle_request",
        "graphql_http_server",
        "extract_data_from_request",
        "extract_data_from_json_request",
        "execute_graphql_query",
        "get_context_for_request",
        "get_extensions_for_request",
        "get_middleware_for_request",
        "create_json_response",
    ]

    handler.calls = []
    response = await client.post(
        "/", body=b"--x--\r\n", headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert response.json() == {"wrapped": {"data": {"root": "R"}, "extensions": {"tag": True}}}
    assert "extract_data_from_multipart_request" in handler.calls

    handler.calls = []
    response = await client.get("/", params={"query": "{ ignored }"})
    assert response.json()["wrapped"]["data"] == {"context": "OVERRIDDEN"}
    assert "extract_data_from_get_request" in handler.calls

    handler.calls = []
    response = await client.get("/")
    assert (response.status, response.text) == (200, "custom explorer")
    assert handler.calls[-1] == "render_explorer"

    handler.calls = []
    response = await client.request("PUT", "/")
    assert (response.status, response.text) == (418, "nope")
    assert handler.calls[-1] == "handle_not_allowed_method"


async def test_http_error_from_any_step_becomes_a_4xx(make_app: AppFactory) -> None:
    from graphqlwire.http import HttpUnprocessableError

    class Strict(GraphQLHTTPHandler):
        async def handle_request(self, request: Request) -> Response:
            raise HttpUnprocessableError("No thanks.", headers={"x-why": "policy"})

    response = await ASGIClient(make_app(http_handler=Strict())).post("/", json={})
    assert (response.status, response.json()) == (422, {"errors": [{"message": "No thanks."}]})
    assert response.header("x-why") == "policy"


async def test_handle_request_shortcut_closes_uploaded_files(make_app: AppFactory) -> None:
    from tests.wsgi.helpers import UPLOAD, multipart_body

    body, content_type = multipart_body(
        [
            ("operations", json.dumps({"query": UPLOAD, "variables": {"file": None}})),
            ("map", json.dumps({"0": ["variables.file"]})),
            ("0", ("notes.txt", b"hello upload", "text/plain")),
        ]
    )
    headers = [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(body))]
    scope = ASGIClient(make_app()).build_scope("POST", "/", headers, b"")
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    request = Request(scope, receive)
    response = await make_app().handle_request(request)
    assert json.loads(response.body)["data"]["upload"]["content"] == "hello upload"
    uploads = (await request.form()).uploads()
    assert len(uploads) == 1
    assert uploads[0].file.closed


async def test_handle_request_shortcut_closes_on_error_and_accepts_sync_close(
    make_app: AppFactory,
) -> None:
    class Failing(GraphQLHTTPHandler):
        async def handle_request(self, request: Any) -> Any:
            raise RuntimeError("boom")

    class FrameworkRequest:  # a request type whose close() is not a coroutine
        closed = False

        def close(self) -> None:
            self.closed = True

    request = FrameworkRequest()
    with pytest.raises(RuntimeError, match="boom"):
        await make_app(http_handler=Failing()).handle_request(request)
    assert request.closed
