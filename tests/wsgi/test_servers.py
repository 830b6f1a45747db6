"""The WSGI app over real sockets: the threaded wsgiref server and gunicorn (httpx client).

Checks what Ariadne's WSGI app got wrong under wsgiref: OPTIONS and 405 answers must not
crash (PEP 3333 str header values), and uploads must be answered without the client
half-closing (the body is read up to Content-Length, never until EOF).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from wsgiref.validate import validator

import httpx
import pytest

from graphqlwire.wsgi import GraphQL, GraphQLMiddleware
from tests.wsgi.gunicorn_app import other_app
from tests.wsgi.helpers import (
    ROOT,
    SCHEMA,
    UPLOAD,
    UPLOAD_MANY,
    free_port,
    wait_until_listening,
    wsgiref_server,
)
from tests.wsgi.test_bad_input import BAD_REQUESTS

TIMEOUT = httpx.Timeout(5.0)


@pytest.fixture(scope="module")
def wsgiref_url() -> Iterator[str]:
    app = GraphQLMiddleware(other_app, GraphQL(SCHEMA, max_body_size=100_000))
    with wsgiref_server(validator(app)) as url:
        yield url


@pytest.fixture(scope="module")
def gunicorn_url() -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable, "-W", "error", "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning",
        "tests.wsgi.gunicorn_app:application",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE)
    try:
        wait_until_listening(port, process, time.monotonic() + 15)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        assert process.stderr is not None
        errors = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        assert "Traceback" not in errors, errors


@pytest.fixture(params=["wsgiref", "gunicorn"])
def url(request: pytest.FixtureRequest) -> str:
    base: str = request.getfixturevalue(f"{request.param}_url")
    return base


def _upload_files() -> dict[str, Any]:
    return {
        "data": {
            "operations": json.dumps({"query": UPLOAD_MANY, "variables": {"files": [None, None]}}),
            "map": json.dumps({"0": ["variables.files.0"], "1": ["variables.files.1"]}),
        },
        "files": {
            "0": ("a.txt", b"first file", "text/plain"),
            "1": ("b.csv", b"x,y", "text/csv"),
        },
    }


def test_query(url: str) -> None:
    response = httpx.post(f"{url}/graphql/", json={"query": "{ hello }"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"data": {"hello": "Hello, world!"}}


def test_upload_is_answered_without_the_client_half_closing(url: str) -> None:
    response = httpx.post(f"{url}/graphql/", timeout=TIMEOUT, **_upload_files())
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "uploadMany": [
                {"filename": "a.txt", "contentType": "text/plain", "content": "first file"},
                {"filename": "b.csv", "contentType": "text/csv", "content": "x,y"},
            ]
        }
    }


def test_options_and_405_do_not_crash(url: str) -> None:
    options = httpx.options(f"{url}/graphql/", timeout=TIMEOUT)
    assert options.status_code == 200
    assert options.headers["allow"] == "OPTIONS, POST, GET"
    put = httpx.put(f"{url}/graphql/", content=b"{}", timeout=TIMEOUT)
    assert put.status_code == 405
    assert put.headers["allow"] == "OPTIONS, POST, GET"
    assert put.json()["errors"][0]["message"].startswith("Method PUT is not allowed")


def test_explorer_and_other_app(url: str) -> None:
    explorer = httpx.get(f"{url}/graphql", headers={"accept": "text/html"}, timeout=TIMEOUT)
    assert explorer.status_code == 200
    assert explorer.headers["content-type"] == "text/html; charset=utf-8"
    assert httpx.get(f"{url}/elsewhere", timeout=TIMEOUT).text == "other"


def test_bad_inputs_get_4xx_and_the_server_keeps_serving(url: str) -> None:
    with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
        for case, kwargs, status, message in BAD_REQUESTS:
            if "content_length" in kwargs:
                continue  # httpx always sends the true length (covered in process)
            response = client.post(
                "/graphql/", content=kwargs["body"], headers=kwargs.get("headers")
            )
            assert response.status_code == status, case
            if case == "missing Content-Type":
                # wsgiref fills in CONTENT_TYPE=text/plain (mimetools' default): still 415
                message = "Content-Type"
            assert message in response.json()["errors"][0]["message"], case
            follow_up = client.post("/graphql/", json={"query": "{ hello }"})
            assert follow_up.json() == {"data": {"hello": "Hello, world!"}}, case


def test_oversized_body_is_413_and_the_server_keeps_serving(url: str) -> None:
    body = json.dumps({"query": "{ hello }", "pad": "x" * 150_000}).encode()
    response = httpx.post(
        f"{url}/graphql/",
        content=body,
        headers={"content-type": "application/json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == (
        "Request body is larger than the limit of 100000 bytes."
    )
    assert (
        httpx.post(f"{url}/graphql/", json={"query": "{ hello }"}, timeout=TIMEOUT).status_code
        == 200
    )


def test_chunked_upload_uses_input_terminated(url: str) -> None:
    """Both servers de-chunk the body and set wsgi.input_terminated: read it until EOF."""
    files = _upload_files()
    encoded = httpx.Request("POST", "/", data=files["data"], files=files["files"])
    body = encoded.read()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 100):
            yield body[start : start + 100]

    response = httpx.post(
        f"{url}/graphql/",
        content=chunks(),
        headers={"content-type": encoded.headers["content-type"]},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert [f["filename"] for f in response.json()["data"]["uploadMany"]] == ["a.txt", "b.csv"]


def test_wsgiref_slow_client_does_not_block_others(wsgiref_url: str) -> None:
    port = int(wsgiref_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as stuck:
        stuck.sendall(
            b"POST /graphql/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"query":'
        )
        response = httpx.post(
            f"{wsgiref_url}/graphql/", json={"query": "{ hello }"}, timeout=TIMEOUT
        )
        assert response.json() == {"data": {"hello": "Hello, world!"}}


def test_wsgiref_upload_over_a_raw_socket_without_half_close(wsgiref_url: str) -> None:
    """Ariadne's bug: the app read the body until EOF, so this read timed out."""
    port = int(wsgiref_url.rsplit(":", 1)[1])
    body = (
        b'--b\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        + json.dumps({"query": UPLOAD, "variables": {"file": None}}).encode()
        + b'\r\n--b\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
        + b'{"0": ["variables.file"]}'
        + b'\r\n--b\r\nContent-Disposition: form-data; name="0"; filename="r.txt"\r\n'
        + b"Content-Type: text/plain\r\n\r\nraw\r\n--b--\r\n"
    )
    head = (
        "POST /graphql/ HTTP/1.1\r\nHost: x\r\n"
        f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head + body)  # and keep our side open
        received = b""
        while b"\r\n\r\n" not in received or not received.endswith(b"}}}"):
            data = sock.recv(65536)
            if not data:
                break
            received += data
    assert received.startswith(b"HTTP/1.0 200 OK\r\n")
    assert received.endswith(
        b'{"data":{"upload":{"filename":"r.txt","contentType":"text/plain","content":"raw"}}}'
    )
