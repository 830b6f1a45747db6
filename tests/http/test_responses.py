"""Responses as ASGI apps: status, headers, Content-Length, charset, JSON encoding."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graphqlwire.http import HTMLResponse, JSONResponse, PlainTextResponse, Response


async def run(response: Response) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("responses must not read the request")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await response({"type": "http"}, receive, send)
    return sent


async def test_response_sends_start_then_body():
    sent = await run(Response(b"hi", status_code=201, headers={"X-Thing": "1"}))
    assert sent == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"x-thing", b"1"), (b"content-length", b"2")],
        },
        {"type": "http.response.body", "body": b"hi"},
    ]


async def test_empty_response_has_zero_length_and_no_content_type():
    sent = await run(Response())
    assert sent[0]["headers"] == [(b"content-length", b"0")]
    assert sent[1]["body"] == b""


@pytest.mark.parametrize("status", [204, 304, 101])
def test_no_content_length_where_rfc_9110_forbids_it(status: int):
    assert Response(status_code=status).raw_headers == []


def test_given_content_type_and_length_win():
    response = Response(
        b"abc", headers={"content-length": "3", "content-type": "x/y"}, media_type="text/plain"
    )
    assert response.raw_headers == [(b"content-length", b"3"), (b"content-type", b"x/y")]


@pytest.mark.parametrize(
    ("response", "content_type"),
    [
        (PlainTextResponse("caf\u00e9"), b"text/plain; charset=utf-8"),
        (HTMLResponse("<p>"), b"text/html; charset=utf-8"),
        (JSONResponse({}), b"application/json; charset=utf-8"),
        (
            Response("x", media_type="application/graphql-response+json"),
            b"application/graphql-response+json; charset=utf-8",
        ),
        (Response(b"x", media_type="image/png"), b"image/png"),
        (Response("x", media_type="text/plain; charset=latin-1"), b"text/plain; charset=latin-1"),
    ],
)
def test_text_types_get_utf8_charset(response: Response, content_type: bytes):
    assert response.headers["content-type"] == content_type.decode()


def test_str_content_is_utf8_and_length_counts_bytes():
    response = PlainTextResponse("caf\u00e9")
    assert response.body == "caf\u00e9".encode()
    assert response.headers["content-length"] == "5"


def test_response_rejects_other_content():
    with pytest.raises(TypeError, match="Response content must be bytes or str, not dict"):
        Response({"a": 1})


def test_json_response_is_compact_utf8():
    response = JSONResponse(
        {"data": {"msg": "h\u00e9llo \u2603", "n": [1, 2.5, None, True]}}, status_code=400
    )
    assert response.body == '{"data":{"msg":"h\u00e9llo \u2603","n":[1,2.5,null,true]}}'.encode()
    assert response.status_code == 400
    assert response.headers["content-length"] == str(len(response.body))


def test_json_response_escapes_lone_surrogates_instead_of_failing():
    response = JSONResponse({"s": "a\ud800b"})
    assert response.body == b'{"s":"a\\ud800b"}'
    assert json.loads(response.body) == {"s": "a\ud800b"}


def test_json_response_refuses_nan():
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        JSONResponse({"x": float("nan")})


def test_headers_property_writes_through():
    response = JSONResponse(None)
    assert response.body == b"null"
    response.headers["allow"] = "GET, POST"
    assert (b"allow", b"GET, POST") in response.raw_headers
    assert "JSONResponse(status_code=200" in repr(response)
