"""HTTP load: `wrk` with `wrk_post.lua` when installed, else an asyncio keep-alive generator.

Both POST the same JSON body over `connections` keep-alive connections for `duration` seconds
(with `distinct`, each request with its own `X-Request-Id` header, so that no two heads are
alike) and return the same summary: requests, req/s, p50/p99 latency (ms), non-200 responses, bodies
checked and wrong, socket errors and timeouts. Bodies are compared after removing whitespace, so
`{"data": {"hello": "world"}}` and `{"data":{"hello":"world"}}` are both right.
"""

from __future__ import annotations

import asyncio
import http.client
import itertools
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, cast

HERE = Path(__file__).resolve().parent
CHECK_EVERY = 50
REQUEST_IDS = itertools.count()


def run_wrk(
    port: int,
    body: bytes,
    expected: bytes,
    connections: int,
    duration: float,
    cpu: int | None,
    *,
    distinct: bool = False,
) -> dict[str, Any]:
    """Run wrk (one thread) against 127.0.0.1:`port`; bounded by `duration` plus a grace."""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "-s",
        str(HERE / "wrk_post.lua"),
        f"http://127.0.0.1:{port}/",
        "--",
        body.decode(),
        expected.decode(),
        str(CHECK_EVERY),
        "distinct" if distinct else "same",
    ]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            result: dict[str, Any] = json.loads(line[len("BENCHJSON ") :])
            result["rps"] = result["requests"] / result["seconds"] if result["seconds"] else 0.0
            return result
    raise RuntimeError(f"wrk gave no summary: {done.stdout[-500:]} {done.stderr[-500:]}")


def content_length(head: bytes) -> int | None:
    """The Content-Length of an HTTP/1.1 head (None when absent)."""
    marker = head.lower().find(b"\r\ncontent-length:")
    if marker < 0:
        return None
    return int(head[marker + 17 :].split(b"\r\n", 1)[0])


class _Client(asyncio.Protocol):
    """One keep-alive connection sending the request again as soon as a response is complete."""

    def __init__(
        self, request: bytes, expected: bytes, stats: dict[str, Any], distinct: bool
    ) -> None:
        self.request, self.expected, self.stats = request, expected, stats
        self.distinct = distinct
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0
        self.stopping = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self._send()

    def _send(self) -> None:
        """Send the request again and start its clock."""
        assert self.transport is not None
        self.sent_at = time.perf_counter()
        if self.distinct:  # (right after the request line)
            line, rest = self.request.split(b"\r\n", 1)
            self.transport.write(b"%s\r\nX-Request-Id: %d\r\n%s" % (line, next(REQUEST_IDS), rest))
            return
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end])
        length = content_length(head)
        if length is None:
            self.stats["socket_errors"] += 1  # chunked answers are not supported here
            self.stop()
            return
        if len(self.buffer) < end + 4 + length:
            return
        stats = self.stats
        stats["latencies"].append(time.perf_counter() - self.sent_at)
        stats["requests"] += 1
        if head[9:12] != b"200":
            stats["non_200"] += 1
        if stats["requests"] % CHECK_EVERY == 1:
            stats["checked"] += 1
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            if b"".join(body.split()) != self.expected:
                stats["bad_body"] += 1
        del self.buffer[: end + 4 + length]
        if not self.stopping:
            self._send()

    def stop(self) -> None:
        """Finish the request in flight, then close."""
        self.stopping = True
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.stopping:
            self.stats["socket_errors"] += 1
        self.transport = None


async def run_asyncio(
    port: int,
    body: bytes,
    expected: bytes,
    connections: int,
    duration: float,
    *,
    distinct: bool = False,
) -> dict[str, Any]:
    """The fallback generator: `connections` keep-alive clients for `duration` seconds."""
    request = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    stats: dict[str, Any] = {
        "requests": 0,
        "non_200": 0,
        "checked": 0,
        "bad_body": 0,
        "socket_errors": 0,
        "timeouts": 0,
        "latencies": [],
    }
    loop = asyncio.get_running_loop()
    clients: list[_Client] = []
    try:
        for _ in range(connections):
            _, client = await loop.create_connection(
                lambda: _Client(request, expected, stats, distinct), "127.0.0.1", port
            )
            clients.append(client)
        started = time.perf_counter()
        await asyncio.sleep(duration)
        seconds = time.perf_counter() - started
    finally:
        for client in clients:
            client.stop()
    latencies = sorted(stats.pop("latencies"))
    stats["seconds"] = seconds
    stats["rps"] = stats["requests"] / seconds
    stats["p50_ms"] = latencies[len(latencies) // 2] * 1e3 if latencies else 0.0
    stats["p99_ms"] = latencies[int(len(latencies) * 0.99)] * 1e3 if latencies else 0.0
    return stats


def post_once(port: int, body: bytes) -> bytes:
    """POST `body` once to 127.0.0.1:`port` (to prime a scenario) and return the answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/", body, {"content-type": "application/json"})
        return connection.getresponse().read()
    finally:
        connection.close()


def have_wrk() -> bool:
    """True when the `wrk` binary is on PATH."""
    return shutil.which("wrk") is not None
