"""Chunked (streamed) request bodies on the bundled wsgiref server, from real clients.

``wsgiref`` alone hands the app the chunk framing with no length, and a client streaming an
upload met a broken pipe; ``graphqlwire.wsgi.serve`` de-chunks it, sets
``wsgi.input_terminated`` and the app applies its body limit while reading.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gql import Client, FileVar, gql
from gql.transport.httpx import HTTPXTransport

from graphqlwire.http import HttpBadRequestError
from graphqlwire.wsgi import GraphQL
from graphqlwire.wsgi.chunked import MAX_LINE, ChunkedBody
from tests.wsgi.helpers import SCHEMA, UPLOAD, multipart_body, wsgiref_server

TIMEOUT = httpx.Timeout(5.0)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """One client for the module: building one (its TLS context) costs a few 100 ms."""
    with httpx.Client(timeout=TIMEOUT) as shared:
        yield shared


#: (wsgi.input_terminated, CONTENT_LENGTH) of every request the server passed on.
SEEN: list[tuple[Any, Any]] = []


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    graphql_app = GraphQL(SCHEMA, max_body_size=200_000)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        SEEN.append((environ.get("wsgi.input_terminated"), environ.get("CONTENT_LENGTH")))
        return graphql_app(environ, start_response)

    with wsgiref_server(app) as base:
        yield f"{base}/graphql/"


def _pieces(body: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_streamed_json_body(client: httpx.Client, url: str) -> None:
    body = json.dumps({"query": '{ hello(name: "chunks") }'}).encode()
    response = client.post(
        url,
        content=_pieces(body, 7),
        headers={"content-type": "application/json"},
    )
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.json() == {"data": {"hello": "Hello, chunks!"}}


def test_streamed_upload_of_many_chunks(client: httpx.Client, url: str) -> None:
    content = bytes(range(256)) * 600  # 150 KiB, over two of the app's read chunks
    body, content_type = multipart_body(
        [
            ("operations", json.dumps({"query": UPLOAD, "variables": {"file": None}})),
            ("map", json.dumps({"0": ["variables.file"]})),
            ("0", ("big.bin", content, "application/octet-stream")),
        ]
    )
    response = client.post(
        url, content=_pieces(body, 10_000), headers={"content-type": content_type}
    )
    assert response.status_code == 200
    upload = response.json()["data"]["upload"]
    assert upload["filename"] == "big.bin"
    assert upload["content"].encode("latin-1") == content


class _Unsized(io.RawIOBase):
    """A file that is still being produced: no fileno, no seek, so no size in advance."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        super().__init__()
        self._pieces = pieces

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        piece = next(self._pieces, b"")
        buffer[: len(piece)] = piece
        return len(piece)


def test_gql_client_streaming_a_file_upload(url: str) -> None:
    """gql's file upload of a file of unknown size: httpx streams it chunked."""
    payload = b"streamed by gql\n" * 2000
    transport = HTTPXTransport(url=url, timeout=5)
    with Client(transport=transport) as session:
        result = session.execute(
            gql(UPLOAD),
            variable_values={"file": FileVar(_Unsized(_pieces(payload, 4096)), filename="p.txt")},
            upload_files=True,
        )
    assert result["upload"] == {
        "filename": "p.txt",
        "contentType": "text/plain",
        "content": payload.decode(),
    }
    assert SEEN[-1][0] is True and not SEEN[-1][1]  # it came chunked, without a length


def test_streamed_body_over_the_limit_is_413_and_the_server_keeps_serving(
    client: httpx.Client, url: str
) -> None:
    body = json.dumps({"query": "{ hello }", "pad": "x" * 300_000}).encode()
    response = client.post(
        url,
        content=_pieces(body, 50_000),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"message": "Request body is larger than the limit of 200000 bytes."}]
    }
    assert client.post(url, json={"query": "{ hello }"}).status_code == 200


def _exchange(url: str, request: bytes, *, half_close: bool = False) -> bytes:
    host, port = url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        while data := sock.recv(65536):
            received += data
    return received


HEAD = b"POST /graphql/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
CHUNKED = HEAD + b"Transfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize(
    ("case", "request_bytes", "half_close", "status", "message"),
    [
        ("bad size", CHUNKED + b"zz\r\n{}\r\n0\r\n\r\n", False, 400, "invalid chunk size"),
        ("chunk longer than said", CHUNKED + b"1\r\n{}\r\n0\r\n\r\n", False, 400, "longer"),
        ("client gave up", CHUNKED + b"10\r\n{", True, 400, "ended before its last chunk"),
        ("long size line", CHUNKED + b"1;" + b"x" * MAX_LINE + b"\r\n", True, 400, "is over"),
    ],
)
def test_malformed_chunked_bodies_get_400(
    url: str, case: str, request_bytes: bytes, half_close: bool, status: int, message: str
) -> None:
    received = _exchange(url, request_bytes, half_close=half_close)
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.0 {status} ".encode()), case
    assert message in json.loads(body)["errors"][0]["message"], case


@pytest.mark.parametrize(
    ("head", "status", "reason"),
    [
        (HEAD + b"Transfer-Encoding: gzip, chunked\r\n\r\n", 501, b"not supported"),
        (HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n", 400, b"Content-Length"),
        (CHUNKED.replace(b"HTTP/1.1", b"HTTP/1.0"), 400, b"HTTP/1.1"),
    ],
)
def test_other_transfer_codings_are_refused(
    url: str, head: bytes, status: int, reason: bytes
) -> None:
    received = _exchange(url, head, half_close=True)
    assert received.split(b"\r\n", 1)[0].split(b" ")[1] == str(status).encode()
    assert reason in received


def _body(raw: bytes) -> io.BufferedReader:
    return io.BufferedReader(ChunkedBody(io.BufferedReader(io.BytesIO(raw))))


def test_chunk_extensions_trailers_and_readline() -> None:
    stream = _body(b"6;name=value\r\nline 1\r\n7\r\n\nline 2\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT")
    assert stream.readline() == b"line 1\n"
    assert stream.read() == b"line 2"
    assert stream.read(10) == b""


def test_too_many_trailers_are_refused() -> None:
    with pytest.raises(HttpBadRequestError, match="trailer fields"):
        _body(b"0\r\n" + b"X: 1\r\n" * 200 + b"\r\n").read()
