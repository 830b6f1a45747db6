"""Flow control both ways, and TLS."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from graphqlwire.server import Config, Server

from .helpers import graphqlwire_server, port_of

MiB = 1024 * 1024


async def test_reading_pauses_while_the_app_does_not_consume_the_body() -> None:
    release = asyncio.Event()
    received = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal received
        await release.wait()
        while True:
            message = await receive()
            received += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"%d" % received})

    size = 64 * MiB
    async with graphqlwire_server(app, max_body_size=size) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % size
        )
        chunk = b"x" * MiB
        sent = 0
        blocked = False
        while sent < size and not blocked:  # the server stops reading: buffers fill up
            writer.write(chunk)
            sent += len(chunk)
            try:
                await asyncio.wait_for(writer.drain(), 0.5)
            except asyncio.TimeoutError:
                blocked = True
        assert blocked
        assert sent < size
        release.set()
        while sent < size:
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)
        response = await asyncio.wait_for(reader.read(), 10)
        writer.close()
    assert response.endswith(b"\r\n\r\n%d" % size)


async def test_send_waits_while_the_client_does_not_read() -> None:
    progress = 0
    done = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal progress
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"%d" % (64 * MiB))],
            }
        )
        chunk = b"y" * MiB
        for _ in range(64):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            progress += 1
        await send({"type": "http.response.body", "body": b""})
        done.set()

    async with graphqlwire_server(app) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        for _ in range(500):  # (bounded) until the app is sending
            if progress > 0:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        # The app runs, but is blocked on the full write buffer, not buffering 64 MiB.
        assert 0 < progress < 32
        total = 0
        while chunk := await asyncio.wait_for(reader.read(MiB), 5):
            total += len(chunk)
        await asyncio.wait_for(done.wait(), 5)
        writer.close()
    assert total > 64 * MiB


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_tls(certificate: tuple[Path, Path], app: Any) -> None:
    cert, key = certificate
    config = Config(
        port=0, lifespan="off", log_level=None, ssl_certfile=str(cert), ssl_keyfile=str(key)
    )
    context = ssl.create_default_context(cafile=str(cert))
    async with Server(app, config) as server:
        assert server.url.startswith("https://")
        async with httpx.AsyncClient(verify=context) as client:
            info = (await client.get(server.url + "/scope")).json()
        assert info["scheme"] == "https"
        async with connect(server.url.replace("https", "wss") + "/ws/scope", ssl=context) as ws:
            assert '"scheme": "wss"' in await ws.recv()
