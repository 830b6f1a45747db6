"""Bad requests get a clear 4xx from the WSGI app, the same as from the ASGI handler."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from graphqlwire.wsgi import GraphQL
from graphqlwire.wsgi.environ import DRAIN_LIMIT
from tests.wsgi.helpers import SCHEMA, UPLOAD, call, multipart_body

OPERATIONS = json.dumps({"query": UPLOAD, "variables": {"file": None}})
MAP = json.dumps({"0": ["variables.file"]})
FILE = ("a.txt", b"hello", "text/plain")


def _multipart(fields: list[tuple[str, Any]]) -> dict[str, Any]:
    body, content_type = multipart_body(fields)
    return {"body": body, "headers": {"content-type": content_type}}


def _json(body: bytes, content_type: str = "application/json") -> dict[str, Any]:
    return {"body": body, "headers": {"content-type": content_type}}


#: (case id, request keyword arguments, status, text the error message contains)
BAD_REQUESTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("invalid JSON", _json(b"{nope"), 400, "Request body is not valid JSON"),
    (
        "empty body",
        _json(
            b"",
        )
        | {"content_length": "0"},
        400,
        "Request body is empty",
    ),
    ("batch, batches off", _json(b"[]"), 400, "turn batches on with max_batch_size"),
    ("JSON string", _json(b'"query"'), 400, "must be a JSON object, not a string"),
    ("query not a string", _json(b'{"query": 1}'), 400, "'query' must be a string, not a number"),
    (
        "variables not an object",
        _json(b'{"query": "{ hello }", "variables": []}'),
        400,
        "'variables' must be an object or null",
    ),
    (
        "operationName not a string",
        _json(b'{"query": "{ hello }", "operationName": 5}'),
        400,
        "'operationName' must be a string or null",
    ),
    ("missing query", _json(b'{"variables": {}}'), 400, "has no 'query'"),
    ("query does not parse", _json(b'{"query": "{"}'), 400, "Syntax Error"),
    ("non-UTF-8 body", _json(b'{"query": "\xff"}'), 400, "not valid UTF-8"),
    ("non-UTF-8 charset", _json(b"{}", "application/json; charset=latin-1"), 415, "only utf-8"),
    ("missing Content-Type", {"body": b'{"query": "{ hello }"}'}, 415, "Missing Content-Type"),
    (
        "unsupported Content-Type",
        _json(b"query=x", "text/plain"),
        415,
        "Unsupported Content-Type 'text/plain'",
    ),
    ("multipart without boundary", _json(b"--x--", "multipart/form-data"), 400, "no boundary"),
    (
        "multipart not multipart",
        _json(b"garbage", "multipart/form-data; boundary=b"),
        400,
        "Malformed multipart body",
    ),
    (
        "multipart cut short",
        {
            "body": multipart_body([("operations", OPERATIONS)])[0][:-8],
            "headers": {"content-type": "multipart/form-data; boundary=XyZ-boundary"},
        },
        400,
        "before the closing boundary",
    ),
    ("missing operations", _multipart([("map", MAP), ("0", FILE)]), 400, "no 'operations' field"),
    ("missing map", _multipart([("operations", OPERATIONS), ("0", FILE)]), 400, "no 'map' field"),
    (
        "operations not JSON",
        _multipart([("operations", "{"), ("map", MAP), ("0", FILE)]),
        400,
        "'operations' field is not valid JSON",
    ),
    (
        "map not JSON",
        _multipart([("operations", OPERATIONS), ("map", "["), ("0", FILE)]),
        400,
        "'map' field is not valid JSON",
    ),
    (
        "map not an object",
        _multipart([("operations", OPERATIONS), ("map", "[]"), ("0", FILE)]),
        400,
        "must be a JSON object whose values are arrays",
    ),
    (
        "map values not string arrays",
        _multipart([("operations", OPERATIONS), ("map", '{"0": "variables.file"}'), ("0", FILE)]),
        400,
        "must be a non-empty array of path strings",
    ),
    (
        "path to nowhere",
        _multipart([("operations", OPERATIONS), ("map", '{"0": ["variables.nope"]}'), ("0", FILE)]),
        400,
        "does not exist in 'operations'",
    ),
    (
        "path to a non-null",
        _multipart(
            [
                ("operations", json.dumps({"query": UPLOAD, "variables": {"file": 1}})),
                ("map", MAP),
                ("0", FILE),
            ]
        ),
        400,
        "must point at null",
    ),
    (
        "mapped file missing",
        _multipart([("operations", OPERATIONS), ("map", MAP)]),
        400,
        "was not received",
    ),
    (
        "unmapped file",
        _multipart([("operations", OPERATIONS), ("map", MAP), ("0", FILE), ("1", FILE)]),
        400,
        "not named in the 'map' field",
    ),
    (
        "bad batch path",
        _multipart(
            [
                ("operations", json.dumps([{"query": UPLOAD, "variables": {"file": None}}])),
                ("map", '{"0": ["1.variables.file"]}'),
                ("0", FILE),
            ]
        ),
        400,
        "does not exist in 'operations'",
    ),
    (
        "missing Content-Length",
        _json(b"{}") | {"content_length": None},
        411,
        "Missing Content-Length",
    ),
    # the client closed its side early: a plain BytesIO gives EOF where a socket would block
    (
        "body shorter than Content-Length",
        _json(b"")
        | {
            "content_length": "100",
            "environ": {"wsgi.input": io.BytesIO(b'{"query": "{ hello }"}')},
        },
        400,
        "ended after 22 of the 100 bytes",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_request_gets_a_clear_4xx(kwargs: dict[str, Any], status: int, message: str) -> None:
    result = call(GraphQL(SCHEMA), "POST", **kwargs)
    assert result.code == status, result.body
    assert result.header("content-type") == "application/json; charset=utf-8"
    [error] = result.json()["errors"]
    assert message in error["message"]


def test_oversized_json_body_is_413_without_reading_it() -> None:
    body = json.dumps({"query": "{ hello }", "pad": "x" * 2000}).encode()
    result = call(GraphQL(SCHEMA, max_body_size=1000), "POST", **_json(body))
    assert result.code == 413
    assert result.json()["errors"][0]["message"] == (
        "Request body is larger than the limit of 1000 bytes."
    )
    # the small rest of the body was skipped, so closing the socket will not reset it
    assert result.input.tell() == len(body)


@pytest.mark.parametrize("size", [200_000, 3_000_000])
def test_oversized_chunked_body_is_413_after_the_limit(size: int) -> None:
    body = json.dumps({"query": "{ hello }", "pad": "x" * size}).encode()
    result = call(
        GraphQL(SCHEMA, max_body_size=100_000),
        "POST",
        content_length=None,
        environ={"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
        **_json(body),
    )
    assert result.code == 413
    # It stopped within one chunk past the limit, then skipped at most DRAIN_LIMIT more
    # (all of a small rest, so the client reads the answer before the socket closes).
    read = result.input.tell()
    assert (
        read == len(body) if len(body) < DRAIN_LIMIT else read <= 100_000 + 64 * 1024 + DRAIN_LIMIT
    )


def test_oversized_upload_is_413() -> None:
    fields = [
        ("operations", OPERATIONS),
        ("map", MAP),
        ("0", ("big.bin", b"x" * 5000, "application/octet-stream")),
    ]
    small = call(GraphQL(SCHEMA, max_body_size=1000), "POST", **_multipart(fields))
    assert small.code == 413
    assert "larger than the limit of 1000 bytes" in small.json()["errors"][0]["message"]
    per_file = call(GraphQL(SCHEMA, max_file_size=100), "POST", **_multipart(fields))
    assert per_file.code == 413
    assert per_file.json()["errors"][0]["message"] == (
        "File '0' is larger than the limit of 100 bytes."
    )


def test_too_many_files_is_413() -> None:
    fields = [("operations", OPERATIONS), ("map", MAP), ("0", FILE), ("1", FILE)]
    result = call(GraphQL(SCHEMA, max_files=1), "POST", **_multipart(fields))
    assert result.code == 413
    assert "Too many files" in result.json()["errors"][0]["message"]


def test_chunked_json_body_is_read_until_eof_when_terminated() -> None:
    result = call(
        GraphQL(SCHEMA),
        "POST",
        content_length=None,
        # the server de-chunks and signals the end with EOF, as gunicorn does
        environ={
            "wsgi.input_terminated": True,
            "wsgi.input": io.BytesIO(b'{"query": "{ hello }"}'),
        },
        **_json(b""),
    )
    assert result.code == 200
    assert result.json() == {"data": {"hello": "Hello, world!"}}


def test_invalid_content_length_is_400() -> None:
    # The validator refuses such an environ (a server should not pass it on), so check
    # PEP 3333 types by hand here.
    result = call(GraphQL(SCHEMA), "POST", content_length="12abc", validate=False, **_json(b"{}"))
    assert result.status == "400 BAD REQUEST"
    assert all(isinstance(v, str) for _, v in result.headers)
    assert result.json()["errors"][0]["message"] == (
        "Invalid Content-Length header '12abc': expected a number of bytes."
    )
