"""CORSMiddleware and RequirePreflightMiddleware (in-process), plus the pure CSRF rule."""

from __future__ import annotations

from typing import Any

import pytest

from graphqlwire.asgi.middleware import CORSMiddleware, RequirePreflightMiddleware
from graphqlwire.http._rules import is_csrf_prone
from tests.testclient import ASGIClient

from .conftest import AppFactory

ORIGIN = "https://app.example"
PREFLIGHT = {
    "origin": ORIGIN,
    "access-control-request-method": "POST",
    "access-control-request-headers": "Content-Type, GraphQL-Require-Preflight",
}


def cors(make_app: AppFactory, **options: Any) -> ASGIClient:
    options.setdefault("allow_origins", [ORIGIN])
    options.setdefault("allow_headers", ["graphql-require-preflight"])
    return ASGIClient(CORSMiddleware(make_app(execute_get_queries=True), **options))


async def test_preflight_allowed(make_app: AppFactory) -> None:
    response = await cors(make_app, max_age=42).options("/", headers=PREFLIGHT)
    assert response.status == 200
    assert response.header("access-control-allow-origin") == ORIGIN
    assert response.header("access-control-allow-methods") == "GET, OPTIONS, POST"
    assert (
        response.header("access-control-allow-headers") == "content-type, graphql-require-preflight"
    )
    assert response.header("access-control-max-age") == "42"
    assert response.header("vary") == "Origin"
    assert response.header("access-control-allow-credentials") is None


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({"origin": "https://evil.example"}, "origin 'https://evil.example'"),
        ({"access-control-request-method": "DELETE"}, "method 'DELETE'"),
        ({"access-control-request-headers": "x-secret, content-type"}, "headers x-secret"),
    ],
)
async def test_preflight_refused(
    make_app: AppFactory, headers: dict[str, str], fragment: str
) -> None:
    response = await cors(make_app).options("/", headers={**PREFLIGHT, **headers})
    assert response.status == 400
    assert fragment in response.text
    assert response.header("access-control-allow-origin") is None


async def test_preflight_wildcards(make_app: AppFactory) -> None:
    client = cors(make_app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
    headers = {**PREFLIGHT, "access-control-request-method": "PUT", "origin": "https://x.y"}
    headers["access-control-request-headers"] = "x-anything"
    response = await client.options("/", headers=headers)
    assert response.status == 200
    assert response.header("access-control-allow-origin") == "*"
    assert response.header("access-control-allow-methods") == "PUT"
    assert response.header("access-control-allow-headers") == "x-anything"


async def test_simple_request_gets_cors_headers(make_app: AppFactory) -> None:
    client = cors(make_app, expose_headers=["x-trace"], allow_credentials=True)
    response = await client.post("/", json={"query": "{ hello }"}, headers={"origin": ORIGIN})
    assert response.status == 200
    assert response.json() == {"data": {"hello": "Hello, world!"}}
    assert response.header("access-control-allow-origin") == ORIGIN
    assert response.header("access-control-allow-credentials") == "true"
    assert response.header("access-control-expose-headers") == "x-trace"
    assert response.header_list("vary") == ["Origin"]


def test_wildcard_with_credentials_is_refused(make_app: AppFactory) -> None:
    # Was allowed, echoing any origin (even "null") with allow-credentials: true.
    with pytest.raises(ValueError, match="list the allowed origins"):
        CORSMiddleware(make_app(), allow_origins=["*"], allow_credentials=True)


async def test_null_origin_is_only_echoed_when_listed(make_app: AppFactory) -> None:
    query = {"query": "{ hello }"}
    client = cors(make_app, allow_credentials=True)
    response = await client.post("/", json=query, headers={"origin": "null"})
    assert response.header("access-control-allow-origin") is None
    assert response.header("access-control-allow-credentials") is None
    preflight = await client.options("/", headers={**PREFLIGHT, "origin": "null"})
    assert preflight.status == 400
    assert preflight.header("access-control-allow-origin") is None
    # "*" without credentials answers "*", never the origin itself.
    response = await cors(make_app, allow_origins=["*"]).post(
        "/", json=query, headers={"origin": "null"}
    )
    assert response.header("access-control-allow-origin") == "*"
    listed = cors(make_app, allow_origins=["null"], allow_credentials=True)
    response = await listed.post("/", json=query, headers={"origin": "null"})
    assert response.header("access-control-allow-origin") == "null"
    assert response.header("access-control-allow-credentials") == "true"


async def test_get_responses_vary_on_accept_and_origin(make_app: AppFactory) -> None:
    response = await cors(make_app).get(
        "/", params={"query": "{ hello }"}, headers={"origin": ORIGIN}
    )
    assert response.status == 200
    assert response.header_list("vary") == ["Accept, Origin"]


async def test_unknown_origin_and_no_origin_get_no_cors_headers(make_app: AppFactory) -> None:
    client = cors(make_app)
    for headers in ({"origin": "https://evil.example"}, {}):
        response = await client.post("/", json={"query": "{ hello }"}, headers=headers)
        assert response.status == 200
        assert response.header("access-control-allow-origin") is None


async def test_plain_options_with_origin_reaches_the_app(make_app: AppFactory) -> None:
    response = await cors(make_app).options("/", headers={"origin": ORIGIN})
    assert response.header("allow") == "OPTIONS, POST, GET"
    assert response.header("access-control-allow-origin") == ORIGIN


async def test_cors_passes_lifespan_through(make_app: AppFactory) -> None:
    async with cors(make_app).lifespan() as sent:
        assert sent == [{"type": "lifespan.startup.complete"}]


# --- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "content_type", "has_query", "prone"),
    [
        ("POST", "application/json", False, False),
        ("POST", "application/json; charset=utf-8", False, False),
        ("POST", "multipart/form-data; boundary=x", False, True),
        ("POST", "application/x-www-form-urlencoded", False, True),
        ("POST", "Text/Plain", False, True),
        ("POST", None, False, True),
        ("GET", None, True, True),
        ("GET", None, False, False),
        ("OPTIONS", None, False, False),
    ],
)
def test_is_csrf_prone(method: str, content_type: str | None, has_query: bool, prone: bool) -> None:
    assert is_csrf_prone(method, content_type, has_query) is prone


MULTIPART = (
    b"--b\r\n"
    b'Content-Disposition: form-data; name="operations"\r\n\r\n'
    b'{"query": "{ hello }"}\r\n'
    b"--b\r\n"
    b'Content-Disposition: form-data; name="map"\r\n\r\n'
    b"{}\r\n"
    b"--b--\r\n"
)


@pytest.fixture
def guarded(make_app: AppFactory) -> ASGIClient:
    return ASGIClient(RequirePreflightMiddleware(make_app(execute_get_queries=True)))


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        (
            "POST",
            {"body": MULTIPART, "headers": {"content-type": "multipart/form-data; boundary=b"}},
        ),
        ("POST", {"body": "query={ hello }", "headers": {"content-type": "text/plain"}}),
        ("GET", {"params": {"query": "{ hello }"}}),
    ],
)
async def test_csrf_prone_requests_need_a_preflight_header(
    guarded: ASGIClient, method: str, kwargs: dict[str, Any]
) -> None:
    refused = await guarded.request(method, "/", **kwargs)
    assert refused.status == 400
    assert "graphql-require-preflight" in refused.json()["errors"][0]["message"]
    for header in (
        "GraphQL-Require-Preflight",
        "Apollo-Require-Preflight",
        "X-Apollo-Operation-Name",
    ):
        headers = {**kwargs.get("headers", {}), header: "1"}
        passed = await guarded.request(method, "/", **{**kwargs, "headers": headers})
        assert passed.status != 400 or "CSRF" not in passed.text, header


async def test_guard_lets_json_explorer_and_options_through(guarded: ASGIClient) -> None:
    assert (await guarded.post("/", json={"query": "{ hello }"})).status == 200
    assert (await guarded.get("/")).status == 200  # the explorer page
    assert (await guarded.options("/")).status == 200


async def test_guarded_multipart_with_header_executes(guarded: ASGIClient) -> None:
    response = await guarded.post(
        "/",
        body=MULTIPART,
        headers={
            "content-type": "multipart/form-data; boundary=b",
            "graphql-require-preflight": "1",
        },
    )
    assert response.json() == {"data": {"hello": "Hello, world!"}}


async def test_custom_header_names(make_app: AppFactory) -> None:
    client = ASGIClient(
        RequirePreflightMiddleware(make_app(execute_get_queries=True), header_names=["X-Csrf"])
    )
    params = {"query": "{ hello }"}
    assert (
        await client.get("/", params=params, headers={"graphql-require-preflight": "1"})
    ).status == 400
    assert (await client.get("/", params=params, headers={"x-csrf": "1"})).status == 200


async def test_guard_treats_an_empty_query_as_absent(guarded: ASGIClient) -> None:
    # As the handler does: ``?query=`` is no query, so nothing could run cross-site.
    explorer = await guarded.get("/?query=")
    assert explorer.status == 200
    assert "GraphiQL" in explorer.text
    missing = await guarded.get("/?query=", headers={"accept": "application/json"})
    assert missing.status == 400
    assert "Missing GraphQL query" in missing.json()["errors"][0]["message"]
    refused = await guarded.get("/?query=%7B%7D")  # a real query still needs the header
    assert (refused.status, "CSRF" in refused.text) == (400, True)
