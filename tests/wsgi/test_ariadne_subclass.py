"""A ``GraphQL`` subclass written exactly as an Ariadne user writes one, over a real socket.

Every override below uses Ariadne's WSGI signatures (``(environ, start_response)`` in,
the body out; ``return_response_from_result(start_response, result)``;
``handle_http_error(error, start_response)``) and Ariadne's error classes, and calls
``start_response`` itself where an Ariadne user would. Only the import lines differ from
an Ariadne project.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLError

from graphqlwire import HttpBadRequestError, HttpError
from graphqlwire.execution import Extension
from graphqlwire.wsgi import GraphQL, GraphQLMiddleware
from tests.wsgi.helpers import SCHEMA, wsgiref_server

TIMEOUT = httpx.Timeout(5.0)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """One client for the module: building one (its TLS context) costs a few 100 ms."""
    with httpx.Client(timeout=TIMEOUT) as shared:
        yield shared


CALLS: list[str] = []


class Tagging(Extension):
    def format(self, context: Any) -> dict[str, Any]:
        return {"tagged": True}


def shout(resolve: Any, obj: Any, info: Any, **kwargs: Any) -> Any:
    value = resolve(obj, info, **kwargs)
    return value.upper() if isinstance(value, str) else value


class CustomGraphQL(GraphQL):
    """What an Ariadne user's subclass looks like (Ariadne's signatures, no type hints)."""

    def handle_request(self, environ, start_response):
        CALLS.append("handle_request")
        return super().handle_request(environ, start_response)

    def handle_get(self, environ, start_response):
        CALLS.append("handle_get")
        return super().handle_get(environ, start_response)

    def handle_get_query(self, environ, start_response, query_params):
        CALLS.append("handle_get_query")
        return super().handle_get_query(environ, start_response, query_params)

    def extract_data_from_get(self, query_params):
        data = super().extract_data_from_get(query_params)
        if query_params.get("who"):
            data["variables"] = {"name": query_params["who"]}
        return data

    def handle_get_explorer(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=UTF-8")])
        return [b"<h1>my explorer</h1>"]

    def handle_post(self, environ, start_response):
        if environ.get("HTTP_X_BLOCK"):
            raise HttpBadRequestError("Blocked by X-Block.")
        if environ.get("HTTP_X_GRAPHQL_ERROR"):
            raise GraphQLError("Refused with a GraphQLError.")
        return super().handle_post(environ, start_response)

    def get_request_data(self, environ):
        CALLS.append("get_request_data")
        return super().get_request_data(environ)

    def extract_data_from_json_request(self, environ):
        data = super().extract_data_from_json_request(environ)
        if isinstance(data, dict) and "q" in data:  # a legacy client's key
            data["query"] = data.pop("q")
        return data

    def get_request_content_length(self, environ):
        CALLS.append("get_request_content_length")
        return super().get_request_content_length(environ)

    def get_request_body(self, environ, content_length):
        CALLS.append(f"get_request_body:{content_length}")
        return super().get_request_body(environ, content_length)

    def extract_data_from_multipart_request(self, environ):
        CALLS.append("extract_data_from_multipart_request")
        return super().extract_data_from_multipart_request(environ)

    def execute_query(self, environ, data):
        CALLS.append("execute_query")
        return super().execute_query(environ, data)

    def get_context_for_request(self, environ, data):
        return f"user={environ.get('HTTP_X_USER', 'anonymous')}"

    def get_extensions_for_request(self, environ, context):
        return [Tagging] if environ.get("HTTP_X_TAG") else None

    def get_middleware_for_request(self, environ, context):
        return [shout] if environ.get("HTTP_X_SHOUT") else None

    def return_response_from_result(self, start_response, result):
        success, response = result
        status = "200 OK" if success else "400 BAD REQUEST"
        start_response(status, [("Content-Type", "application/json"), ("X-Success", str(success))])
        return [json.dumps(response).encode("utf-8")]

    def handle_graphql_error(self, error, start_response):
        start_response("400 BAD REQUEST", [("Content-Type", "application/json")])
        return [json.dumps({"errors": [{"message": error.message}], "custom": 1}).encode()]

    def handle_http_error(self, error, start_response):
        start_response(error.status, [("Content-Type", "text/plain; charset=UTF-8")])
        return [str(error.message or error.status).encode("utf-8")]

    def handle_not_allowed_method(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "OPTIONS":
            start_response("200 OK", [("Allow", "OPTIONS, POST, GET"), ("X-Options", "mine")])
            return []
        start_response("405 METHOD NOT ALLOWED", [("Content-Type", "text/plain")])
        return [b"nope"]


def wrapped_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"the other app"]


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    app = GraphQLMiddleware(wrapped_app, CustomGraphQL(SCHEMA, execute_get_queries=True))
    with wsgiref_server(app) as base:
        yield f"{base}/graphql/"


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    CALLS.clear()


def test_post_runs_every_overridden_step_in_order(client: httpx.Client, url: str) -> None:
    body = json.dumps({"q": "{ context }"})
    response = client.post(
        url, content=body, headers={"content-type": "application/json", "x-user": "ann"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["x-success"] == "True"
    assert response.json() == {"data": {"context": "user=ann"}}
    assert [
        "handle_request",
        "get_request_data",
        "get_request_content_length",
        f"get_request_body:{len(body)}",
        "execute_query",
    ] == CALLS


def test_extensions_and_middleware_hooks(client: httpx.Client, url: str) -> None:
    response = client.post(url, json={"query": "{ hello }"}, headers={"x-tag": "1", "x-shout": "1"})
    assert response.json() == {"data": {"hello": "HELLO, WORLD!"}, "extensions": {"tagged": True}}


def test_failed_result_goes_through_the_override(client: httpx.Client, url: str) -> None:
    response = client.post(url, json={"query": "{ nope }"})
    assert (response.status_code, response.headers["x-success"]) == (400, "False")
    assert "Cannot query field 'nope'" in response.json()["errors"][0]["message"]


def test_http_error_from_a_step_reaches_handle_http_error(client: httpx.Client, url: str) -> None:
    response = client.post(url, json={"query": "{ hello }"}, headers={"x-block": "1"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=UTF-8"
    assert response.text == "Blocked by X-Block."
    # graphqlwire's own refusals reach it too, with Ariadne's attributes
    unsupported = client.post(url, content=b"x", headers={"content-type": "text/csv"})
    assert unsupported.status_code == 415
    assert unsupported.text.startswith("Unsupported Content-Type 'text/csv'")


def test_graphql_error_from_a_step_reaches_handle_graphql_error(
    client: httpx.Client, url: str
) -> None:
    response = client.post(url, json={"query": "{ hello }"}, headers={"x-graphql-error": "1"})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Refused with a GraphQLError."}], "custom": 1}


def test_get_query_and_explorer_overrides(client: httpx.Client, url: str) -> None:
    response = client.get(url, params={"query": "query($name: String) { hello(name: $name) }",
                                      "who": "Bob"}, headers={"accept": "application/json"})  # fmt: skip
    assert response.json() == {"data": {"hello": "Hello, Bob!"}}
    assert CALLS == ["handle_request", "handle_get", "handle_get_query", "execute_query"]
    explorer = client.get(url, headers={"accept": "text/html"})
    assert explorer.text == "<h1>my explorer</h1>"


def test_not_allowed_method_override(client: httpx.Client, url: str) -> None:
    options = client.options(url)
    assert (options.status_code, options.headers["x-options"]) == (200, "mine")
    assert (client.delete(url).status_code, client.delete(url).text) == (405, "nope")


def test_multipart_step_is_used(client: httpx.Client, url: str) -> None:
    operations = {"query": "mutation($f: Upload!) { upload(file: $f) { content } }",
                  "variables": {"f": None}}  # fmt: skip
    response = client.post(
        url,
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
        files={"0": ("a.txt", b"file body", "text/plain")},
    )
    assert response.json() == {"data": {"upload": {"content": "file body"}}}
    assert "extract_data_from_multipart_request" in CALLS
    assert "get_request_content_length" in CALLS


def test_other_paths_reach_the_wrapped_app(client: httpx.Client, url: str) -> None:
    assert client.get(url.replace("/graphql/", "/elsewhere")).text == "the other app"


# --- Ariadne's own WSGI tests, as a user's suite copies them (in process) ---------------


class Recorder:
    """A `start_response` that records its calls (what Ariadne's tests use a Mock for)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
        self.calls.append((status, headers))
        return lambda data: None


def test_http_error_raised_in_handle_request_is_passed_to_handle_http_error() -> None:
    exception = HttpError(status="405 METHOD NOT ALLOWED")
    seen: list[tuple[Any, Any]] = []

    class App(GraphQL):
        def handle_request(self, environ: Any, start_response: Any) -> Any:
            raise exception

        def handle_http_error(self, error: Any, start_response: Any) -> Any:
            seen.append((error, start_response))
            return []

    start_response = Recorder()
    App(SCHEMA)({"PATH_INFO": "/graphql/"}, start_response)
    assert seen == [(exception, start_response)]


def test_default_http_error_answer_uses_the_error_status_line() -> None:
    class App(GraphQL):
        def handle_request(self, environ: Any, start_response: Any) -> Any:
            raise HttpBadRequestError("This is bad request error.")

    start_response = Recorder()
    body = App(SCHEMA)({"PATH_INFO": "/graphql/"}, start_response)
    assert start_response.calls[0][0] == HttpBadRequestError().status == "400 BAD REQUEST"
    assert json.loads(b"".join(body)) == {"errors": [{"message": "This is bad request error."}]}


def test_dispatch_passes_environ_and_start_response_through() -> None:
    seen: list[tuple[str, Any, Any]] = []

    class App(GraphQL):
        def handle_get(self, environ: Any, start_response: Any) -> Any:
            seen.append(("get", environ, start_response))
            return []

        def handle_post(self, environ: Any, start_response: Any) -> Any:
            seen.append(("post", environ, start_response))
            return []

    app, start_response = App(SCHEMA), Recorder()
    for method in ("GET", "POST"):
        environ = {"PATH_INFO": "/graphql/", "REQUEST_METHOD": method}
        app(environ, start_response)
        assert seen[-1] == (method.lower(), environ, start_response)
