"""GraphQLHTTPHandler request handling: methods, GET, explorers and bad input (in-process)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graphqlwire.explorers import Explorer, ExplorerHttp405, ExplorerPlayground
from tests.testclient import ASGIClient

from .conftest import AppFactory

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def error_message(response: Any) -> str:
    assert response.content_type == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["errors"]
    message: str = body["errors"][0]["message"]
    return message


# --- methods --------------------------------------------------------------------------------


async def test_options_lists_allowed_methods(make_app: AppFactory) -> None:
    response = await ASGIClient(make_app()).options("/")
    assert response.status == 200
    assert response.header("allow") == "OPTIONS, POST, GET"
    assert response.body == b""


async def test_options_without_get(make_app: AppFactory) -> None:
    response = await ASGIClient(make_app(introspection=False)).options("/")
    assert response.header("allow") == "OPTIONS, POST"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD", "BREW"])
async def test_other_methods_are_405(client: ASGIClient, method: str) -> None:
    response = await client.request(method, "/", json={"query": "{ hello }"})
    assert response.status == 405
    assert response.header("allow") == "OPTIONS, POST, GET"
    assert f"Method {method} is not allowed" in error_message(response)


# --- GET ------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "*/*", BROWSER_ACCEPT, "text/html"])
async def test_get_renders_explorer_for_html_clients(
    make_app: AppFactory, accept: str | None
) -> None:
    headers = {"accept": accept} if accept else {}
    response = await ASGIClient(make_app()).get("/graphql", headers=headers)
    assert response.status == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert "GraphiQL" in response.text
    assert 'url: "/graphql"' in response.text


async def test_get_explorer_even_with_query_when_get_queries_are_off(
    make_app: AppFactory,
) -> None:
    response = await ASGIClient(make_app()).get("/", params={"query": "{ hello }"})
    assert response.status == 200
    assert response.content_type == "text/html; charset=utf-8"


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
@pytest.mark.parametrize("get_queries", [True, False])
async def test_get_without_query_for_json_clients_is_400(
    make_app: AppFactory, accept: str, get_queries: bool
) -> None:
    client = ASGIClient(make_app(execute_get_queries=get_queries))
    for params in ({}, {"query": ""}, {"variables": "{}"}):
        response = await client.get("/", params=params, headers={"accept": accept})
        assert response.status == 400
        assert error_message(response).startswith("Missing GraphQL query")


async def test_get_query_for_json_clients_when_get_queries_are_off(make_app: AppFactory) -> None:
    response = await ASGIClient(make_app()).get(
        "/", params={"query": "{ hello }"}, headers={"accept": "application/json"}
    )
    assert response.status == 405
    assert response.header("allow") == "OPTIONS, POST, GET"
    assert "GET is disabled" in error_message(response)


async def test_get_executes_query_with_variables(client: ASGIClient) -> None:
    response = await client.get(
        "/",
        params={
            "query": "query Q($n: String) { hello(name: $n) method }",
            "variables": '{"n": "GET"}',
            "operationName": "Q",
        },
    )
    assert response.status == 200
    assert response.json() == {"data": {"hello": "Hello, GET!", "method": "GET"}}


@pytest.mark.parametrize("name", ["variables", "extensions"])
async def test_get_bad_json_param(client: ASGIClient, name: str) -> None:
    response = await client.get("/", params={"query": "{ hello }", name: "{oops"})
    assert response.status == 400
    assert f"The '{name}' query parameter is not valid JSON" in error_message(response)


async def test_introspection_off_hides_explorer(make_app: AppFactory) -> None:
    response = await ASGIClient(make_app(introspection=False)).get("/")
    assert response.status == 405
    assert response.header("allow") == "OPTIONS, POST"


async def test_explorer_returning_none_is_405(make_app: AppFactory) -> None:
    response = await ASGIClient(make_app(explorer=ExplorerHttp405())).get("/")
    assert response.status == 405
    assert "allow" in response.headers


async def test_async_and_custom_explorers(make_app: AppFactory) -> None:
    class AsyncExplorer(Explorer):
        async def html(self, request: Any) -> str:
            return f"<p>{request.scope['path']}</p>"

    response = await ASGIClient(make_app(explorer=AsyncExplorer())).get("/x")
    assert (response.status, response.text) == (200, "<p>/x</p>")
    response = await ASGIClient(make_app(explorer=ExplorerPlayground())).get("/")
    assert "GraphQLPlayground.init" in response.text


async def test_explorer_urls_follow_root_path_and_scheme(make_app: AppFactory) -> None:
    client = ASGIClient(make_app(), root_path="/api", scheme="https", host="example.org")
    response = await client.get("/graphql")
    assert 'url: "/api/graphql"' in response.text
    assert 'subscriptionUrl: "wss://example.org/api/graphql"' in response.text


# --- POST bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "fragment"),
    [
        (None, "Missing Content-Type"),
        ("text/plain", "Unsupported Content-Type 'text/plain'"),
        ("application/x-www-form-urlencoded", "Unsupported Content-Type"),
        ("application/json; charset=latin-1", "Unsupported charset 'latin-1'"),
    ],
)
async def test_post_content_type_415(
    client: ASGIClient, content_type: str | None, fragment: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/", body=b'{"query": "{ hello }"}', headers=headers)
    assert response.status == 415
    assert fragment in error_message(response)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"", "Request body is empty"),
        (b"{", "Request body is not valid JSON"),
        (b"{'query': '{ hello }'}", "Request body is not valid JSON"),
        (b'{"query": "{ hello \xff }"}', "not valid UTF-8"),
        (b"[" * 50_000, "nested too deeply"),
    ],
)
async def test_post_bad_json_400(client: ASGIClient, body: bytes, fragment: str) -> None:
    response = await client.post("/", body=body, headers={"content-type": "application/json"})
    assert response.status == 400
    assert fragment in error_message(response)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ([], "Batched requests (a JSON array of operations) are off"),
        ("{ hello }", "must be a JSON object, not a string"),
        ({"query": 1}, "'query' must be a string"),
        ({}, "has no 'query'"),
        ({"query": "{ hello }", "variables": "x"}, "'variables' must be an object"),
        ({"query": "{ hello }", "operationName": []}, "'operationName' must be a string"),
    ],
)
async def test_post_wrong_shape(client: ASGIClient, body: Any, fragment: str) -> None:
    response = await client.post("/", json=body)
    assert response.status == 400
    assert fragment in response.json()["errors"][0]["message"]


async def test_post_unknown_keys_and_nulls_are_ignored(client: ASGIClient) -> None:
    body = {"query": "{ hello }", "variables": None, "operationName": None, "what": 1}
    response = await client.post("/", json=body)
    assert response.json() == {"data": {"hello": "Hello, world!"}}


async def test_post_body_in_chunks(client: ASGIClient) -> None:
    body = json.dumps({"query": 'query { hello(name: "chünks") }'}).encode()
    response = await client.post(
        "/", body=body, headers={"content-type": "application/json"}, chunk_size=3
    )
    assert response.json() == {"data": {"hello": "Hello, chünks!"}}


async def test_max_body_size_413(make_app: AppFactory) -> None:
    from graphqlwire.asgi.handlers import GraphQLHTTPHandler

    client = ASGIClient(make_app(http_handler=GraphQLHTTPHandler(max_body_size=30)))
    ok = await client.post("/", json={"query": "{ hello }"})
    assert ok.status == 200
    response = await client.post("/", json={"query": "{ hello }", "pad": "x" * 100})
    assert response.status == 413
    assert "larger than the limit of 30 bytes" in error_message(response)
    response = await client.post(
        "/",
        body=json.dumps({"query": "{ hello }", "pad": "x" * 100}),
        headers={"content-type": "application/json", "content-length": "5"},
        chunk_size=10,
    )
    assert response.status == 413


async def test_client_disconnect_during_body_sends_nothing(client: ASGIClient) -> None:
    scope = client.build_scope("POST", "/", [(b"content-type", b"application/json")], b"")
    sent: list[Any] = []
    messages = iter(
        [
            {"type": "http.request", "body": b'{"query"', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: Any) -> None:
        sent.append(message)

    await client.app(scope, receive, send)
    assert sent == []


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ hello }", "variables": {"x": NaN}}',
        b'{"query": "{ hello }", "variables": {"x": -Infinity}}',
    ],
)
async def test_non_standard_json_constants_are_refused_with_400(
    client: ASGIClient, body: bytes
) -> None:
    response = await client.post("/", body=body, headers={"content-type": "application/json"})
    assert response.status == 400
    assert "is not valid JSON" in response.json()["errors"][0]["message"]


async def test_non_standard_json_constants_in_get_variables_are_refused(schema: Any) -> None:
    from graphqlwire.asgi import GraphQL

    client = ASGIClient(GraphQL(schema, execute_get_queries=True))
    response = await client.get(
        "/",
        params={"query": "{ hello }", "variables": '{"x": Infinity}'},
        headers={"accept": "application/json"},
    )
    assert response.status == 400
    assert (
        "'variables' query parameter is not valid JSON: Infinity"
        in response.json()["errors"][0]["message"]
    )


# --- defaults shared with the WSGI app -----------------------------------------------------


async def test_default_max_body_size_is_10_mib(make_app: AppFactory) -> None:
    # The default handler bounds JSON bodies as the WSGI app does (was unbounded).
    client = ASGIClient(make_app())
    big = json.dumps({"query": "{ hello }", "pad": "x" * (11 * 1024 * 1024)})
    response = await client.post("/", body=big, headers={"content-type": "application/json"})
    assert response.status == 413
    assert "larger than the limit of 10485760 bytes" in error_message(response)
    # A Content-Length that understates the body: the bytes are counted as they arrive.
    response = await client.post(
        "/",
        body=big,
        headers={"content-type": "application/json", "content-length": "50"},
        chunk_size=1024 * 1024,
    )
    assert response.status == 413


async def test_options_is_an_empty_text_plain_200(make_app: AppFactory) -> None:
    # The same answer as the WSGI app's.
    response = await ASGIClient(make_app()).options("/")
    assert response.status == 200
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.header("content-length") == "0"
    assert response.body == b""


@pytest.mark.parametrize(
    ("accept", "params", "status"),
    [
        (BROWSER_ACCEPT, {}, 200),  # the explorer
        ("application/json", {"query": "{ hello }"}, 200),  # a result
        ("application/json", {}, 400),  # no query
        ("text/plain", {"query": "{ hello }"}, 406),
    ],
)
async def test_get_responses_vary_on_accept(
    make_app: AppFactory, accept: str, params: dict[str, str], status: int
) -> None:
    client = ASGIClient(make_app(execute_get_queries=True))
    response = await client.get("/", headers={"accept": accept}, params=params)
    assert response.status == status
    assert response.header_list("vary") == ["Accept"]


async def test_post_and_options_responses_do_not_vary_on_accept(client: ASGIClient) -> None:
    assert (await client.post("/", json={"query": "{ hello }"})).header("vary") is None
    assert (await client.options("/")).header("vary") is None


async def test_get_error_raised_by_an_override_varies_on_accept(make_app: AppFactory) -> None:
    from graphqlwire.asgi.handlers import GraphQLHTTPHandler
    from graphqlwire.http import HttpBadRequestError

    class Refusing(GraphQLHTTPHandler):
        async def handle_request(self, request: Any) -> Any:
            raise HttpBadRequestError("no")

    response = await ASGIClient(make_app(http_handler=Refusing())).get("/")
    assert (response.status, response.header("vary")) == (400, "Accept")


async def test_operations_sent_as_a_big_file_part_is_413(client: ASGIClient) -> None:
    from tests.wsgi.helpers import multipart_body

    body, content_type = multipart_body(
        [
            ("operations", "{}"),
            ("map", ("map.json", b"{}".ljust(1024 * 1024 + 1), "application/json")),
        ]
    )
    response = await client.post("/", body=body, headers={"content-type": content_type})
    assert response.status == 413
    assert error_message(response) == (
        "The multipart 'map' field was sent as a file of 1048577 bytes, "
        "over the limit of 1048576 bytes for a field."
    )
