"""HTTP/1.1 behaviour, checked under graphqlwire's server and uvicorn alike (`run_server`)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest

from graphqlwire.server import ClientDisconnected

from .helpers import RunServer, graphqlwire_server, port_of, raw_exchange, read_all, status_of
from .server_apps import make_app


async def test_get_and_post(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url, httpx.AsyncClient() as client:
        response = await client.get(url + "/hi")
        assert (response.status_code, response.text) == (200, "hello /hi")
        assert response.headers["content-type"] == "text/plain"
        response = await client.post(url + "/echo", content=b"x" * 100_000)
        assert response.content == b"x" * 100_000


async def test_streamed_request_body(run_server: RunServer, app: Any) -> None:
    async def chunks() -> Any:
        for i in range(20):
            yield b"%d" % i * 10_000

    expected = b"".join(b"%d" % i * 10_000 for i in range(20))
    async with run_server(app) as url, httpx.AsyncClient() as client:
        response = await client.post(url + "/echo", content=chunks())
        assert response.content == expected


async def test_scope(run_server: RunServer, app: Any) -> None:
    request = (
        b"GET /sc%6Fpe?a=1&b=%20 HTTP/1.1\r\nHost: x\r\nX-Dup: 1\r\n"
        b"x-dup: 2\r\nConnection: close\r\n\r\n"
    )
    async with run_server(app) as url:
        response = await raw_exchange(url, request)
    info = json.loads(response.split(b"\r\n\r\n", 1)[1])
    assert info["type"] == "http"
    assert info["http_version"] == "1.1"
    assert info["method"] == "GET"
    assert info["scheme"] == "http"
    assert info["path"] == "/scope"
    assert info["raw_path"] == "/sc%6Fpe"
    assert info["query_string"] == "a=1&b=%20"
    assert info["root_path"] == ""
    assert info["asgi"]["version"] == "3.0"
    assert ["x-dup", "1"] in info["headers"]
    assert ["x-dup", "2"] in info["headers"]
    assert ["host", "x"] in info["headers"]
    assert info["client"][0] == "127.0.0.1"


async def test_scope_details_and_root_path(app: Any) -> None:
    async with graphqlwire_server(app, root_path="/api/") as url, httpx.AsyncClient() as client:
        info = (await client.get(url + "/scope")).json()
    assert info["asgi"] == {"version": "3.0", "spec_version": "2.5"}
    assert info["root_path"] == "/api"
    assert info["path"] == "/api/scope"
    assert info["raw_path"] == "/api/scope"
    assert info["state"] == {}


async def test_whole_body_gets_content_length(app: Any) -> None:
    # uvicorn chunks a body that came without content-length; we know its length.
    async with graphqlwire_server(app) as url, httpx.AsyncClient() as client:
        response = await client.get(url + "/bare")
    assert response.headers["content-length"] == "4"
    assert "transfer-encoding" not in response.headers


async def test_pipelined_requests_answered_in_order(run_server: RunServer, app: Any) -> None:
    requests = (
        b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        b"GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    async with run_server(app) as url:
        response = await raw_exchange(url, requests)
    assert response.count(b"HTTP/1.1 200 OK") == 3
    first, second, third = (response.index(b) for b in (b"slow done", b"hello", b"hello /third"))
    assert first < second < third


async def test_keep_alive_reuses_the_connection(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        for i in range(3):
            writer.write(b"GET /n%d HTTP/1.1\r\nHost: x\r\n\r\n" % i)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
            assert head.startswith(b"HTTP/1.1 200")
            assert await reader.readexactly(9) == b"hello /n%d" % i
        writer.close()


async def test_http_10(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url:
        response = await raw_exchange(url, b"GET /old HTTP/1.0\r\n\r\n")
        streamed = await raw_exchange(url, b"GET /stream HTTP/1.0\r\n\r\n")
    assert status_of(response) == 200
    assert response.endswith(b"\r\n\r\nhello /old")
    # No chunked framing for an HTTP/1.0 client: the body ends when the connection does.
    assert streamed.endswith(b"\r\n\r\npart0;part1;part2;part3;part4;")


@pytest.mark.parametrize("version", [b"0.9", b"2.0", b"3.1"])
async def test_other_major_versions_get_505(app: Any, version: bytes) -> None:
    request = b"GET / HTTP/%s\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n" % version
    async with graphqlwire_server(app) as url:
        response = await raw_exchange(url, request)
    # One answer, then the connection is closed: the request after it is not served.
    assert response.startswith(b"HTTP/1.1 505 ")
    assert response.count(b"HTTP/1.1 ") == 1


async def test_a_later_minor_version_is_served_as_http_11(app: Any) -> None:
    async with graphqlwire_server(app) as url:
        response = await raw_exchange(
            url,
            b"GET /v HTTP/1.2\r\nHost: x\r\n\r\n"
            b"GET /w HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    assert response.count(b"HTTP/1.1 200 ") == 2  # kept alive, as 1.1
    assert response.endswith(b"hello /w")


async def test_head(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url:
        response = await raw_exchange(
            url, b"HEAD /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
    assert status_of(response) == 200
    assert response.endswith(b"\r\n\r\n")


async def test_chunked_request_body(run_server: RunServer, app: Any) -> None:
    request = (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    async with run_server(app) as url:
        response = await raw_exchange(url, request)
    assert status_of(response) == 200
    assert response.endswith(b"hello world")


async def test_expect_100_continue(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
            b"Expect: 100-continue\r\nConnection: close\r\n\r\n"
        )
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        assert interim.startswith(b"HTTP/1.1 100 ")
        writer.write(b"data")
        response = await asyncio.wait_for(read_all(reader), 2)
        writer.close()
    assert status_of(response) == 200
    assert response.endswith(b"data")


async def test_streaming_response(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url, httpx.AsyncClient() as client:
        response = await client.get(url + "/stream")
    assert response.text == "part0;part1;part2;part3;part4;"
    assert response.headers["transfer-encoding"] == "chunked"


@pytest.mark.parametrize(("status", "body"), [(204, b""), (304, b""), (404, b"status")])
async def test_statuses(run_server: RunServer, app: Any, status: int, body: bytes) -> None:
    async with run_server(app) as url, httpx.AsyncClient() as client:
        response = await client.get(f"{url}/status?{status}")
    assert (response.status_code, response.content) == (status, body)


async def test_disconnect_during_streaming_response(run_server: RunServer) -> None:
    app = make_app()
    async with run_server(app) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(b"GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"start" in await asyncio.wait_for(reader.readuntil(b"start"), 2)
        writer.close()
        await app.recorder.wait_for("http.disconnect")


async def test_app_errors(run_server: RunServer, app: Any) -> None:
    async with run_server(app) as url, httpx.AsyncClient() as client:
        assert (await client.get(url + "/raise-before")).status_code == 500
        assert (await client.get(url + "/nothing")).status_code == 500
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(url + "/raise-after")
        # The server is unharmed.
        assert (await client.get(url + "/ok")).status_code == 200


async def test_many_concurrent_connections(run_server: RunServer, app: Any) -> None:
    async def one(i: int) -> None:
        async with httpx.AsyncClient() as client:
            response = await client.post(url + "/echo", content=b"client-%d" % i)
            assert (response.status_code, response.content) == (200, b"client-%d" % i)

    async with run_server(app) as url:
        await asyncio.gather(*(one(i) for i in range(50)))


async def test_send_after_disconnect_raises_oserror(caplog: pytest.LogCaptureFixture) -> None:
    outcome: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        while (await receive())["type"] != "http.disconnect":
            pass
        try:
            await send({"type": "http.response.body", "body": b"b", "more_body": True})
        except BaseException as error:
            outcome.set_result(error)
            raise

    async with graphqlwire_server(app) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        writer.close()
        error = await asyncio.wait_for(outcome, 2)
    assert isinstance(error, OSError)
    assert isinstance(error, ClientDisconnected)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("allowed", "trusted"), [("127.0.0.1", True), ("10.0.0.1", False)])
async def test_proxy_headers(app: Any, allowed: str, trusted: bool) -> None:
    headers = {"x-forwarded-for": "203.0.113.7, 127.0.0.1", "x-forwarded-proto": "https"}
    async with graphqlwire_server(app, proxy_headers=True, forwarded_allow_ips=allowed) as url:
        async with httpx.AsyncClient() as client:
            info = (await client.get(url + "/scope", headers=headers)).json()
        from websockets.asyncio.client import connect

        async with connect(
            url.replace("http", "ws") + "/ws/scope", additional_headers=headers
        ) as ws:
            ws_info = json.loads(await ws.recv())
    if trusted:
        assert (info["scheme"], info["client"][0]) == ("https", "203.0.113.7")
        assert ws_info["scheme"] == "wss"
    else:
        assert (info["scheme"], info["client"][0]) == ("http", "127.0.0.1")
        assert ws_info["scheme"] == "ws"


async def test_access_log(app: Any, caplog: pytest.LogCaptureFixture) -> None:
    async with graphqlwire_server(app, access_log=True) as url, httpx.AsyncClient() as client:
        await client.get(url + "/x?y=1")
    lines = [r.getMessage() for r in caplog.records if r.name == "graphqlwire.access"]
    assert len(lines) == 1
    assert '"GET /x?y=1 HTTP/1.1" 200' in lines[0]


async def test_non_websocket_upgrade_is_plain_http(app: Any) -> None:
    async with graphqlwire_server(app) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        for i in range(2):  # and the connection stays usable
            writer.write(
                b"GET /u%d HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n" % i
            )
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
            assert head.startswith(b"HTTP/1.1 200")
            assert await reader.readexactly(9) == b"hello /u%d" % i
        writer.close()


@pytest.mark.parametrize("streamed", [False, True])
async def test_large_bodies(run_server: RunServer, streamed: bool) -> None:
    blob = bytes(range(256)) * 1000  # 256 KB

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        if streamed:
            for i in range(0, len(blob), 100_000):
                await send(
                    {"type": "http.response.body", "body": blob[i : i + 100_000], "more_body": True}
                )
            await send({"type": "http.response.body", "body": b"small", "more_body": True})
            await send({"type": "http.response.body"})
        else:
            await send({"type": "http.response.body", "body": blob})

    async with run_server(app) as url, httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.content == (blob + b"small" if streamed else blob)


async def test_request_pipelined_while_the_first_is_running(app: Any) -> None:
    async with graphqlwire_server(app) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.sleep(0.1)  # the first request is being answered ...
        writer.write(b"GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = await asyncio.wait_for(read_all(reader), 3)
        writer.close()
    assert response.index(b"slow done") < response.index(b"hello /next")


@pytest.mark.parametrize(
    ("messages", "outcome"),
    [
        ([{"type": "http.response.body", "body": b"x"}], 500),  # no start
        (
            [
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"2")],
                },
                {"type": "http.response.body", "body": b"xyz"},
            ],
            "cut",
        ),  # longer than announced
        (
            [
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"5")],
                },
                {"type": "http.response.body", "body": b"xy"},
            ],
            "cut",
        ),  # shorter than announced
        (
            [
                {"type": "http.response.start", "status": 99, "headers": []},
                {"type": "http.response.body", "body": b"x"},
            ],
            500,
        ),  # not a final status
    ],
)
async def test_app_protocol_mistakes(messages: list[Any], outcome: Any, caplog: Any) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        for message in messages:
            await send(message)

    caplog.set_level(logging.CRITICAL)
    async with graphqlwire_server(app) as url, httpx.AsyncClient() as client:
        for _ in range(2):  # the server, and the next request, are unharmed
            if outcome == "cut":
                with pytest.raises(httpx.RemoteProtocolError):
                    await client.get(url)
            else:
                assert (await client.get(url)).status_code == outcome


@pytest.mark.parametrize("value", [b"close", b"Keep-Alive, Close"])
async def test_app_asks_to_close_the_connection(app: Any, value: bytes) -> None:
    async def closing(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"connection", value)]}
        )
        await send({"type": "http.response.body", "body": b"bye"})

    async with graphqlwire_server(closing) as url:
        response = await raw_exchange(url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response.endswith(b"\r\n\r\nbye")
    assert response.count(b"connection: close") == 1


async def test_bad_request_target(app: Any) -> None:
    async with graphqlwire_server(app) as url:
        assert status_of(await raw_exchange(url, b"GET nope HTTP/1.1\r\nHost: x\r\n\r\n")) == 400


async def test_bytes_h11_cannot_parse_get_400_with_its_reason(app: Any) -> None:
    async with graphqlwire_server(app) as url:
        response = await raw_exchange(url, b"NOT AN HTTP REQUEST\r\n\r\n")
        assert status_of(response) == 400
        assert response.split(b"\r\n\r\n", 1)[1].startswith(b"Bad Request: ")
        assert b"connection: close" in response.lower()
        # (the next connection is served as usual)
        request = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        assert status_of(await raw_exchange(url, request)) == 200
