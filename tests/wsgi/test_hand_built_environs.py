"""Environs built by hand, as Ariadne users' tests build them (no server, no validator).

Ariadne's own WSGI tests pass an int ``CONTENT_LENGTH``, a ``StringIO`` body and only the
keys they need. Each gets Ariadne's answer, or a clear 4xx where the request cannot be
used: never an AttributeError or a KeyError.
"""

from __future__ import annotations

import json
from io import BytesIO, StringIO
from typing import Any

import pytest

from graphqlwire.wsgi import GraphQL, GraphQLMiddleware
from tests.wsgi.helpers import SCHEMA


class Recorder:
    def __init__(self) -> None:
        self.status = ""
        self.headers: list[tuple[str, str]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
        self.status, self.headers = status, headers
        return lambda data: None


def answer(environ: dict[str, Any], app: Any = None) -> tuple[str, Any]:
    start_response = Recorder()
    app = app or GraphQLMiddleware(lambda *_: [], GraphQL(SCHEMA))
    body = b"".join(app(environ, start_response))
    headers = dict(start_response.headers)
    is_json = headers.get("content-type", "").startswith("application/json")
    return start_response.status, json.loads(body) if is_json else body


def ariadne_request(data: Any = None, **overrides: Any) -> dict[str, Any]:
    """What Ariadne's ``graphql_query_request_factory`` fixture builds."""
    text = json.dumps(data) if data is not None else ""
    environ: dict[str, Any] = {
        "PATH_INFO": "/graphql/",
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": len(text),
        "wsgi.input": StringIO(text),
    }
    environ.update(overrides)
    return environ


def test_int_content_length_and_string_io_body() -> None:
    status, body = answer(ariadne_request({"query": '{ hello(name: "Bob") }'}))
    assert (status, body) == ("200 OK", {"data": {"hello": "Hello, Bob!"}})


def test_string_io_with_non_ascii_text_counts_characters() -> None:
    status, body = answer(ariadne_request({"query": '{ hello(name: "Zoë €") }'}))
    assert (status, body) == ("200 OK", {"data": {"hello": "Hello, Zoë €!"}})


def test_bytes_io_body_with_int_length() -> None:
    raw = json.dumps({"query": "{ hello }"}).encode()
    environ = ariadne_request(None, CONTENT_LENGTH=len(raw), **{"wsgi.input": BytesIO(raw)})
    assert answer(environ) == ("200 OK", {"data": {"hello": "Hello, world!"}})


def _message(body: Any) -> str:
    message: str = body["errors"][0]["message"]
    return message


@pytest.mark.parametrize(
    ("case", "change", "status", "message"),
    [
        ("no wsgi.input", {"wsgi.input": None}, "400 BAD REQUEST", "no 'wsgi.input'"),
        ("empty BytesIO", {"wsgi.input": BytesIO(b"")}, "400 BAD REQUEST", "ended after 0"),
        ("no CONTENT_LENGTH", {"CONTENT_LENGTH": None}, "411 LENGTH REQUIRED", "Missing Content"),
        ("malformed length", {"CONTENT_LENGTH": "malformed"}, "400 BAD REQUEST", "Invalid Content"),
        ("zero length", {"CONTENT_LENGTH": 0}, "400 BAD REQUEST", "body is empty"),
        ("no CONTENT_TYPE", {"CONTENT_TYPE": None}, "415 UNSUPPORTED MEDIA TYPE", "Missing"),
        ("text/plain", {"CONTENT_TYPE": "text/plain"}, "415 UNSUPPORTED MEDIA TYPE", "text/plain"),
        ("not JSON", {"wsgi.input": StringIO("not-json")}, "400 BAD REQUEST", "not valid JSON"),
        ("JSON string", {"wsgi.input": StringIO('"json string"')}, "400 BAD REQUEST", "object"),
    ],
)
def test_unusable_requests_get_a_clear_4xx(
    case: str, change: dict[str, Any], status: str, message: str
) -> None:
    environ = ariadne_request({"query": "{ hello }"})
    for key, value in change.items():
        if value is None:
            del environ[key]
        else:
            environ[key] = value
    if case in ("not JSON", "JSON string"):
        environ["CONTENT_LENGTH"] = len(environ["wsgi.input"].getvalue())
    got_status, body = answer(environ)
    assert got_status == status, case
    assert message in _message(body), case


def test_multipart_body_as_ariadne_factories_build_it() -> None:
    boundary = "------------------------cec8e8123c05ba25"
    operations = json.dumps(
        {
            "query": "mutation($f: Upload!) { upload(file: $f) { content } }",
            "variables": {"f": None},
        }
    )
    data = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{operations}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
        '{ "0": ["variables.f"] }\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="test.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\ntest\r\n--{boundary}--"
    )
    environ = {
        "PATH_INFO": "/graphql/",
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": len(data),
        "wsgi.input": BytesIO(data.encode("latin-1")),
    }
    assert answer(environ) == ("200 OK", {"data": {"upload": {"content": "test"}}})


@pytest.mark.parametrize(
    "environ",
    [
        {"PATH_INFO": "/graphql/"},
        {"PATH_INFO": "/graphql/", "REQUEST_METHOD": "GET"},
        {"PATH_INFO": "/graphql/", "REQUEST_METHOD": "GET", "HTTP_ACCEPT": "text/html"},
    ],
)
def test_minimal_get_environs_get_the_explorer(environ: dict[str, Any]) -> None:
    status, body = answer(environ)
    assert status == "200 OK"
    assert b"<html" in body.lower()


def test_minimal_options_and_other_methods() -> None:
    start_response = Recorder()
    assert GraphQL(SCHEMA)({"REQUEST_METHOD": "OPTIONS"}, start_response) == [b""]
    assert (start_response.status, dict(start_response.headers)["allow"]) == (
        "200 OK",
        "OPTIONS, POST, GET",
    )
    status, body = answer({"REQUEST_METHOD": "DELETE"}, GraphQL(SCHEMA))
    assert status == "405 METHOD NOT ALLOWED"
    assert _message(body).startswith("Method DELETE is not allowed")


def test_get_query_from_a_hand_built_environ() -> None:
    environ = {
        "PATH_INFO": "/graphql/",
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "query=%7B%20hello%20%7D",
        "HTTP_ACCEPT": "application/json",
    }
    assert answer(environ, GraphQL(SCHEMA, execute_get_queries=True)) == (
        "200 OK",
        {"data": {"hello": "Hello, world!"}},
    )
