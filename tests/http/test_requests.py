"""Request: scope views, body streaming and caching, JSON and form parsing, disconnects."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import pytest

from graphqlwire.http import (
    ClientDisconnect,
    HttpBadRequestError,
    HttpPayloadTooLargeError,
    HttpUnsupportedMediaTypeError,
    Request,
    UploadFile,
)
from graphqlwire.http._multipart import MultipartParseError


def make_scope(
    headers: Iterable[tuple[bytes, bytes]] = (), query: bytes = b"", method: str = "POST"
) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": "/graphql",
        "query_string": query,
        "headers": list(headers),
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.2", 50000),
    }


def receiver(*chunks: bytes, disconnect: bool = False):
    """A receive callable that sends ``chunks`` as http.request messages, then disconnects."""
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    if disconnect:
        if messages:
            messages[-1]["more_body"] = True
        messages.append({"type": "http.disconnect"})
    calls: list[int] = []

    async def receive() -> dict[str, Any]:
        calls.append(1)
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # like a real server: nothing more until disconnect
        raise AssertionError("unreachable")

    receive.calls = calls  # type: ignore[attr-defined]
    return receive


def test_scope_is_the_same_dict_and_views_decode_it():
    scope = make_scope(
        headers=[
            (b"host", b"api.test"),
            (b"content-type", b"application/json; charset=UTF-8"),
            (b"cookie", b"a=1; b=two"),
            (b"cookie", b"c=3"),
        ],
        query=b"query=%7Bx%7D&v=1&v=2",
    )
    request = Request(scope)
    assert request.scope is scope
    assert request.method == "POST"
    assert request.headers["Host"] == "api.test"
    assert request.query_params["query"] == "{x}"
    assert request.query_params.getlist("v") == ["1", "2"]
    assert str(request.url) == "http://api.test/graphql?query=%7Bx%7D&v=1&v=2"
    assert request.client == ("127.0.0.2", 50000)
    assert request.cookies == {"a": "1", "b": "two", "c": "3"}
    assert request.content_type == ("application/json", {"charset": "utf-8"})
    assert request.headers is request.headers  # cached
    assert request.url is request.url


def test_scope_without_optional_keys():
    request = Request({"type": "http", "method": "GET", "path": "/"})
    assert request.client is None
    assert request.cookies == {}
    assert request.query_params.multi_items() == []
    assert request.content_type == ("", {})


def test_cookie_parsing_is_lenient():
    header = b'a="quoted"; noequals; =nameless; b=x=y; a=second; c="unterminated; d='
    request = Request(make_scope(headers=[(b"cookie", header)]))
    assert request.cookies == {"a": "quoted", "b": "x=y", "c": '"unterminated', "d": ""}


def test_state_is_stored_in_the_scope():
    scope = make_scope()
    request = Request(scope)
    request.state.user = "ann"
    assert scope["state"] == {"user": "ann"}
    assert Request(scope).state.user == "ann"
    del request.state.user
    with pytest.raises(AttributeError):
        _ = request.state.user
    with pytest.raises(AttributeError):
        del request.state.user


def test_non_http_scope_is_refused():
    with pytest.raises(ValueError, match="Request needs an 'http' scope, not 'websocket'"):
        Request({"type": "websocket"})


async def test_body_joins_chunks_and_is_cached():
    receive = receiver(b"ab", b"", b"cd")
    request = Request(make_scope(), receive)
    assert await request.body() == b"abcd"
    assert await request.body() == b"abcd"
    assert len(receive.calls) == 3
    assert [chunk async for chunk in request.stream()] == [b"abcd"]


async def test_stream_yields_chunks_once():
    request = Request(make_scope(), receiver(b"a", b"b"))
    assert [chunk async for chunk in request.stream()] == [b"a", b"b"]
    with pytest.raises(RuntimeError, match="already consumed"):
        await request.body()


async def test_empty_body_stream_yields_nothing():
    request = Request(make_scope(), receiver(b""))
    assert await request.body() == b""
    assert [chunk async for chunk in request.stream()] == []


async def test_request_without_receive_cannot_read_its_body():
    with pytest.raises(RuntimeError, match="without a receive"):
        await Request(make_scope()).body()


async def test_disconnect_while_reading_raises_client_disconnect():
    request = Request(make_scope(), receiver(b"ab", disconnect=True))
    with pytest.raises(ClientDisconnect):
        await request.body()
    assert await request.is_disconnected()


async def test_unknown_messages_are_skipped():
    messages = [{"type": "http.unknown"}, {"type": "http.request", "body": b"x"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    assert await Request(make_scope(), receive).body() == b"x"


async def test_body_limit_from_content_length_and_from_received_bytes():
    scope = make_scope(headers=[(b"content-length", b"10")])
    request = Request(scope, receiver(b"x" * 10), max_body_size=5)
    with pytest.raises(HttpPayloadTooLargeError, match="larger than the limit of 5 bytes"):
        await request.body()
    lying = Request(make_scope(), receiver(b"abc", b"def"), max_body_size=5)
    with pytest.raises(HttpPayloadTooLargeError) as info:
        await lying.body()
    assert info.value.status_code == 413
    assert await Request(make_scope(), receiver(b"abcde"), max_body_size=5).body() == b"abcde"


async def test_non_numeric_content_length_is_a_400_not_a_crash():
    scope = make_scope(headers=[(b"content-length", "²".encode())])
    with pytest.raises(HttpBadRequestError, match="is not a number of bytes"):
        await Request(scope, receiver(b"x"), max_body_size=5).body()


async def test_json_parses_utf8_and_caches():
    request = Request(make_scope(), receiver('{"q": "\u00e9"}'.encode()))
    assert await request.json() == {"q": "\u00e9"}
    assert await request.json() == {"q": "\u00e9"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Request body is empty; expected a JSON document."),
        (b"  \n", "Request body is empty; expected a JSON document."),
        (b'{"q": "\xff"}', "Request body is not valid UTF-8 (invalid byte at position 7)."),
        (
            b"{'q': 1}",
            "Request body is not valid JSON: Expecting property name enclosed in "
            "double quotes: line 1 column 2 (char 1).",
        ),
        (b"[" * 100_000, "Request body JSON is nested too deeply."),
    ],
)
async def test_json_errors_say_what_is_wrong(body: bytes, message: str):
    with pytest.raises(HttpBadRequestError) as info:
        await Request(make_scope(), receiver(body)).json()
    assert info.value.message == message
    assert info.value.status_code == 400


async def test_urlencoded_form():
    scope = make_scope(headers=[(b"content-type", b"application/x-www-form-urlencoded")])
    request = Request(scope, receiver(b"a=1&b=x+y", b"&a=2"))
    form = await request.form()
    assert form.multi_items() == [("a", "1"), ("b", "x y"), ("a", "2")]
    assert await request.form() is form


async def test_urlencoded_form_field_limit():
    scope = make_scope(headers=[(b"content-type", b"application/x-www-form-urlencoded")])
    with pytest.raises(HttpPayloadTooLargeError, match="Too many form fields"):
        await Request(scope, receiver(b"a=1&b=2")).form(max_fields=1)


MULTIPART = (
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="operations"\r\n\r\n'
    b'{"query": "x"}\r\n'
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="0"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
    b"hello\r\nworld\r\n"
    b"--XyZ--\r\n"
)


async def test_multipart_form_streams_into_uploads():
    scope = make_scope(headers=[(b"content-type", b"multipart/form-data; boundary=XyZ")])
    chunks = [MULTIPART[i : i + 7] for i in range(0, len(MULTIPART), 7)]
    request = Request(scope, receiver(*chunks))
    form = await request.form()
    assert form["operations"] == '{"query": "x"}'
    upload = form["0"]
    assert isinstance(upload, UploadFile)
    assert upload.filename == "a.txt"
    assert upload.content_type == "text/plain"
    assert upload.size == 12
    assert await upload.read() == b"hello\r\nworld"
    await request.close()
    assert upload.file.closed


async def test_multipart_form_limits_and_errors():
    scope = make_scope(headers=[(b"content-type", b"multipart/form-data; boundary=XyZ")])
    with pytest.raises(HttpPayloadTooLargeError, match="File '0' is larger than the limit of 3"):
        await Request(scope, receiver(MULTIPART)).form(max_file_size=3)
    with pytest.raises(HttpPayloadTooLargeError, match="Too many files"):
        await Request(scope, receiver(MULTIPART)).form(max_files=0)
    with pytest.raises(HttpPayloadTooLargeError, match="larger than the limit of 10 bytes"):
        await Request(scope, receiver(MULTIPART), max_body_size=10).form()
    with pytest.raises(MultipartParseError, match="ends inside part '0'"):
        await Request(scope, receiver(MULTIPART[:-12])).form()
    no_boundary = make_scope(headers=[(b"content-type", b"multipart/form-data")])
    with pytest.raises(HttpBadRequestError, match="has no boundary parameter"):
        await Request(no_boundary, receiver(MULTIPART)).form()


async def test_form_refuses_other_content_types():
    scope = make_scope(headers=[(b"content-type", b"application/json")])
    with pytest.raises(HttpUnsupportedMediaTypeError) as info:
        await Request(scope, receiver(b"{}")).form()
    assert info.value.message == (
        "Expected a multipart/form-data or application/x-www-form-urlencoded body, "
        "got application/json."
    )
    with pytest.raises(HttpUnsupportedMediaTypeError, match="got no Content-Type"):
        await Request(make_scope(), receiver(b"{}")).form()


async def test_close_without_form_is_a_no_op():
    await Request(make_scope()).close()


async def test_is_disconnected_polls_without_losing_body_chunks():
    request = Request(make_scope(), receiver(b"ab", b"cd"))
    assert not await request.is_disconnected()  # consumed "ab" and kept it
    assert await request.body() == b"abcd"
    assert not await request.is_disconnected()  # body complete: receive blocks, poll gives up


async def test_is_disconnected_sees_a_disconnect_after_the_body():
    request = Request(make_scope(), receiver(b"ab", disconnect=True))
    assert not await request.is_disconnected()
    assert await request.is_disconnected()
    assert await request.is_disconnected()
