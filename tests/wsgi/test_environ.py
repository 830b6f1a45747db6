"""``graphqlwire.wsgi.environ``: the environ as a ``Request`` scope, and bounded body reads."""

from __future__ import annotations

import io
from typing import Any

import pytest

from graphqlwire.http import HttpBadRequestError, HttpPayloadTooLargeError
from graphqlwire.wsgi.environ import (
    CHUNK_SIZE,
    BodyReader,
    HttpLengthRequiredError,
    request_for,
    scope_from_environ,
)
from tests.wsgi.helpers import BlockingInput


class CountingInput(io.BytesIO):
    """Records the size of every read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and size >= 0, "unbounded read"
        self.sizes.append(size)
        return super().read(size)


def environ(body: bytes = b"", **extra: Any) -> dict[str, Any]:
    env: dict[str, Any] = {"wsgi.input": BlockingInput(body), "REQUEST_METHOD": "POST"}
    env.update(extra)
    return env


def test_scope_maps_the_environ() -> None:
    scope = scope_from_environ(
        {
            "REQUEST_METHOD": "post",
            "SCRIPT_NAME": "/app",
            "PATH_INFO": "/graphql/caf\xc3\xa9",  # PEP 3333: UTF-8 bytes as latin-1 text
            "QUERY_STRING": "a=1&b=%20",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": "12",
            "HTTP_ACCEPT": "application/json",
            "HTTP_X_CUSTOM_NAME": "v",
            "SERVER_NAME": "example.org",
            "SERVER_PORT": "8080",
            "SERVER_PROTOCOL": "HTTP/1.0",
            "REMOTE_ADDR": "10.0.0.1",
            "wsgi.url_scheme": "https",
        }
    )
    assert scope["method"] == "POST"
    assert scope["root_path"] == "/app"
    assert scope["path"] == "/app/graphql/café"
    assert scope["raw_path"] == "/app/graphql/café".encode()
    assert scope["query_string"] == b"a=1&b=%20"
    assert scope["scheme"] == "https"
    assert scope["http_version"] == "1.0"
    assert scope["server"] == ("example.org", 8080)
    assert scope["client"] == ("10.0.0.1", 0)
    assert sorted(scope["headers"]) == [
        (b"accept", b"application/json"),
        (b"content-length", b"12"),
        (b"content-type", b"application/json"),
        (b"x-custom-name", b"v"),
    ]


def test_request_view_is_built_once_per_environ() -> None:
    env = environ(QUERY_STRING="query=%7Bx%7D", HTTP_HOST="h:1", PATH_INFO="/g")
    request = request_for(env)
    assert request is request_for(env)
    assert request.query_params["query"] == "{x}"
    assert str(request.url) == "http://h:1/g?query=%7Bx%7D"


def test_reads_exactly_content_length_in_bounded_chunks() -> None:
    body = b"x" * (CHUNK_SIZE * 2 + 10)
    stream = CountingInput(body + b"NEXT REQUEST")
    reader = BodyReader({"wsgi.input": stream, "CONTENT_LENGTH": str(len(body))})
    assert reader.read() == body
    assert stream.sizes == [CHUNK_SIZE, CHUNK_SIZE, 10]


def test_never_reads_past_content_length() -> None:
    # BlockingInput raises where a socket would block
    assert BodyReader(environ(b"abc", CONTENT_LENGTH="3")).read() == b"abc"


def test_zero_content_length_reads_nothing() -> None:
    assert BodyReader(environ(b"", CONTENT_LENGTH="0")).read() == b""


def test_terminated_input_is_read_until_eof() -> None:
    stream = CountingInput(b"y" * (CHUNK_SIZE + 5))
    reader = BodyReader({"wsgi.input": stream, "wsgi.input_terminated": True})
    assert reader.read() == b"y" * (CHUNK_SIZE + 5)
    assert all(size == CHUNK_SIZE for size in stream.sizes)


def test_terminated_input_over_the_limit_stops_early() -> None:
    stream = CountingInput(b"z" * (CHUNK_SIZE * 10))
    reader = BodyReader({"wsgi.input": stream, "wsgi.input_terminated": True}, max_body_size=100)
    with pytest.raises(HttpPayloadTooLargeError):
        reader.read()
    assert len(stream.sizes) == 1


def test_declared_length_over_the_limit_is_413_before_reading() -> None:
    stream = CountingInput(b"x" * 50)
    with pytest.raises(HttpPayloadTooLargeError, match="limit of 10 bytes"):
        BodyReader({"wsgi.input": stream, "CONTENT_LENGTH": "50"}, max_body_size=10).read()
    assert stream.sizes == []


@pytest.mark.parametrize("value", ["", None])
def test_missing_content_length_is_411(value: str | None) -> None:
    env = environ(b"{}")
    if value is not None:
        env["CONTENT_LENGTH"] = value
    with pytest.raises(HttpLengthRequiredError, match="Missing Content-Length") as caught:
        BodyReader(env).read()
    assert caught.value.status_code == 411


@pytest.mark.parametrize("value", ["-1", "1e3", "abc", "12 34", "\u00b2"])
def test_malformed_content_length_is_400(value: str) -> None:
    with pytest.raises(HttpBadRequestError, match="Invalid Content-Length"):
        BodyReader(environ(b"{}", CONTENT_LENGTH=value)).read()


def test_body_can_be_read_once() -> None:
    reader = BodyReader(environ(b"ab", CONTENT_LENGTH="2"))
    reader.read()
    with pytest.raises(RuntimeError, match="already consumed"):
        reader.read()


def test_reader_is_shared_per_environ() -> None:
    env = environ(b"ab", CONTENT_LENGTH="2")
    assert BodyReader.of(env, 10) is BodyReader.of(env)


def test_drain_skips_a_small_unread_rest_only() -> None:
    small = CountingInput(b"s" * 100)
    BodyReader({"wsgi.input": small, "CONTENT_LENGTH": "100"}).drain()
    assert small.tell() == 100
    big = CountingInput(b"b" * 100)
    BodyReader({"wsgi.input": big, "CONTENT_LENGTH": "100"}).drain(limit=50)
    assert big.sizes == []


def test_drain_reads_a_terminated_body_until_its_end_or_the_limit() -> None:
    terminated = CountingInput(b"t" * 100)
    BodyReader({"wsgi.input": terminated, "wsgi.input_terminated": True}).drain()
    assert terminated.tell() == 100
    endless = CountingInput(b"e" * (CHUNK_SIZE * 4))
    BodyReader({"wsgi.input": endless, "wsgi.input_terminated": True}).drain(limit=CHUNK_SIZE)
    assert endless.sizes == [CHUNK_SIZE]


def test_scope_survives_environ_values_outside_latin_1() -> None:
    # A server that decoded UTF-8 itself (against PEP 3333) must not turn into a 500.
    scope = scope_from_environ(
        {
            "PATH_INFO": "/caf\u00e9\u20ac",
            "HTTP_X": "\u20ac",
            "SERVER_PORT": "x",
            "REMOTE_ADDR": "1.2.3.4",
            "REMOTE_PORT": "?",
        }
    )
    assert scope["path"] == "/caf\u00e9\u20ac"
    assert scope["headers"] == [(b"x", b"?")]
    assert scope["server"] == ("", None)
    assert scope["client"] == ("1.2.3.4", 0)
